"""Roles are Django groups (created by data migrations) holding permissions. This module is the one
place that knows the group names and which permissions each group holds (the permissions' names
are in permissions.py); the predicates below ask for permissions (never group names), exactly as
the models do with user.has_perm.
"""

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AgencyMember, Region
from .permissions import (
    FILL,
    MANAGE,
    MANAGE_NATIONAL,
    REOPEN,
    REVIEW,
    REVIEW_ASSIGNED,
    VIEW_ALL,
    VIEW_NATIONAL,
    VIEW_PROVINCE,
    codename,
)

OPERATOR = "Operator OPD"
COORDINATOR = "Koordinator"
ADMIN = "Admin"
LEADER = "Pimpinan"
# People of a lead agency who review the answers a period's review plan gives them (models/review.py).
REVIEWER = "Peninjau"
# Above the regions (evaluations.regions): they read regions, never write in one.
MINISTRY = "Kementerian"
PROVINCE = "Provinsi"

ROLE_LABELS = {
    OPERATOR: _("Operator OPD"),
    COORDINATOR: _("Koordinator"),
    ADMIN: _("Admin"),
    LEADER: _("Pimpinan"),
    REVIEWER: _("Peninjau"),
    MINISTRY: _("Kementerian"),
    PROVINCE: _("Provinsi"),
}
# What only the superuser manages (regions and who works for them) and the ministry's national
# periods: never granted by a region role's "every evaluations model" rule.
ABOVE_REGION_MODELS = {"region", "regionstaff", "nationalperiod"}


def is_admin(user):
    return user.has_perm(MANAGE)


def may_manage_national(user):
    """Creates periods and changes the instrument, which every region shares: the ministry, or the
    admin of a deployment with a single region (who is its own ministry)."""
    if user.has_perm(MANAGE_NATIONAL):
        return True
    return is_admin(user) and Region.objects.evaluated().count() == 1


def is_coordinator(user):
    """Coordinators review and act; admins can do everything a coordinator can."""
    return user.has_perm(REVIEW)


def is_plan_reviewer(user):
    """Given the reviewer role: reviews what the review plan gives them, sees nothing else of other
    agencies (coordinators review by is_coordinator)."""
    return user.has_perm(REVIEW_ASSIGNED) and not user.has_perm(REVIEW)


def may_have_review_queue(user):
    """Coordinators and the reviewer role: those a review plan may name."""
    return user.has_perm(REVIEW) or user.has_perm(REVIEW_ASSIGNED)


def can_view_all(user):
    """Sees every agency's data (read-only for leaders)."""
    return user.has_perm(VIEW_ALL)


def is_leader(user):
    return can_view_all(user) and not is_coordinator(user)


def agency_of(user):
    """The agency an operator works for, or None."""
    return AgencyMember.objects.agency_of(user)


def is_operator(user):
    return user.has_perm(FILL) and agency_of(user) is not None


def coordinators(region_id):
    """The active users who review the submissions of region `region_id` (its coordinators and
    admins), as is_coordinator decides it: by the permission, whether held through a group or
    directly. With a single region, those the admin made without a region and the superusers too."""
    perm = Permission.objects.filter(content_type__app_label="evaluations", codename=codename(REVIEW))
    of_region = Q(region_staff__region_id=region_id)
    if Region.objects.evaluated().count() == 1:
        of_region |= Q(region_staff__isnull=True, agency_member__isnull=True)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .filter(of_region)
        .distinct()
    )


def reviewers(region_id):
    """The active users a review plan of region `region_id` may name: its coordinators and admins
    (coordinators()), and the people of its agencies given the reviewer role."""
    perm = Permission.objects.filter(content_type__app_label="evaluations", codename=codename(REVIEW_ASSIGNED))
    given = (
        get_user_model()
        .objects.filter(is_active=True, agency_member__agency__region_id=region_id)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=coordinators(region_id).values("pk")) | Q(pk__in=given.values("pk")))
        .select_related("agency_member__agency")
        .order_by("username")
    )


def role_label(user):
    if user.has_perm(MANAGE_NATIONAL):
        return ROLE_LABELS[MINISTRY]
    if user.has_perm(VIEW_PROVINCE):
        return ROLE_LABELS[PROVINCE]
    if is_admin(user):
        return ROLE_LABELS[ADMIN]
    if is_coordinator(user):
        return ROLE_LABELS[COORDINATOR]
    if is_leader(user):
        return ROLE_LABELS[LEADER]
    if is_plan_reviewer(user):
        return ROLE_LABELS[REVIEWER]
    if user.has_perm(FILL):
        return ROLE_LABELS[OPERATOR]
    return ""


class PermissionBackend(ModelBackend):
    """Django's ModelBackend with a user's own and group permissions read in one query instead of
    two: every page asks who the user is, so a page's role checks cost one query. The signed-in
    user is read with their agency and region (evaluations.regions.home_region) in the same query."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("agency_member__agency__region", "region_staff__region")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = perms.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in perms.values_list("content_type__app_label", "codename")
            }
        return user_obj._perm_cache


# Permissions of each role, as (app_label, model or "*", actions): an action is a default
# permission's verb (view, add, change, delete) or the codename of a permission a model declares.
# Kept as data so that the data migrations and the post_migrate hook (which covers models added
# later) apply the same rules.
ROLE_PERMISSIONS = {
    OPERATOR: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "answer", ["add", "change"]),
        ("evaluations", "evidence", ["add", "change"]),
        ("evaluations", "submission", ["change", codename(FILL)]),
        ("evaluations", "quickwin", ["add", "change"]),
        ("evaluations", "datasetupload", ["add"]),
    ],
    COORDINATOR: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "agency", [codename(VIEW_ALL)]),
        ("evaluations", "submission", ["change", codename(REVIEW)]),
        ("evaluations", "answer", ["change"]),
        ("evaluations", "reviewcomment", ["add", "change"]),
        ("evaluations", "quickwin", ["add", "change"]),
        ("evaluations", "datasetupload", ["delete"]),
    ],
    ADMIN: [
        ("pillars", "*", ["view", "add", "change", "delete"]),
        ("evaluations", "*", ["view", "add", "change", "delete"]),
        ("evaluations", "agency", [codename(VIEW_ALL)]),
        ("evaluations", "submission", [codename(REVIEW), codename(REOPEN)]),
        ("evaluations", "evaluationperiod", [codename(MANAGE)]),
        ("auth", "user", ["view", "add", "change"]),
        ("auth", "group", ["view"]),
    ],
    LEADER: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "agency", [codename(VIEW_ALL)]),
    ],
    # Reads what operators read; reviews only what the period's review plan gives them.
    REVIEWER: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "reviewassignment", [codename(REVIEW_ASSIGNED)]),
        ("evaluations", "answer", ["change"]),
        ("evaluations", "reviewcomment", ["add"]),
    ],
    # In a region they choose, they read what its leaders read.
    MINISTRY: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "agency", [codename(VIEW_ALL)]),
        ("evaluations", "region", [codename(VIEW_NATIONAL), codename(MANAGE_NATIONAL)]),
    ],
    PROVINCE: [
        ("pillars", "*", ["view"]),
        ("evaluations", "*", ["view"]),
        ("evaluations", "agency", [codename(VIEW_ALL)]),
        ("evaluations", "region", [codename(VIEW_PROVINCE)]),
    ],
}


def sync_role_groups(apps=global_apps):
    """Create the role groups and give them exactly the permissions above."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, rules in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = set()
        for app_label, model, actions in rules:
            perms = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                perms = perms.filter(content_type__model=model)
            else:
                perms = perms.exclude(content_type__model__in=ABOVE_REGION_MODELS)
            for pk, name, model_name in perms.values_list("id", "codename", "content_type__model"):
                if name in actions or any(name == f"{action}_{model_name}" for action in actions):
                    wanted.add(pk)
        group.permissions.set(wanted)


def sync_after_migrate(sender, **kwargs):
    """The post_migrate receiver (EvaluationsConfig.ready): sync the groups with the permissions
    of the models as they are now."""
    sync_role_groups()


def migrate_role_groups(apps, schema_editor):
    """For data migrations: create the permissions of the models as they are at this migration
    (Django normally creates them only after all migrations), then sync the groups."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps)
