"""`{% question_card %}` (evaluations/templatetags/answering_cards.py) writes the markup the section
page's template wrote for a question's card (kept in tests/reference/answering_question_card.html):
every answer type, empty and answered, editable and read-only, with evidence files and links,
marked for revision with the coordinator's comments and the agency's replies, carried forward,
refused for a colleague's save, with a file kept from a refused save, with errors, and with text
that needs escaping; in Indonesian and in English."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.template import engines
from django.test.html import parse_html
from django.utils import timezone, translation

from evaluations.answering import load_section
from evaluations.forms.answering import section_forms
from evaluations.models import Evidence, Question, ReviewComment, RevisionReply
from evaluations.templatetags.answering_cards import question_card

from .factories import assign, make_agency, make_answer, make_question, make_submission

pytestmark = pytest.mark.django_db

T = Question.AnswerType
BEFORE = engines["django"].from_string(
    (Path(__file__).parent / "reference" / "answering_question_card.html").read_text()
)


def same_cards(page, forms, can_edit):
    for form in forms:
        answer = page.answers.get(form.question.id)
        context = {"form": form, "answer": answer, "can_edit": can_edit}
        ours, theirs = str(question_card(form, answer, can_edit)), BEFORE.render(context)
        assert parse_html(ours) == parse_html(theirs), f"{form.question.code}:\n{ours}\n---\n{theirs}"


@pytest.fixture
def section(period, settings, tmp_path):
    """A section with a question of every type: some unanswered, some answered with evidence, one
    marked for revision with comments and replies, one carried forward, one from the impact survey."""
    settings.MEDIA_ROOT = tmp_path
    agency = make_agency()
    assign(period, agency, "GOV")
    submission = make_submission(period, agency)
    kinds = [kind for kind, _label in T.choices]
    questions = [
        make_question(period, code=f"K.{n}", answer_type=kind, help_text='Bantuan "kutip" & <b>', required=n % 2 == 0)
        for n, kind in enumerate(kinds)
    ] + [make_question(period, code="K.<9>", answer_type=T.TEXT, evidence_required=True)]
    Question.objects.filter(pk=questions[1].pk).update(evidence_required=True)
    Question.objects.filter(pk=questions[2].pk).update(from_impact_survey=True)
    named = User.objects.create_user("penilai", first_name="Rina", last_name="<Koordinator>")
    plain = User.objects.create_user("operator_x")
    values = {
        T.LEVEL: {"score": 3},
        T.YES_NO: {"bool_value": True},
        T.NUMBER: {"number_value": Decimal("1250.5")},
        T.PERCENT: {"number_value": Decimal("75.25")},
        T.TEXT: {"text_value": 'Ada "kutipan" & <tag>'},
    }
    for question in questions[:5]:
        answer = make_answer(submission, question, **values.get(question.answer_type, {"text_value": "x"}))
        answer.updated_by = named if question.answer_type == T.LEVEL else plain
        answer.explanation = "Penjelasan & <b>tebal</b>"
        answer.save()
    marked, carried = list(submission.answers.order_by("question__code")[:2])
    marked.needs_revision, marked.revision_note = True, "Perbaiki <segera>\nbaris dua"
    marked.save()
    carried.carried_forward = True
    carried.save()
    ReviewComment.objects.create(answer=marked, author=named, body="Lampirkan <notulen> & SK")
    ReviewComment.objects.create(answer=marked, author=named, body="Internal", visibility="internal")
    RevisionReply.objects.create(answer=marked, author=plain, body="Sudah <diperbaiki>")
    earlier = Evidence.objects.create(answer=carried, title="SK <lama>", url="https://example.go.id/?a=1&b=<2>")
    file = Evidence(answer=carried, title="Berkas & SK", carried_from=earlier, uploaded_by=plain)
    file.file.save("sk.pdf", ContentFile(b"%PDF-1.4 uji"), save=False)
    file.original_name, file.size = "sk <final>.pdf", 123456
    file.save()
    Evidence.objects.create(answer=marked, title="Dihapus", url="https://x.go.id/", removed_at=timezone.now())
    return submission


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("can_edit", [True, False])
def test_the_cards_of_a_section_are_written_as_the_template_wrote_them(section, language, can_edit):
    with translation.override(language):
        page = load_section(section, "X-GOV")
        same_cards(page, section_forms(page, read_only=not can_edit), can_edit)


@pytest.mark.parametrize("language", ["id", "en"])
def test_cards_refused_with_errors_a_conflict_and_a_kept_file_are_written_as_the_template_wrote_them(section, language):
    with translation.override(language):
        page = load_section(section, "X-GOV")
        data = {}
        for question in page.section.questions:
            prefix = f"q{question.pk}"
            data[f"{prefix}-value"] = "bukan <pilihan>"
            data[f"{prefix}-evidence_title"] = "Judul <baru>"
            data[f"{prefix}-evidence_url"] = "bukan tautan"
            data[f"{prefix}-remove_evidence"] = "999999"
        forms = section_forms(page, data)
        for form in forms:
            form.is_valid()
        forms[0].add_error(None, "Kesalahan <umum>")
        forms[1].conflict = {
            "who": "Rina <K>",
            "value": "Nilai & <lain>",
            "explanation": "Alasan <x>",
            "at": timezone.now() - timedelta(hours=3),
        }
        forms[2].conflict = {"who": "Budi", "value": "—", "explanation": "", "at": timezone.now()}
        forms[3].pending = SimpleNamespace(original_name="bukti <1>.pdf", token="tok&en")
        assert all(form.errors for form in forms)
        same_cards(page, forms, can_edit=True)
