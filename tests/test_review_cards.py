"""`{% review_card %}` (evaluations/templatetags/review_cards.py) writes the answer card the
template wrote before the card was drawn in Python (kept in tests/golden/review_answer.html): for
every kind of card (unanswered, scored and not, verified, marked, with evidence and the agency's
replies, read-only, an action's message, a refused value, opened on its history and comments), in
Indonesian and English, the same elements, attributes, text and escaping. The same for the section
navigator's list (review_extras.review_section_links; tests/golden/review_sections.html)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from evaluations.forms.review import CommentForm, RevisionForm, ScoreForm
from evaluations.models import Evidence, Question, ReviewComment, RevisionReply, Submission
from evaluations.templatetags import review_extras
from evaluations.views.review import _answer_forms

from .factories import make_answer, make_question, make_submission

pytestmark = pytest.mark.django_db

GOLDEN = Template((Path(__file__).parent / "golden" / "review_answer.html").read_text())
OURS = Template("{% load review_cards %}{% review_card item %}")
PLACE = "?bagian=A-GOV&tampil=belum"


@pytest.fixture
def items(period, agency_a, coordinator, monkeypatch):
    """Every kind of card of one submission, in form order, with the forms a coordinator gets."""
    monkeypatch.setattr(review_extras, "reverse", lambda name, args: f"/bukti/{args[0]}/unduh/")
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    level = list(Question.objects.for_period(period).filter(pillar__code="GOV", answer_type="level").order_by("code"))
    first = make_answer(submission, level[0], score=3, explanation='Perbup <b>"sudah"</b> terbit.\nBaris & dua')
    Evidence.objects.create(answer=first, title="Situs <Satu> Data", url="https://data.example.go.id/?a=1&b=2")
    Evidence.objects.create(answer=first, title="SK Tim", file="evidence/a.pdf", original_name="sk <1>.pdf", size=12345)
    RevisionReply.objects.create(answer=first, body="Sudah <diperbaiki>", author=coordinator)
    ReviewComment.objects.create(answer=first, body="Komentar <i>", visibility="internal", author=coordinator)
    make_answer(submission, level[1], score=2, verified="2.5")
    make_answer(submission, level[2], score=1, needs_revision=True, revision_note='Lampirkan "SK" <baru> & ttd.\nLagi')
    make_answer(submission, make_question(period, code="T-TEXT", answer_type=Question.AnswerType.TEXT))
    make_question(period, code="T-UNANSWERED")
    cards = []
    for question, answer in submission.review_items():
        forms = None if answer is None else _answer_forms(question, answer, can_review=True)
        cards.append({"question": question, "answer": answer, "forms": forms, "expanded": False})
    assert {bool(card["answer"]) for card in cards} == {True, False}
    return cards


def richest(items):
    """The card with evidence, replies and a comment."""
    return next(item for item in items if item["answer"] and item["answer"].explanation)


def same_card(item, golden_item=None, **context):
    context = {"place": PLACE, "csrf_token": "t0k3n", **context}
    ours = OURS.render(Context({"item": item, **context}))
    golden = GOLDEN.render(Context({"item": golden_item or item, **context}))
    assert parse_html(ours) == parse_html(golden), f"{ours}\n---\n{golden}"


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_kind_of_card_is_the_card_the_template_drew(items, language):
    with translation.override(language):
        for item in items:
            same_card(item)


def test_a_card_read_only_or_no_longer_under_review_is_the_card_the_template_drew(items):
    for item in items:
        same_card({**item, "forms": None})
        same_card({**item, "forms": {}})


@pytest.mark.parametrize("level", ["success", "info", "danger"])
def test_a_card_with_an_actions_message_is_the_card_the_template_drew(items, level):
    same_card(richest(items), card_message="Skor <A.1.1> disimpan.", card_level=level)


def test_a_card_with_a_refused_value_is_the_card_the_template_drew(items):
    card = richest(items)
    pk = card["answer"].pk
    refused = {
        "score": lambda: ScoreForm({f"score-{pk}-verified_score": "7"}, prefix=f"score-{pk}"),
        # The accept button on an answer without a self score: an error of the whole form.
        "score, not the field's": lambda: ScoreForm({f"score-{pk}-accept": "1"}, prefix=f"score-{pk}"),
        "revision": lambda: RevisionForm({f"rev-{pk}-needs_revision": "on"}, prefix=f"rev-{pk}"),
    }
    for name, make_form in refused.items():
        # A fresh form for each drawing: crispy adds its classes to the widgets it draws.
        ours, golden = make_form(), make_form()
        assert not ours.is_valid() and not golden.is_valid()
        kind = name.partition(",")[0]
        same_card(
            {**card, "forms": {**card["forms"], kind: ours}},
            golden_item={**card, "forms": {**card["forms"], kind: golden}},
            card_message="Belum disimpan.",
        )


def test_a_card_opened_on_its_history_and_comments_is_the_card_the_template_drew(items, coordinator):
    card = richest(items)
    answer = card["answer"]
    refused = CommentForm({f"comment-{answer.pk}-body": ""}, prefix=f"comment-{answer.pk}")
    assert not refused.is_valid()
    for comment_form in (None, CommentForm(prefix=f"comment-{answer.pk}"), refused):
        opened = {
            **card,
            "expanded": True,
            "changes": answer.history(),
            "comments": answer.review_comments(),
            "comment_form": comment_form,
        }
        same_card(opened)


def test_the_card_escapes_what_people_typed(items):
    html = OURS.render(Context({"item": richest(items), "place": PLACE, "csrf_token": "t"}))
    assert "<b>" not in html and "&lt;b&gt;&quot;sudah&quot;&lt;/b&gt;" in html.replace("&#x27;", "'")
    assert "Situs &lt;Satu&gt; Data" in html and "Sudah &lt;diperbaiki&gt;" in html
    assert "?bagian=A-GOV&amp;tampil=belum#jawaban-" in html


def test_a_verified_score_shows_in_the_field_and_in_the_seen_value(items):
    card = next(item for item in items if item["answer"] and item["answer"].verified_score == Decimal("2.5"))
    html = OURS.render(Context({"item": card, "place": "", "csrf_token": "t"}))
    assert f'name="score-{card["answer"].pk}-verified_score" value="2,50"' in html
    assert f'name="score-{card["answer"].pk}-seen" value="2.50"' in html


# --- the section navigator ---------------------------------------------------------------------

SECTIONS_GOLDEN = Template((Path(__file__).parent / "golden" / "review_sections.html").read_text())
SECTIONS = Template('{% include "evaluations/review/_sections.html" %}')


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("show", ["", "belum", "perbaikan"])
def test_the_section_navigator_is_the_one_the_template_drew(items, language, show):
    submission = next(item["answer"] for item in items if item["answer"]).submission
    submission.answers.filter(question__code="A.1.1").update(needs_revision=True, revision_note="Perbaiki.")
    sections = submission.review_sections()
    assert len(sections) > 1 and any(s.marked for s in sections) and any(s.verified for s in sections)
    for current in (sections[0], sections[-1], None):
        context = {
            "sections": sections,
            "section": current,
            "show": show,
            "review_url": f"/koordinator/pengisian/{submission.pk}/",
            "oob": current is None,
        }
        with translation.override(language):
            ours, golden = SECTIONS.render(Context(context)), SECTIONS_GOLDEN.render(Context(context))
        assert parse_html(ours) == parse_html(golden), f"{ours}\n---\n{golden}"
