"""Everyone's notices: the list behind the bell in the header, and marking them read.

A notice belongs to its recipient alone (access.get_notification_for_user: anyone else 404)."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import access, notifications
from ..models import Notification

PER_PAGE = 20


def index(request):
    """The user's notices, newest first, 20 a page (a fixed number of queries: the count, the page)."""
    page = Paginator(Notification.objects.for_user(request.user), PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "evaluations/notifications/index.html",
        {"page": page, "unread": notifications.unread_count(request)},
    )


def _back_to_list(request):
    url = reverse("evaluations:notifications_index")
    page = request.POST.get("halaman", "")
    return redirect(f"{url}?halaman={page}" if page.isdigit() else url)


@require_POST
def read(request, pk):
    """Mark one notice read; with "buka", go on to what it is about."""
    notice = access.get_notification_for_user(request.user, pk)
    Notification.objects.filter(pk=notice.pk).mark_read()
    if "buka" in request.POST and url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None):
        return redirect(notice.link)
    return _back_to_list(request)


@require_POST
def read_all(request):
    Notification.objects.for_user(request.user).mark_read()
    return _back_to_list(request)
