"""Roles are Django groups (created by a data migration). These predicates are the one place
that knows the group names; views, templates and model methods ask them."""

from django.utils.translation import gettext_lazy as _

OPERATOR = "Operator OPD"
COORDINATOR = "Koordinator"
ADMIN = "Admin"
LEADER = "Pimpinan"

ROLE_LABELS = {
    OPERATOR: _("Operator OPD"),
    COORDINATOR: _("Koordinator"),
    ADMIN: _("Admin"),
    LEADER: _("Pimpinan"),
}


def _group_names(user):
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_admin(user):
    return user.is_authenticated and (user.is_superuser or ADMIN in _group_names(user))


def is_coordinator(user):
    """Coordinators review and act; admins can do everything a coordinator can."""
    return is_admin(user) or COORDINATOR in _group_names(user)


def is_leader(user):
    return LEADER in _group_names(user)


def can_view_all(user):
    """Sees every agency's data (read-only for leaders)."""
    return is_coordinator(user) or is_leader(user)


def agency_of(user):
    """The agency an operator works for, or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_agency_cache"):
        from .models import AgencyMember

        member = AgencyMember.objects.select_related("agency").filter(user=user).first()
        user._agency_cache = member.agency if member else None
    return user._agency_cache


def is_operator(user):
    return OPERATOR in _group_names(user) and agency_of(user) is not None


def role_label(user):
    if is_admin(user):
        return ROLE_LABELS[ADMIN]
    for name in (COORDINATOR, LEADER, OPERATOR):
        if name in _group_names(user):
            return ROLE_LABELS[name]
    return ""


# Permissions of each role, as (app_label, model or "*", actions). Kept as data so that the data
# migration and the post_migrate hook (which covers models added later) apply the same rules.
ROLE_PERMISSIONS = {
    OPERATOR: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "answer", ["add", "change"]),
        ("evaluations", "evidence", ["add", "change"]),
        ("evaluations", "submission", ["change"]),
        ("evaluations", "quickwin", ["add", "change"]),
        ("evaluations", "datasetupload", ["add"]),
    ],
    COORDINATOR: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "submission", ["change"]),
        ("evaluations", "answer", ["change"]),
        ("evaluations", "reviewcomment", ["add", "change"]),
        ("evaluations", "quickwin", ["add", "change"]),
        ("evaluations", "datasetupload", ["delete"]),
    ],
    ADMIN: [
        ("pillars", "*", ["view", "add", "change", "delete"]),
        ("evaluations", "*", ["view", "add", "change", "delete"]),
        ("auth", "user", ["view", "add", "change"]),
        ("auth", "group", ["view"]),
    ],
    LEADER: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
    ],
}


def sync_role_groups(apps=None):
    """Create the four role groups and give them exactly the permissions above."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, rules in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = set()
        for app_label, model, actions in rules:
            perms = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                perms = perms.filter(content_type__model=model)
            for perm in perms.values_list("id", "codename"):
                if perm[1].split("_", 1)[0] in actions:
                    wanted.add(perm[0])
        group.permissions.set(wanted)
