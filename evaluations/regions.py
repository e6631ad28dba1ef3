"""Which region a request, a job or a command works in, and who may read which regions.

A region's people (operators through their agency, coordinators, admins and leaders through
RegionStaff) always work in their own region. Those above the regions read them: the ministry
every region, a province reader the regions of its province, the superuser every region; they
choose the region they look at with `?wilayah=<code>` (kept in the session), and with a single
region in the deployment it is chosen for them, so a one-region installation never asks.

The scope is set once per request (RegionScopeMiddleware), per job (tasks.run_job) and per
command (`in_region`); region-owned models' managers (models.regions.region_scoped) then filter by
it, and a query outside any scope raises django_scopes.ScopeError.
"""

import contextlib

from django.urls import reverse
from django_scopes.state import state

from .models import Region
from .permissions import VIEW_NATIONAL, VIEW_PROVINCE

SESSION_KEY = "wilayah"
# Scope values: None reads every region, [] none of them.
EVERY_REGION = None
NO_REGION = []


@contextlib.contextmanager
def region_scope(value):
    """Run in exactly this scope (a region id, a list of ids, EVERY_REGION), whatever scope the
    caller was in: a request's region never inherits a test's or a worker's."""
    token = state.set({"_enabled": True, "region": value})
    try:
        yield
    finally:
        state.reset(token)


@contextlib.contextmanager
def no_region():
    """Run with no region in force: every query on a region's data fails (anonymous requests)."""
    token = state.set({"_enabled": True})
    try:
        yield
    finally:
        state.reset(token)


def in_region(region):
    """A command's or a job's scope: one region, or every region for None."""
    return region_scope(EVERY_REGION if region is None else getattr(region, "pk", region))


def home_region(user):
    """The region a user works for (operators through their agency), or None for the ministry,
    the superuser and users of no region. Remembered on the user object, with the user's agency
    (AgencyMember.objects.agency_of). The signed-in user comes with both (roles.PermissionBackend):
    no query then."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_home_region"):
        member = getattr(user, "agency_member", None)
        staff = getattr(user, "region_staff", None)
        user._agency_cache = member.agency if member else None
        user._home_region = member.agency.region if member else (staff.region if staff else None)
    return user._home_region


def is_above_regions(user):
    """Reads regions it does not belong to: the ministry, a province reader, the superuser."""
    return user.is_superuser or user.has_perm(VIEW_NATIONAL) or user.has_perm(VIEW_PROVINCE)


def readable_regions(user):
    """The evaluated regions a user may read, as a queryset."""
    regions = Region.objects.evaluated()
    if user.is_superuser or user.has_perm(VIEW_NATIONAL):
        return regions
    home = home_region(user)
    if home is None:
        return regions.none()
    if home.is_province and user.has_perm(VIEW_PROVINCE):
        return regions.filter(province=home)
    return regions.filter(pk=home.pk)


def overview_url(user):
    """Where those above the regions see them side by side: /nasional/ for the ministry and the
    superuser, /provinsi/<kode>/ for a province reader; None for a region's people."""
    if user.is_superuser or user.has_perm(VIEW_NATIONAL):
        return reverse("evaluations:national_index")
    home = home_region(user)
    if home is not None and home.is_province and user.has_perm(VIEW_PROVINCE):
        return reverse("evaluations:national_province", args=[home.code])
    return None


def single_region():
    """The deployment's only evaluated region, or None when there are several."""
    regions = list(Region.objects.evaluated()[:2])
    return regions[0] if len(regions) == 1 else None


def chosen_region(request):
    """The region the request works in: the user's own; for those above the regions the one they
    chose (?wilayah=, then the session), or the only one; None when none is chosen."""
    user = request.user
    home = home_region(user)
    if home is not None and not home.is_province:
        return home
    if not is_above_regions(user):
        # With one region, everyone works in it (a user the admin made without a region too).
        return single_region() if home is None else None
    asked = request.GET.get(SESSION_KEY) or request.session.get(SESSION_KEY)
    if asked:
        region = readable_regions(user).filter(code=asked).first()
        if region is not None:
            request.session[SESSION_KEY] = region.code
            return region
        request.session.pop(SESSION_KEY, None)
    return single_region()


class RegionScopeMiddleware:
    """Every request runs in its region's scope (request.region); a signed-in user with none
    chosen sees no region's data, except the superuser in the Django admin, who sees them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            request.region = None
            with no_region():
                return self.get_response(request)
        request.region = chosen_region(request)
        if request.region is not None:
            value = request.region.pk
        elif request.user.is_superuser:
            value = EVERY_REGION
        else:
            value = NO_REGION
        with region_scope(value):
            return self.get_response(request)
