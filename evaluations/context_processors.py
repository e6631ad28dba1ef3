from . import regions, roles


def navigation(request):
    """What the header needs to show the right menu for the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "agency": roles.agency_of(user),
            "is_operator": roles.is_operator(user),
            "is_coordinator": roles.is_coordinator(user),
            "is_admin": roles.is_admin(user),
            "is_leader": roles.is_leader(user),
            "may_review": roles.may_have_review_queue(user),
            "can_view_all": roles.can_view_all(user),
            "role": roles.role_label(user),
            # Above the regions: the way back to every region, and the region being read.
            "overview_url": regions.overview_url(user) if regions.is_above_regions(user) else None,
            "region": getattr(request, "region", None),
        }
    }
