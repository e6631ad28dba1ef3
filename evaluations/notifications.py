"""Telling people what happened: who hears of which event, the in-app notice (the bell and
/notifikasi/) and the e-mail that goes with it.

- a submission sent for verification: the coordinators (and admins); when the period has a review
  plan, the reviewers it gives answers of this submission hear of their part instead (the answers
  handed in, or the agency's replies to their revision marks);
- a submission approved by one coordinator in a period with a second sign-off: the other
  coordinators, one of whom confirms it;
- a submission returned, approved or reopened: the agency's operators;
- a quick win established or rejected, its completion confirmed or declined: the owning agency's
  operators;
- a quick win proposed (or proposed again), its completion requested: the coordinators.

Nobody is told of their own action (an admin who submits on an agency's behalf is not notified of
it). Everyone gets the notice; those with an e-mail address also get an e-mail, in Indonesian, with
the absolute link. The views call submission_changed / quick_win_changed after a successful
transition. The e-mails are a job (its Job row written beside the notices, run by
tasks.send_notification_emails), queued through the seam evaluations.jobs only once the
transaction that wrote the notices commits, so a rollback sends nothing and the request never
waits for the mail server. A failing mail server is logged and fails the job, never the
transition (Django's SMTP backend gives up after EMAIL_TIMEOUT seconds). Each notice's e-mail is
claimed (Notification.emailed_at) just before it goes, so a job run again sends nothing twice.
"""

import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import jobs, roles
from .models import AgencyMember, Job, Notification, QuickWin, Submission
from .models.review_plan import QUEUE_REPLIED, QUEUE_UNVERIFIED, replied_answers, reviewers_told_of

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
    QuickWin.Status.ESTABLISHED: Kind.QUICK_WIN_ESTABLISHED,
    QuickWin.Status.REJECTED: Kind.QUICK_WIN_REJECTED,
    QuickWin.Status.PROPOSED: Kind.QUICK_WIN_PROPOSED,
    QuickWin.Status.COMPLETED: Kind.QUICK_WIN_COMPLETED,
}
# Who acts next: the coordinators decide on these, the agency hears of the rest.
FOR_COORDINATORS = {Kind.QUICK_WIN_PROPOSED, Kind.QUICK_WIN_COMPLETION_REQUESTED}


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
    if submission.is_awaiting_second_signoff():
        kind = Kind.AWAITING_SECOND_SIGNOFF
        params["approver"] = submission.approved_by.get_full_name() or submission.approved_by.username
    if kind in (Kind.SUBMITTED, Kind.AWAITING_SECOND_SIGNOFF):
        recipients = roles.coordinators(submission.period.region_id)
        link = reverse("evaluations:review_submission", args=[submission.pk])
        told = reviewers_told_of(submission)
        if told:
            # The plan's reviewers hear of their own part instead (one notice each, not two).
            recipients = [user for user in recipients if user not in told]
            tell_reviewers(submission, told, by)
    else:
        recipients = operators_of(submission.agency)
        link = reverse("evaluations:answering_submission", args=[submission.pk])
    if kind == Kind.RETURNED:
        params["marked"] = marked_answers(submission)
    notify(recipients, kind, params, link, note=note, exclude=by, region_id=submission.period.region_id)


def tell_reviewers(submission, told, by):
    """Each reviewer of the plan whose answers a submission just handed in: of the agency's replies
    to their revision marks when there are any (a submission sent again), else of the answers
    waiting on them; the link opens their queue at that agency. One query (the replied answers)."""
    region_id = submission.period.region_id
    replied = set()
    if submission.returned_at is not None:
        replied = set(replied_answers(submission).values_list("pk", flat=True))
    for reviewer, answers in told.items():
        theirs = [answer for answer in answers if answer.pk in replied]
        kind = Kind.REVIEW_REPLIED if theirs else Kind.REVIEW_SUBMITTED
        shown = theirs or answers
        pillars = sorted({answer.question.pillar.code if answer.question.pillar_id else "–" for answer in shown})
        params = {
            "agency": submission.agency.name,
            "period": submission.period.name,
            "n": len(shown),
            "pillars": ", ".join(pillars),
        }
        state = QUEUE_REPLIED if theirs else QUEUE_UNVERIFIED
        link = reverse("evaluations:review_plan_queue") + (
            f"?periode={submission.period_id}&opd={submission.agency_id}&status={state}"
        )
        notify([reviewer], kind, params, link, exclude=by, region_id=region_id)


def marked_answers(submission):
    """Each answer sent back for revision, as the notice and the e-mail name it: its code, its
    question, the coordinator's note and the link to it in the agency's section page (the notice
    keeps them as they were when it was sent). One query."""
    return [
        {
            "code": answer.question.code,
            "question": answer.question.text[:200],
            "note": answer.revision_note,
            "link": reverse("evaluations:answering_section", args=[submission.pk, answer.review_key])
            + f"#q-{answer.question_id}",
        }
        for answer in submission.marked_answers()
    ]


def quick_win_changed(quick_win, by, note="", kind=None):
    """After a quick win's transition (or `kind`: a completion requested or declined, which leaves
    the status as it was): the coordinators hear of a proposal and a completion request, the agency
    of a decision."""
    kind = kind or QUICK_WIN_KINDS.get(quick_win.status)
    if kind is None:
        return
    params = {"name": quick_win.name, "agency": quick_win.agency.name, "period": quick_win.period.name}
    link = reverse("evaluations:quickwins_detail", args=[quick_win.pk])
    region_id = quick_win.agency.region_id
    recipients = roles.coordinators(region_id) if kind in FOR_COORDINATORS else operators_of(quick_win.agency)
    notify(recipients, kind, params, link, note=note, exclude=by, region_id=region_id)


@transaction.atomic
def notify(recipients, kind, params, link, note="", exclude=None, *, region_id):
    """A notice for each recipient but `exclude` about the work of region `region_id`, and a job
    that e-mails those with an address, queued once the surrounding transaction commits."""
    users = [user for user in recipients if user != exclude]
    notices = Notification.objects.bulk_create(
        Notification(recipient=user, region_id=region_id, kind=kind, params=params, note=note, link=link)
        for user in users
    )
    _queue_emails(notices, exclude, region_id)


def _queue_emails(notices, user=None, region_id=None):
    """The job that e-mails these notices (those whose recipient has an address), written in the
    transaction of the notices and queued once it commits."""
    ids = [notice.pk for notice in notices if notice.recipient.email]
    if not ids:
        return None
    job = Job.objects.create(
        kind=Job.Kind.NOTIFICATION_EMAILS,
        key=uuid.uuid4().hex,
        region_id=region_id,
        requested_by=user,
        parameters={"notices": ids},
    )
    jobs.enqueue_on_commit(job)
    return job


def _email(user, kind, params, link, note):
    notice = Notification(kind=kind, params=params)
    # E-mail has no request to build an absolute address from; SITE_URL says where the app is.
    site = settings.SITE_URL.rstrip("/") if settings.SITE_URL else ""
    context = {
        "user": user,
        "message": notice.message,
        "note": note,
        "url": site + link if site else "",
        "marked": [{**item, "url": site + item["link"] if site else ""} for item in params.get("marked", [])],
    }
    subject = _("Evaluasi Smart City: %(what)s") % {"what": notice.get_kind_display()}
    body = render_to_string("email/notification.txt", context)
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])


def send_emails(notice_ids, progress=None):
    """E-mail these notices (the job's work), in one connection, each once: a notice is claimed
    just before its message goes, and released if the server refuses it. Returns (sent, failed).
    A mail server that fails or does not answer is logged, not raised."""
    notices = list(
        Notification.objects.filter(pk__in=notice_ids, emailed_at=None)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )
    if not notices:
        return 0, 0
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # noqa: BLE001  (any mail server failure: logged, the transition stands)
        logger.exception("E-mail pemberitahuan gagal dikirim ke %s", ", ".join(n.recipient.email for n in notices))
        return 0, len(notices)
    sent = 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for done, notice in enumerate(notices):
                if progress:
                    progress(done, len(notices), "")
                if not notice.claim_email():
                    continue  # an earlier run of the job sent it
                message = _email(notice.recipient, notice.kind, notice.params, notice.link, notice.note)
                try:
                    connection.send_messages([message])
                except Exception:  # noqa: BLE001  (any mail server failure: logged, the transition stands)
                    notice.release_email()
                    unsent = [n.recipient.email for n in notices[done:]]
                    logger.exception("E-mail pemberitahuan gagal dikirim ke %s", ", ".join(unsent))
                    return sent, len(unsent)
                sent += 1
    finally:
        connection.close()
    return sent, 0
