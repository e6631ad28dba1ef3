"""The quick-win use cases that write several rows, each in one transaction: proposing one (the
quick win, its supporting agencies, its first history row), saving an edit with the old and new value
of every field, carrying one into a later period, and the owning agency's report of achievement and
completion request (each with its evidence file).

The single-row transitions (establish, reject, resubmit, move_status, the completion decision) and
the rules of who may do what stay on the QuickWin model (models/quickwins.py); these functions check
the same rules through it. Like the transitions, each first locks the quick win's row and reads it
again, so that of two people acting on it at the same moment the second waits and is then told what
happened.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .formats import format_percent
from .models import QuickWin, QuickWinChange, QuickWinEvidence, QuickWinFieldChange, QuickWinReport, TransitionError
from .models.audit import history_fields, value_text
from .permissions import REVIEW


def _stored_percent(value):
    """A percentage written into a history note: stored text, so in Indonesian like every stored
    note, in the format the page shows (60,50)."""
    with translation.override("id"):
        return format_percent(value)


@transaction.atomic
def propose(by, supporting_agencies=(), **fields):
    """An operator proposes for their own agency (a coordinator for any agency)."""
    quick_win = QuickWin(created_by=by, status=QuickWin.Status.PROPOSED, **fields)
    if not by.has_perm(REVIEW):
        if not quick_win.is_owned_by(by):
            raise PermissionDenied
        quick_win.check_period_open()
    quick_win.save()
    quick_win.supporting_agencies.set(supporting_agencies)
    quick_win.record(by, QuickWinChange.Kind.CREATED)
    return quick_win


@transaction.atomic
def save_edit(quick_win, by, supporting_agencies=None):
    """Save a form edit (`quick_win`, changed in memory, and the supporting agencies) and record
    the old and new value of every field that changed, together."""
    # This copy holds the edit, so the row is locked and read into another one: the old values.
    before = QuickWin.objects.select_for_update(no_key=True).get(pk=quick_win.pk)
    if before.status != quick_win.status:
        raise quick_win.already_processed(before.status)
    if not quick_win.can_edit(by):
        raise PermissionDenied
    changes = []
    for field in history_fields(QuickWin, excluded=QuickWin.NOT_EDITED):
        if field.many_to_many:
            if supporting_agencies is None:
                continue
            old = value_text(before, field)
            new = ", ".join(sorted(str(agency) for agency in supporting_agencies))
        else:
            old, new = value_text(before, field), value_text(quick_win, field)
        if old != new:
            changes.append(QuickWinFieldChange(field=field.name, old_value=old, new_value=new))
    quick_win.save()
    if supporting_agencies is not None:
        quick_win.supporting_agencies.set(supporting_agencies)
    if changes:
        labels = [str(capfirst(QuickWin._meta.get_field(c.field).verbose_name)) for c in changes]
        change = quick_win.record(by, QuickWinChange.Kind.EDITED, quick_win.status, fields=labels)
        for field_change in changes:
            field_change.change = change
        QuickWinFieldChange.objects.bulk_create(changes)


# The fields a continuation does not copy: its own identity, place and life cycle.
NOT_CONTINUED = {"id", "period", "status", "status_note", "continued_from", "created_by", "created_at", "updated_at"}


@transaction.atomic
def continue_into(quick_win, period, by):
    """Carry `quick_win` into `period` as "dilanjutkan", in one action: a copy of its fields and
    supporting agencies, linked to it, with its own history."""
    if not (by.has_perm(REVIEW) or quick_win.is_owned_by(by)):
        raise PermissionDenied
    # Two people continuing it at once: the second sees the first's copy below.
    quick_win.lock()
    if not quick_win.can_continue_into(period, by):
        raise TransitionError(_("Quick win ini tidak dapat dilanjutkan ke periode tersebut."))
    if QuickWin.objects.filter(period=period, continued_from=quick_win).exists():
        raise TransitionError(_("Quick win ini sudah dilanjutkan ke periode %(period)s.") % {"period": period})
    copied = {
        f.name: getattr(quick_win, f.name) for f in quick_win._meta.concrete_fields if f.name not in NOT_CONTINUED
    }
    copied.update(achievement_pct=None, assessor_notes="", is_new=False, completed_on=None, completion_note="")
    copied.pop("completion_requested_at")
    new = QuickWin.objects.create(
        period=period, status=QuickWin.Status.CONTINUED, continued_from=quick_win, created_by=by, **copied
    )
    new.supporting_agencies.set(quick_win.supporting_agencies.all())
    new.record(by, QuickWinChange.Kind.CONTINUED, note=str(quick_win.period))
    return new


@transaction.atomic
def report(quick_win, by, achievement_pct, reported_on, note, evidence_file=None, evidence_title=""):
    """The owning agency reports its achievement: one report kept in the history; the quick win's
    Capaian becomes that of its latest report (by date, a late entry for an earlier day does not
    lower it)."""
    if not quick_win.is_owned_by(by):
        raise PermissionDenied
    quick_win.lock_and_refresh()
    if not quick_win.is_under_way():
        raise TransitionError(
            _("Capaian hanya dapat dilaporkan untuk quick win yang sudah ditetapkan dan masih berjalan.")
        )
    evidence = None
    if evidence_file is not None:
        evidence = QuickWinEvidence(quick_win=quick_win, title=evidence_title, uploaded_by=by)
        evidence.take(evidence_file)
        evidence.save()
    added = QuickWinReport.objects.create(
        quick_win=quick_win,
        achievement_pct=achievement_pct,
        reported_on=reported_on,
        note=note.strip(),
        evidence=evidence,
        reported_by=by,
    )
    latest = quick_win.reports.order_by("-reported_on", "-pk").values_list("achievement_pct", flat=True).first()
    quick_win.achievement_pct = latest
    quick_win.save(update_fields=["achievement_pct", "updated_at"])
    quick_win.record(
        by,
        QuickWinChange.Kind.REPORT,
        quick_win.status,
        note=f"{_stored_percent(added.achievement_pct)}% · {added.note}",
    )
    return added


@transaction.atomic
def request_completion(quick_win, by, completed_on, note, evidence_file, evidence_title):
    """The owning agency asks for the quick win to be marked completed, with the date it finished
    and its final evidence; a coordinator then confirms or declines (QuickWin.confirm_completion,
    QuickWin.decline_completion)."""
    if not quick_win.is_owned_by(by):
        raise PermissionDenied
    quick_win.lock_and_refresh()
    if not quick_win.is_under_way():
        raise TransitionError(_("Hanya quick win yang sedang berjalan yang dapat diajukan selesai."))
    if quick_win.has_completion_request():
        raise TransitionError(_("Penyelesaian quick win ini sudah diajukan dan menunggu keputusan koordinator."))
    evidence = QuickWinEvidence(quick_win=quick_win, title=evidence_title, uploaded_by=by, final=True)
    evidence.take(evidence_file)
    evidence.save()
    quick_win.completed_on = completed_on
    quick_win.completion_note = (note or "").strip()
    quick_win.completion_requested_at = timezone.now()
    quick_win.save(update_fields=["completed_on", "completion_note", "completion_requested_at", "updated_at"])
    quick_win.record(by, QuickWinChange.Kind.COMPLETION_REQUESTED, quick_win.status, note=quick_win.completion_note)
