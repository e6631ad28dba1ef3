"""Telling people what happened: who hears of which event, the in-app notice (the bell and
/notifikasi/) and the e-mail that goes with it.

- a submission sent for verification: the coordinators (and admins);
- a submission returned, approved or reopened: the agency's operators;
- a quick win set or rejected: the owning agency's operators.

Nobody is told of their own action (an admin who submits on an agency's behalf is not notified of
it). Everyone gets the notice; those with an e-mail address also get an e-mail, in Indonesian, with
the absolute link. The views call submission_changed / quick_win_changed after a successful
transition. E-mail leaves only once the transaction that wrote the notices commits, so a rollback
sends nothing, and a failing mail server is logged, never raised: the transition has happened
whatever the SMTP server answers (Django's SMTP backend gives up after EMAIL_TIMEOUT seconds).
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import roles
from .models import AgencyMember, Notification, QuickWin, Submission

logger = logging.getLogger(__name__)

Kind = Notification.Kind
SUBMISSION_KINDS = {
    Submission.Status.SUBMITTED: Kind.SUBMITTED,
    Submission.Status.RETURNED: Kind.RETURNED,
    Submission.Status.APPROVED: Kind.APPROVED,
    # Only reopening brings a submission back to draft.
    Submission.Status.DRAFT: Kind.REOPENED,
}
QUICK_WIN_KINDS = {
    QuickWin.Status.DITETAPKAN: Kind.QUICK_WIN_SET,
    QuickWin.Status.DITOLAK: Kind.QUICK_WIN_REJECTED,
}


def unread_count(request):
    """The signed-in user's unread notices: one query per request, shared by the bell in the
    header and the page that lists them."""
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = Notification.objects.for_user(request.user).unread().count()
    return request._unread_notifications


def operators_of(agency):
    members = AgencyMember.objects.filter(agency=agency, user__is_active=True).select_related("user")
    return [member.user for member in members]


def submission_changed(submission, by, note=""):
    """After submit, return, approve or reopen: tell those who act next."""
    kind = SUBMISSION_KINDS[submission.status]
    params = {"agency": submission.agency.name, "period": submission.period.name}
    if kind == Kind.SUBMITTED:
        recipients = roles.coordinators()
        link = reverse("evaluations:review_submission", args=[submission.pk])
    else:
        recipients = operators_of(submission.agency)
        link = reverse("evaluations:answering_submission", args=[submission.pk])
    notify(recipients, kind, params, link, note=note, exclude=by)


def quick_win_changed(quick_win, by, note=""):
    """After a quick win's transition: its agency hears when it was set or rejected."""
    kind = QUICK_WIN_KINDS.get(quick_win.status)
    if kind is None:
        return
    params = {"name": quick_win.name, "agency": quick_win.agency.name, "period": quick_win.period.name}
    link = reverse("evaluations:quickwins_detail", args=[quick_win.pk])
    notify(operators_of(quick_win.agency), kind, params, link, note=note, exclude=by)


@transaction.atomic
def notify(recipients, kind, params, link, note="", exclude=None):
    """A notice for each recipient but `exclude`, and an e-mail to those with an address, sent
    once the surrounding transaction commits."""
    users = [user for user in recipients if user != exclude]
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, params=params, note=note, link=link) for user in users
    )
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_email(user, kind, params, link, note) for user in users if user.email]
    if messages:
        transaction.on_commit(partial(send, messages))


def _email(user, kind, params, link, note):
    notice = Notification(kind=kind, params=params)
    context = {
        "user": user,
        "message": notice.message,
        "note": note,
        # E-mail has no request to build an absolute address from; SITE_URL says where the app is.
        "url": settings.SITE_URL.rstrip("/") + link if settings.SITE_URL else "",
    }
    subject = _("Evaluasi Smart City: %(what)s") % {"what": notice.get_kind_display()}
    body = render_to_string("email/notification.txt", context)
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])


def send(messages):
    """Send in one connection; a mail server that fails or does not answer is logged, not raised."""
    try:
        get_connection().send_messages(messages)
    except Exception:  # noqa: BLE001  (any mail server failure: logged, the transition stands)
        logger.exception("E-mail pemberitahuan gagal dikirim ke %s", ", ".join(m.to[0] for m in messages))
