"""Demo answers for seed_demo: op_bappeda has a half-filled draft, op_dinkes a submitted one.
Evidence is given as links so the demo needs no files. Runs only for agencies that have no
answers yet, so running seed_demo twice changes nothing.

With --province, the other regencies of Kalimantan Timur get generated answers in every state
(seed_region_answers, after PROVINCE_PLAN): written with bulk_create, as a coordinator's review
would have left them (verified scores on approved answers, the timeline's status events)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from evaluations.models import Agency, Answer, Assignment, Evidence, Question, Submission, SubmissionEvent

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


# How far each other regency of Kalimantan Timur got, for the national and province tables:
# (state, typical level 0-4 of its answers, random seed). "mixed": of its agencies (by
# abbreviation) three in six approved, one submitted, one returned, one with a half-filled draft;
# "early": one in six approved, the rest submitted or drafts (part of the questions covered);
# "approved": every agency approved; "submitted": every agency handed in, none approved yet (a
# provisional index, no rank); "draft": half-filled drafts only (no index); "nothing": not started.
# Berau and Penajam Paser Utara answer alike, so they share a rank.
PROVINCE_PLAN = {
    "64.01": ("mixed", 3, "64.01"),
    "64.02": ("mixed", 4, "64.02"),
    "64.03": ("mixed", 2, "64.03"),
    "64.07": ("submitted", 3, "64.07"),
    "64.09": ("mixed", 2, "64.03"),
    "64.11": ("nothing", None, "64.11"),
    "64.71": ("approved", 4, "64.71"),
    "64.72": ("early", 1, "64.72"),
    "64.74": ("draft", 2, "64.74"),
}
CYCLES = {
    "mixed": ["approved", "approved", "approved", "submitted", "returned", "draft"],
    "early": ["approved", "submitted", "draft", "submitted", "draft", "draft"],
    "approved": ["approved"],
    "submitted": ["submitted"],
    "draft": ["draft"],
}
S = Submission.Status


def generated_values(question, level, rng):
    """An answer of about `level` (0-4): the level or choice option nearest to it, a yes more
    often at higher levels, numbers that grow with it."""
    level = max(0, min(4, level + rng.choice([-1, 0, 0, 0, 1])))
    options = list(question.options.all())
    if question.answer_type in (T.LEVEL, T.CHOICE):
        if not options:
            return {}
        return {"option": options[round(level * (len(options) - 1) / 4)]}
    if question.answer_type == T.YES_NO:
        return {"bool_value": rng.random() < 0.2 + level * 0.2}
    if question.answer_type in (T.NUMBER, T.PERCENT):
        return {"number_value": Decimal(min(100, level * 20 + rng.randint(0, 20)))}
    if question.answer_type == T.DATE:
        return {"date_value": date(2024, rng.randint(1, 12), rng.randint(1, 28))}
    return {"text_value": DEMO_TEXT}


def region_questions(period):
    """{agency id: [questions it answers, in form order]} from the period's assignments."""
    questions = list(Question.objects.for_period(period).in_form_order().prefetch_related("options", "bands"))
    wanted = {}
    for agency_id, pillar_id, question_id in Assignment.objects.filter(period=period).values_list(
        "agency_id", "pillar_id", "question_id"
    ):
        pillars, named = wanted.setdefault(agency_id, (set(), set()))
        if pillar_id:
            pillars.add(pillar_id)
        else:
            named.add(question_id)
    return {
        agency_id: [q for q in questions if q.pillar_id in pillars or q.pk in named]
        for agency_id, (pillars, named) in wanted.items()
    }


@transaction.atomic
def seed_region_answers(period, plan):
    """A region's generated submissions after its PROVINCE_PLAN entry; nothing when the period has
    submissions already. Returns how many answers were created."""
    state, level, seed = plan
    if state == "nothing" or Submission.objects.filter(period=period).exists():
        return 0
    rng = random.Random(seed)
    by_agency = region_questions(period)
    agencies = list(Agency.objects.filter(pk__in=by_agency).order_by("abbreviation"))
    statuses = CYCLES[state]
    now = timezone.now()
    submissions = Submission.objects.bulk_create(
        new_submission(period, agency, statuses[i % len(statuses)], now - timedelta(days=i % 7))
        for i, agency in enumerate(agencies)
    )
    answers = []
    for submission in submissions:
        questions = by_agency[submission.agency_id]
        if submission.status == S.DRAFT:
            questions = questions[: max(1, len(questions) // 2)]
        answers += [generated_answer(submission, q, level, rng) for q in questions]
    Answer.objects.bulk_create(answers)
    Evidence.objects.bulk_create(
        Evidence(answer=a, title=f"Dokumen pendukung {a.question.code}", url="https://kaltimprov.go.id/")
        for a in answers
        if a.question.evidence_required
    )
    SubmissionEvent.objects.bulk_create(event for s in submissions for event in timeline(s))
    return len(answers)


def new_submission(period, agency, status, when):
    return Submission(
        period=period,
        agency=agency,
        status=status,
        submitted_at=None if status == S.DRAFT else when,
        returned_at=when + timedelta(days=1) if status == S.RETURNED else None,
        approved_at=when + timedelta(days=2) if status == S.APPROVED else None,
        review_note="Lengkapi bukti dukung pilar ini." if status == S.RETURNED else "",
    )


def generated_answer(submission, question, level, rng):
    answer = Answer(
        submission=submission,
        question=question,
        explanation="Data dari laporan tahunan perangkat daerah.",
        **generated_values(question, level, rng),
    )
    answer.self_score = answer.derive_self_score(bands=list(question.bands.all()))
    if submission.status == S.APPROVED and answer.self_score is not None:
        answer.verified_score = max(Decimal(0), answer.self_score - rng.choice([0, 0, 0, 1]))
    answer.needs_revision = submission.status == S.RETURNED and question.evidence_required and rng.random() < 0.3
    return answer


def timeline(submission):
    """The status events a submission's review would have recorded."""
    steps = {S.SUBMITTED: [S.SUBMITTED], S.RETURNED: [S.SUBMITTED, S.RETURNED], S.APPROVED: [S.SUBMITTED, S.APPROVED]}
    before = S.DRAFT
    for to in steps.get(submission.status, []):
        yield SubmissionEvent(submission=submission, from_status=before, to_status=to)
        before = to
