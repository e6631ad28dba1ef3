"""`{% review_card item %}`: one answer card of the review page, written in Python.

The review page shows up to 25 cards, and drawn through the template (its tags, filters, URL
reversals and the two forms' fields) a card cost about 1.7 ms, over half of the page's time. This
tag writes the markup that template wrote, with the same elements, classes, ids, anchors, htmx
attributes and escaping; tests/test_review_cards.py draws cards of every kind both ways (the
template kept in tests/golden/) and compares them. The rare parts keep their templates: the
agency's replies, the history and comments of an opened card and a form with an error (crispy).

The context gives the rest of what the template read: `place` (the query string that keeps the
coordinator's place), `card_message` and `card_level` (an action's outcome), `csrf_token`."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..models.instrument import format_score
from .review_extras import evidence_href, unbound_field
from .review_extras import fast_escape as esc

register = template.Library()
EXTRAS_TEMPLATE = "evaluations/review/_answer_extras.html"


@register.simple_tag(takes_context=True)
def review_card(context, item):
    """The card of `item` ({"question", "answer", "forms", "expanded"} and, when expanded, the
    history and comments: "changes", "comments", "comment_form") as safe HTML."""
    extras = None
    if item["answer"] is not None and item.get("expanded"):
        # As {% include %} drew them: in this context (its place and CSRF token).
        names = ("changes", "comments", "comment_form")
        with context.push(answer=item["answer"], **{name: item.get(name) for name in names}):
            extras = context.template.engine.get_template(EXTRAS_TEMPLATE).render(context)
    return answer_card(
        item,
        place=context.get("place") or "",
        csrf_token=context.get("csrf_token"),
        message=context.get("card_message"),
        level=context.get("card_level"),
        extras=extras,
    )


def answer_card(item, place="", csrf_token=None, message=None, level=None, extras=None):
    """The card as safe HTML; `extras`, the history and comments of an opened card."""
    question, answer = item["question"], item["answer"]
    if answer is None:
        head = f'<article class="card mb-3 review-answer question-unanswered" id="pertanyaan-{question.pk}">'
    else:
        revision = " question-revision" if answer.needs_revision else ""
        head = (
            f'<article class="card mb-3 review-answer{revision}" id="jawaban-{answer.pk}" '
            'hx-target="this" hx-swap="outerHTML">'
        )
    parts = [
        head,
        '<div class="card-body">',
        f'<h2 class="h6" tabindex="-1">{esc(question.code)} · {esc(question.text)}</h2>',
        '<p class="small text-muted mb-2">'
        f"{esc(question.subdimension.name) if question.subdimension is not None else ''}</p>",
    ]
    if message:
        role = "alert" if level == "danger" else "status"
        parts.append(
            f'<div class="alert alert-{esc(level or "")} py-1 px-2 small card-message" role="{role}">'
            f"{esc(message)}</div>"
        )
    if answer is None:
        parts.append(f'<p class="text-warning-emphasis mb-0">{esc(_("Belum dijawab."))}</p>')
    else:
        place = esc(place)
        parts.append(_values(question, answer))
        replies = answer.review_replies
        if replies:
            parts.append(render_to_string("evaluations/answering/_replies.html", {"replies": replies}))
        forms = item["forms"] or {}
        if forms.get("score") or forms.get("revision"):
            csrf = _csrf_input(csrf_token)
            parts.append('<div class="row g-3 no-print">')
            if forms.get("score"):
                parts.append(_score_form(answer, forms["score"], place, csrf))
            if forms.get("revision"):
                parts.append(_revision_form(answer, forms["revision"], place, csrf))
            parts.append("</div>")
        parts.append(_extras(answer, place, extras))
    parts.append("</div></article>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped where it is written


def _values(question, answer):
    """The answer's values: the answer, the scores, the explanation, the evidence and the mark."""
    dash = "–"
    parts = [
        '<dl class="row mb-2">',
        f'<dt class="col-sm-4">{esc(_("Jawaban"))}</dt>'
        f'<dd class="col-sm-8 answer-value">{esc(answer.value_display() or dash)}</dd>',
    ]
    if question.is_scorable:
        if answer.verified_score is None:
            verified = f'<span class="badge text-bg-warning unverified">{esc(_("belum diverifikasi"))}</span>'
        else:
            verified = esc(format_score(answer.verified_score))
        parts.append(
            f'<dt class="col-sm-4">{esc(_("Skor mandiri"))}</dt>'
            f'<dd class="col-sm-8 self-score">{esc(format_score(answer.self_score))}</dd>'
            f'<dt class="col-sm-4">{esc(_("Skor verifikasi"))}</dt>'
            f'<dd class="col-sm-8 verified-score">{verified}</dd>'
        )
    else:
        parts.append(
            f'<dt class="col-sm-4">{esc(_("Skor"))}</dt>'
            f'<dd class="col-sm-8 text-muted unscored">{esc(_("tidak diberi skor"))}</dd>'
        )
    parts.append(
        f'<dt class="col-sm-4">{esc(_("Penjelasan"))}</dt>'
        f'<dd class="col-sm-8">{linebreaksbr(answer.explanation, autoescape=True) or dash}</dd>'
        f'<dt class="col-sm-4">{esc(_("Bukti dukung"))}</dt><dd class="col-sm-8">'
    )
    for evidence in answer.live_evidence:
        title = esc(evidence.title)
        href = evidence_href(evidence)
        if href and evidence.is_file:
            title = f'<a href="{esc(href)}" >{title}</a>'
        elif href:
            title = f'<a href="{esc(href)}" rel="noopener noreferrer" target="_blank">{title}</a>'
        if evidence.is_file:
            detail = f"{esc(evidence.original_name)} · {esc(filesizeformat(evidence.size))}"
        else:
            detail = esc(_("tautan"))
        parts.append(f'<div class="evidence">{title} <small class="text-muted">{detail}</small></div>')
    if not answer.live_evidence:
        parts.append(dash)
    parts.append("</dd>")
    if answer.needs_revision:
        parts.append(
            f'<dt class="col-sm-4 text-danger">{esc(_("Perlu perbaikan"))}</dt>'
            f'<dd class="col-sm-8">{linebreaksbr(answer.revision_note, autoescape=True)}</dd>'
        )
    parts.append("</dl>")
    return "".join(parts)


def _csrf_input(token):
    """What {% csrf_token %} writes."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'


def _score_form(answer, form, place, csrf):
    url = reverse("evaluations:review_set_score", args=[answer.pk])
    parts = [
        f'<form method="post" action="{url}{place}#jawaban-{answer.pk}" hx-post="{url}{place}" '
        f'class="col-md-6 score-form" novalidate>{csrf}',
        f'<fieldset><legend class="h6">{esc(_("Verifikasi"))}</legend>',
    ]
    if form.non_field_errors():
        errors = " ".join(esc(error) for error in form.non_field_errors())
        parts.append(f'<div class="alert alert-danger py-1 small">{errors}</div>')
    parts += [
        unbound_field(form, "seen"),
        unbound_field(form, "verified_score"),
        unbound_field(form, "note"),
        '<div class="d-flex flex-wrap gap-2">',
        f'<button type="submit" class="btn btn-sm btn-primary">{esc(_("Simpan skor"))}</button>',
    ]
    if answer.self_score is not None and answer.verified_score is None:
        label = _("Setujui skor mandiri (%(score)s)") % {"score": esc(format_score(answer.self_score))}
        parts.append(
            f' <button type="submit" name="score-{answer.pk}-accept" value="1" '
            f'class="btn btn-sm btn-outline-success accept-self-score">{label}</button>'
        )
    parts.append("</div></fieldset></form>")
    return "".join(parts)


def _revision_form(answer, form, place, csrf):
    url = reverse("evaluations:review_mark_revision", args=[answer.pk])
    if form.non_field_errors():
        fields = as_crispy_form(form)
    else:
        fields = "".join(unbound_field(form, name) for name in form.fields)
    return (
        f'<form method="post" action="{url}{place}#jawaban-{answer.pk}" hx-post="{url}{place}" '
        f'class="col-md-6 revision-form" novalidate>{csrf}'
        f'<fieldset><legend class="h6">{esc(_("Perbaikan"))}</legend>{fields}'
        f'<button type="submit" class="btn btn-sm btn-outline-danger">{esc(_("Simpan tanda perbaikan"))}</button>'
        "</fieldset></form>"
    )


def _extras(answer, place, extras):
    """The answer's history and comments: loaded with htmx when the details open (a link to the
    answer's own page without JavaScript), or `extras` when the card comes opened."""
    url = reverse("evaluations:review_answer", args=[answer.pk])
    summary = _("Riwayat (%(changes)s) dan komentar (%(comments)s)") % {
        "changes": answer.change_count,
        "comments": answer.comment_count,
    }
    if extras is not None:
        opened, body = " open", extras
    else:
        opened = (
            f' hx-get="{url}{place}" hx-trigger="toggle once" hx-target="find .answer-extras-body" hx-swap="innerHTML"'
        )
        body = f'<a href="{url}{place}">{esc(_("Buka riwayat dan komentar"))}</a>'
    return (
        f'<details class="answer-extras mt-2"{opened}><summary>{esc(summary)}</summary>'
        f'<div class="answer-extras-body">{body}</div></details>'
    )
