"""Demo answers for seed_demo: op_bappeda has a half-filled draft, op_dinkes a submitted one.
Evidence is given as links so the demo needs no files. Runs only for agencies that have no
answers yet, so running seed_demo twice changes nothing."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from evaluations.models import Agency, Answer, Evidence, Question, Submission

T = Question.AnswerType
DEMO_TEXT = "Aplikasi SIPD, e-Kinerja dan Portal Satu Data Kutim sudah dipakai seluruh bidang."


def demo_values(question):
    options = list(question.options.all())
    if question.answer_type == T.LEVEL:
        option = next((o for o in options if o.value == "3"), options[-1] if options else None)
        return {"option": option}
    if question.answer_type == T.CHOICE:
        return {"option": options[0] if options else None}
    if question.answer_type == T.YES_NO:
        return {"bool_value": True}
    if question.answer_type == T.NUMBER:
        return {"number_value": Decimal(12)}
    if question.answer_type == T.PERCENT:
        return {"number_value": Decimal("72.5")}
    if question.answer_type == T.DATE:
        return {"date_value": date(2024, 3, 12)}
    return {"text_value": DEMO_TEXT}


def fill(submission, questions, user):
    for question in questions:
        answer = Answer(
            submission=submission,
            question=question,
            explanation="Data dari laporan tahunan perangkat daerah.",
            updated_by=user,
            **demo_values(question),
        )
        answer.self_score = answer.derive_self_score()
        answer.save()
        if question.evidence_required:
            Evidence.objects.create(
                answer=answer,
                title=f"Dokumen pendukung {question.code}",
                url="https://kutaitimurkab.go.id/",
                uploaded_by=user,
            )


@transaction.atomic
def seed_demo_answers(period):
    """Returns how many demo answers were created."""
    created = 0
    plan = [("Bappeda", "op_bappeda", 0.5, False), ("Dinkes", "op_dinkes", 1, True)]
    for abbreviation, username, share, submit in plan:
        agency = Agency.objects.get(abbreviation=abbreviation)
        user = User.objects.get(username=username)
        submission, _created = Submission.objects.get_or_create(period=period, agency=agency)
        if submission.answers.exists():
            continue
        questions = list(submission.questions().in_form_order().prefetch_related("options", "bands"))
        chosen = questions[: max(1, round(len(questions) * share))]
        fill(submission, chosen, user)
        created += len(chosen)
        if submit:
            submission.submit(by=user)
    return created
