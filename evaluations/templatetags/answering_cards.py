"""`{% question_card form answer can_edit %}`: one question's card on the section page, in Python.

The section page repeats the card for every question of its section; through the template
engine each card cost some forty tag and variable lookups on top of its fields. This tag writes
the markup the template wrote (its fields through `|as_field`, the agency's replies through
`_replies.html`, which the review page shares); our own texts are written as they are, as the
template's translate tags wrote them, and everything else is escaped. tests/test_answering_cards.py renders cards in
every state both ways (the template it replaced is kept in tests/reference/) and compares them.
"""

from django import template
from django.template.defaultfilters import date, filesizeformat, floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from .form_fields import as_field

register = template.Library()

WHEN = "j M Y H:i"


def _when(value):
    """`value|date:"j M Y H:i"` in the current time zone, as the template wrote it."""
    return escape(date(template_localtime(value), WHEN))


def _badge(css, text):
    return f'<span class="badge {css}">{text}</span>'


def _person(user):
    """`user.get_full_name|default:user.username`; nothing for a deleted user."""
    return escape((user.get_full_name() or user.username) if user else "")


@register.simple_tag
def question_card(form, answer, can_edit):
    question = form.question
    evidence = getattr(answer, "live_evidence", None) if answer is not None else None
    parts = [_opening(question, answer), _notes(form, answer)]
    if "reply" in form.fields:
        parts.append(as_field(form["reply"]))
    parts.append(_conflict(form))
    if form.non_field_errors():
        parts.append(f'<div class="alert alert-danger small">{form.non_field_errors()}</div>')
    parts.append(as_field(form["value"]))
    parts.append(as_field(form["explanation"]))
    parts.append(_evidence(form, question, evidence, can_edit))
    parts.append(as_field(form["version"]) + as_field(form["seen"]))
    if can_edit and answer is not None and answer.carried_forward:
        confirm = _("Konfirmasi: jawaban masih berlaku")
        parts.append(
            f'<button type="submit" name="konfirmasi" value="{question.pk}" class="btn btn-sm btn-info">'
            f"{confirm}</button>"
        )
    if answer is not None and answer.updated_by:
        changed = _("Terakhir diubah oleh %(who)s, %(at)s.") % {
            "who": _person(answer.updated_by),
            "at": _when(answer.updated_at),
        }
        parts.append(f'<p class="small text-muted mb-0 mt-2">{changed}</p>')
    parts.append("</fieldset></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped where it is written


def _opening(question, answer):
    """The card's frame, the question and its badges, the help text."""
    answered = answer is not None and answer.is_answered
    if answer is not None and answer.needs_revision:
        state = " question-revision"
    elif answer is not None and answer.carried_forward:
        state = " question-carried"
    elif not answered:
        state = " question-unanswered"
    else:
        state = ""
    badges = []
    if question.required:
        badges.append(_badge("text-bg-light border", _("Wajib")))
    if question.evidence_required:
        badges.append(_badge("text-bg-light border", _("Wajib bukti dukung")))
    if not answered:
        badges.append(_badge("text-bg-warning", _("Belum dijawab")))
    if answer is not None and answer.carried_forward:
        badges.append(_badge("text-bg-info", _("dari periode sebelumnya")))
    if answer is not None and answer.needs_revision:
        badges.append(_badge("text-bg-danger", _("Perlu perbaikan")))
    if answer is not None and answer.self_score is not None:
        score = floatformat(answer.self_score, "-2")
        label = _("Skor mandiri")
        badges.append(_badge("text-bg-secondary", f"{label}: {score}"))
    help_text = f'<p class="small text-muted">{escape(question.help_text)}</p>' if question.help_text else ""
    return (
        f'<div id="q-{question.pk}" class="card mb-3 question-card{state}"><fieldset class="card-body">'
        f'<legend class="h6 mb-2"><span class="text-muted">{escape(question.code)}</span> {escape(question.text)}'
        f'</legend><p class="mb-2 d-flex flex-wrap gap-1">{"".join(badges)}</p>{help_text}'
    )


def _notes(form, answer):
    """The coordinator's revision note and comments, then the agency's replies."""
    if answer is None:
        return ""
    parts = []
    comments = getattr(answer, "agency_comments", None)
    if answer.needs_revision or comments:
        title = _("Catatan koordinator")
        parts.append(f'<div class="alert alert-danger py-2 small" role="note"><strong>{title}:</strong>')
        if answer.revision_note:
            parts.append(f'<p class="mb-1 text-prewrap">{escape(answer.revision_note)}</p>')
        for comment in comments or ():
            parts.append(
                f'<p class="mb-1"><span class="text-prewrap">{escape(comment.body)}</span> '
                f'<span class="text-muted">— {_person(comment.author)}, {_when(comment.created_at)}</span></p>'
            )
        parts.append("</div>")
    replies = getattr(answer, "revision_replies", None)
    if replies:
        parts.append(render_to_string("evaluations/answering/_replies.html", {"replies": replies}))
    return "".join(parts)


def _conflict(form):
    """What a colleague saved meanwhile, when this save was refused for it (views.answering)."""
    conflict = getattr(form, "conflict", None)
    if not conflict:
        return ""
    saved = _("%(who)s menyimpan jawaban ini pada %(at)s:") % {
        "who": escape(conflict["who"]),
        "at": _when(conflict["at"]),
    }
    answer_label, explanation_label = _("Jawaban"), _("Penjelasan")
    explanation = (
        f'<span class="d-block">{explanation_label}: {escape(conflict["explanation"])}</span>'
        if conflict["explanation"]
        else ""
    )
    unsaved = _(
        "Isian Anda di bawah belum disimpan. Simpan lagi untuk menggantinya, atau muat ulang halaman untuk "
        "memakai jawaban tersebut."
    )
    return (
        f'<div class="alert alert-warning small" role="alert"><strong>{saved}</strong>'
        f'<span class="d-block">{answer_label}: <span class="conflict-value">{escape(conflict["value"])}'
        f"</span></span>{explanation}"
        f'<span class="d-block mt-1">{unsaved}</span></div>'
    )


def _evidence(form, question, evidence, can_edit):
    """The evidence kept (each removable while the page may change) and the way to add one."""
    legend = _("Bukti dukung")
    parts = [
        '<fieldset class="evidence border rounded p-2 mb-2">'
        f'<legend class="fs-6 float-none w-auto px-1 mb-1">{legend}</legend>'
    ]
    if evidence:
        parts.append('<ul class="list-unstyled mb-2">')
        remove, remove_label, carried_label = (
            escape(form.add_prefix("remove_evidence")),
            _("hapus"),
            _("dari periode sebelumnya"),
        )
        for item in evidence:
            parts.append('<li class="d-flex flex-wrap align-items-center gap-2 mb-1">')
            if item.is_file:
                url = reverse("evaluations:answering_evidence_download", args=[item.pk])
                carried = f" · {carried_label}" if item.carried_from_id else ""
                parts.append(
                    f'<a href="{url}">{escape(item.title)}</a> <span class="small text-muted">'
                    f"{escape(item.original_name)} · {filesizeformat(item.size)}{carried}</span>"
                )
            else:
                parts.append(
                    f'<a href="{escape(item.url)}" rel="noopener noreferrer" target="_blank">{escape(item.title)}</a> '
                    f'<span class="small text-muted text-break">{escape(item.url)}</span>'
                )
            if can_edit:
                parts.append(
                    f'<label class="form-check-label small ms-auto"><input class="form-check-input" type="checkbox" '
                    f'name="{remove}" value="{item.pk}"> {remove_label}</label>'
                )
            parts.append("</li>")
        parts.append("</ul>")
    elif not can_edit:
        none_yet = _("Belum ada bukti dukung.")
        parts.append(f'<p class="small text-muted mb-0">{none_yet}</p>')
    if form["remove_evidence"].errors:
        parts.append(f'<div class="text-danger small">{form["remove_evidence"].errors}</div>')
    if can_edit:
        parts.append(_evidence_add(form, question, evidence))
    parts.append("</fieldset>")
    return "".join(parts)


def _evidence_add(form, question, evidence):
    """A new file or link, opened when it has something to show or the question needs evidence."""
    title, upload, link = form["evidence_title"], form["evidence_file"], form["evidence_url"]
    shown = title.errors or upload.errors or link.errors or title.value() or form.pending
    opened = " open" if shown or (question.evidence_required and not evidence) else ""
    summary = _("Tambah bukti dukung (berkas atau tautan)")
    parts = [f'<details class="evidence-add"{opened}><summary class="small">{summary}</summary>']
    if form.pending:
        kept = _("Berkas %(name)s sudah diterima, tidak perlu dipilih lagi.") % {
            "name": escape(form.pending.original_name)
        }
        other = _("Pilih berkas lain hanya untuk menggantinya.")
        parts.append(
            f'<p class="small text-success-emphasis mb-0 mt-1 evidence-pending" role="status">{kept} {other}</p>'
            f'<input type="hidden" name="{escape(form.add_prefix("evidence_pending"))}" '
            f'value="{escape(form.pending.token)}">'
        )
    parts.append(
        f'<div class="row g-2 mt-1"><div class="col-md-4">{as_field(title)}</div>'
        f'<div class="col-md-4">{as_field(upload)}</div><div class="col-md-4">{as_field(link)}</div></div></details>'
    )
    return "".join(parts)
