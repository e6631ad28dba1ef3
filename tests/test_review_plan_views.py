"""The review plan of a period (/kelola/periode/<id>/peninjau/), a reviewer's queue
(/koordinator/antrean/) and what the plan lets each reviewer do on the review page
(evaluations/views/review_plan.py, models/review_plan.py, access.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations import roles
from evaluations.models import Answer, Evidence, Question, ReviewAssignment, ReviewPlanChange, RevisionReply, Submission

from .factories import make_agency, make_answer, make_reviewer, make_submission, make_user, plan_review
from .filling import PDF

pytestmark = pytest.mark.django_db
S = Submission.Status


def question_of(period, pillar):
    return Question.objects.for_period(period).filter(pillar__code=pillar, answer_type="level").order_by("code").first()


@pytest.fixture
def reviewer_b(agency_b):
    """Bappeda's reviewer (lead agency for governance), not an operator."""
    return make_reviewer(agency_b, "peninjau_bappeda")


@pytest.fixture
def coordinator_liv(db):
    return make_user("koordinator_liv", roles.COORDINATOR)


@pytest.fixture
def world(period, agency_a, reviewer_b, coordinator_liv):
    """Diskominfo's submission under review with a GOV and a LIV answer, both unverified; the plan
    gives GOV to Bappeda's reviewer and LIV to a second coordinator."""
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    gov = make_answer(submission, question_of(period, "GOV"), score=3)
    liv = make_answer(submission, question_of(period, "LIV"), score=2)
    plan_review(period, reviewer_b, "GOV")
    plan_review(period, coordinator_liv, "LIV")
    return {"submission": submission, "gov": gov, "liv": liv}


def score(client, answer, value="2"):
    return client.post(f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": value})


def verified(answer):
    return Answer.objects.get(pk=answer.pk).verified_score


# --- the plan page -----------------------------------------------------------------------------


def test_the_coordinator_adds_a_reviewer_to_a_pillar_and_the_history_says_who(
    as_coordinator, period, reviewer_b, coordinator
):
    response = as_coordinator.post(
        f"/kelola/periode/{period.pk}/peninjau/", {"reviewer": reviewer_b.pk, "pillar": 1, "role": "primary"}
    )
    assert response.status_code == 302
    row = ReviewAssignment.objects.get(period=period, reviewer=reviewer_b)
    change = ReviewPlanChange.objects.get(period=period)
    assert change.is_added() and change.changed_by == coordinator and str(reviewer_b) in change.new_value
    page = as_coordinator.get(f"/kelola/periode/{period.pk}/peninjau/").content.decode()
    assert row.pillar.name in page and "peninjau_bappeda" in page


def test_a_reviewer_of_their_own_agencys_answers_is_refused_with_a_message(
    as_coordinator, period, reviewer_b, agency_b
):
    response = as_coordinator.post(
        f"/kelola/periode/{period.pk}/peninjau/",
        {"reviewer": reviewer_b.pk, "pillar": 1, "agency": agency_b.pk, "role": "primary"},
    )
    assert response.status_code == 400
    assert "tidak boleh meninjau jawaban perangkat daerahnya sendiri" in response.content.decode()
    assert not ReviewAssignment.objects.exists()


def test_a_row_needs_a_pillar_or_a_question_not_both(as_coordinator, period, reviewer_b):
    question = question_of(period, "GOV")
    response = as_coordinator.post(
        f"/kelola/periode/{period.pk}/peninjau/",
        {"reviewer": reviewer_b.pk, "pillar": 1, "question": question.pk, "role": "primary"},
    )
    assert response.status_code == 400
    assert "Pilih satu pilar atau satu pertanyaan" in response.content.decode()


def test_the_same_reviewer_twice_on_a_pillar_is_refused(as_coordinator, period, reviewer_b):
    plan_review(period, reviewer_b, "GOV")
    response = as_coordinator.post(
        f"/kelola/periode/{period.pk}/peninjau/",
        {"reviewer": reviewer_b.pk, "pillar": ReviewAssignment.objects.get().pillar_id, "role": "secondary"},
    )
    assert response.status_code == 400
    assert ReviewAssignment.objects.count() == 1


def test_an_operator_without_the_reviewer_role_is_not_offered(as_coordinator, period, operator_b):
    page = as_coordinator.get(f"/kelola/periode/{period.pk}/peninjau/").content.decode()
    assert "operator_b" not in page


def test_removing_a_reviewer_is_written_in_the_history(as_coordinator, period, reviewer_b):
    row = plan_review(period, reviewer_b, "GOV")
    response = as_coordinator.post(f"/kelola/periode/{period.pk}/peninjau/{row.pk}/hapus/")
    assert response.status_code == 302
    assert not ReviewAssignment.objects.exists()
    change = ReviewPlanChange.objects.get()
    assert not change.is_added() and "Smart Governance" in change.old_value


# --- acting on answers under the plan -----------------------------------------------------------


def test_a_lead_agencys_reviewer_scores_an_answer_of_their_pillar(client, world, reviewer_b):
    client.force_login(reviewer_b)
    assert score(client, world["gov"]).status_code == 302
    assert verified(world["gov"]) == Decimal(2)


def test_a_lead_agencys_reviewer_gets_404_on_an_answer_of_another_pillar(client, world, reviewer_b):
    client.force_login(reviewer_b)
    assert score(client, world["liv"]).status_code == 404
    assert client.get(f"/koordinator/jawaban/{world['liv'].pk}/").status_code == 404
    assert verified(world["liv"]) is None


def test_a_coordinator_reviewer_reads_but_may_not_score_another_reviewers_pillar(client, world, coordinator_liv):
    client.force_login(coordinator_liv)
    assert score(client, world["gov"]).status_code == 403
    assert client.get(f"/koordinator/jawaban/{world['gov'].pk}/").status_code == 200
    assert score(client, world["liv"]).status_code == 302
    assert verified(world["liv"]) == Decimal(2)


def test_a_coordinator_outside_the_plan_reads_the_planned_answers_only(as_coordinator, world):
    assert score(as_coordinator, world["gov"]).status_code == 403
    assert verified(world["gov"]) is None


def test_an_answer_the_plan_gives_nobody_stays_with_every_coordinator(as_coordinator, world, period):
    eco = make_answer(world["submission"], question_of(period, "ECO"), score=1)
    assert score(as_coordinator, eco).status_code == 302
    assert verified(eco) == Decimal(2)


def test_the_admin_acts_on_every_answer_of_the_plan(as_admin, world):
    assert score(as_admin, world["gov"]).status_code == 302


def test_the_review_page_shows_a_lead_agencys_reviewer_only_their_pillar(client, world, reviewer_b):
    client.force_login(reviewer_b)
    response = client.get(f"/koordinator/pengisian/{world['submission'].pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="jawaban-{world["gov"].pk}"' in page
    assert world["liv"].question.code not in page
    assert "Linimasa" not in page  # the timeline names every pillar's score changes


def test_the_review_page_of_a_coordinator_reviewer_draws_the_other_pillar_read_only(
    client, world, coordinator_liv, period
):
    client.force_login(coordinator_liv)
    gov_section = f"{world['gov'].question.indicator.dimension.code}-GOV"
    page = client.get(f"/koordinator/pengisian/{world['submission'].pk}/?bagian={gov_section}").content.decode()
    assert f'id="jawaban-{world["gov"].pk}"' in page
    assert f"/koordinator/jawaban/{world['gov'].pk}/skor/" not in page
    assert "rencana peninjauan" in page


def test_a_lead_agencys_reviewer_gets_404_on_a_submission_with_nothing_of_theirs(
    client, period, agency_a, agency_b, reviewer_b
):
    other = make_agency("Dinas Lain", "DL")
    plan_review(period, reviewer_b, "GOV", agency=other)
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    client.force_login(reviewer_b)
    assert client.get(f"/koordinator/pengisian/{submission.pk}/").status_code == 404


def test_a_reviewer_never_acts_on_their_own_agencys_answers(client, period, agency_b, reviewer_b):
    submission = make_submission(period, agency_b, status=S.SUBMITTED)
    own = make_answer(submission, question_of(period, "GOV"), score=3)
    plan_review(period, reviewer_b, "GOV")
    client.force_login(reviewer_b)
    assert client.get(f"/koordinator/pengisian/{submission.pk}/").status_code == 404
    assert score(client, own).status_code == 404
    assert verified(own) is None


def test_a_reviewer_may_not_return_or_approve(client, world, reviewer_b):
    client.force_login(reviewer_b)
    response = client.post(f"/koordinator/pengisian/{world['submission'].pk}/setujui/", {"accept_self_scores": "on"})
    assert response.status_code == 404
    assert Submission.objects.get(pk=world["submission"].pk).status == S.SUBMITTED


def test_a_reviewer_comments_and_marks_an_answer_of_their_pillar(client, world, reviewer_b):
    client.force_login(reviewer_b)
    gov = world["gov"]
    client.post(
        f"/koordinator/jawaban/{gov.pk}/komentar/",
        {f"comment-{gov.pk}-body": "Lampirkan SK", f"comment-{gov.pk}-visibility": "agency"},
    )
    client.post(
        f"/koordinator/jawaban/{gov.pk}/perbaikan/",
        {f"rev-{gov.pk}-needs_revision": "on", f"rev-{gov.pk}-revision_note": "Perbaiki"},
    )
    gov.refresh_from_db()
    assert gov.needs_revision and gov.comments.get().author == reviewer_b


# --- the queue ---------------------------------------------------------------------------------


def test_a_reviewer_who_fills_in_nothing_starts_from_the_queue(client, world, reviewer_b):
    client.force_login(reviewer_b)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/koordinator/antrean/"


def test_the_queue_lists_the_unverified_answers_of_the_reviewers_pillar_with_a_link_to_the_card(
    client, world, reviewer_b
):
    client.force_login(reviewer_b)
    page = client.get("/koordinator/antrean/").content.decode()
    gov = world["gov"]
    section = f"{gov.question.indicator.dimension.code}-GOV"
    assert (
        f'href="/koordinator/pengisian/{world["submission"].pk}/?bagian={section}&amp;tampil=belum#jawaban-{gov.pk}"'
        in page
    )
    assert f"#jawaban-{world['liv'].pk}" not in page


def test_the_queue_lists_an_answer_the_agency_replied_to_after_a_revision_mark(client, world, reviewer_b, operator_a):
    submission, gov = world["submission"], world["gov"]
    Submission.objects.filter(pk=submission.pk).update(returned_at=timezone.now() - timedelta(hours=1))
    Answer.objects.filter(pk=gov.pk).update(needs_revision=True, revision_note="Lampirkan SK", verified_score=1)
    RevisionReply.objects.create(answer=gov, author=operator_a, body="SK sudah dilampirkan.")
    client.force_login(reviewer_b)
    page = client.get("/koordinator/antrean/?status=ditanggapi").content.decode()
    assert f"tampil=perbaikan#jawaban-{gov.pk}" in page
    assert "ditanggapi perangkat daerah" in page


def test_the_queue_filters_by_agency(client, world, reviewer_b, period, agency_b):
    other = make_agency("Dinas Uji Antrean", "DUA")
    answer = make_answer(make_submission(period, other, status=S.SUBMITTED), question_of(period, "GOV"), score=2)
    client.force_login(reviewer_b)
    page = client.get(f"/koordinator/antrean/?opd={other.pk}").content.decode()
    assert f"#jawaban-{answer.pk}" in page
    assert f"#jawaban-{world['gov'].pk}" not in page


def test_the_queue_counts_per_pillar_and_agency(client, world, coordinator_liv, period):
    client.force_login(coordinator_liv)
    page = client.get("/koordinator/antrean/").content.decode()
    assert "1 jawaban menunggu, per pilar" in page
    assert "Diskominfo Staper" in page


def test_the_queue_shows_a_coordinator_a_submission_ready_for_approval(client, world, coordinator_liv):
    Answer.objects.filter(pk=world["liv"].pk).update(verified_score=2)
    client.force_login(coordinator_liv)
    page = client.get("/koordinator/antrean/").content.decode()
    assert "Siap disetujui" in page


def test_the_queue_leaves_out_the_answers_of_a_submission_awaiting_its_second_signoff(
    client, world, coordinator_liv, coordinator
):
    Submission.objects.filter(pk=world["submission"].pk).update(approved_by=coordinator)
    client.force_login(coordinator_liv)
    page = client.get("/koordinator/antrean/").content.decode()
    assert f"#jawaban-{world['liv'].pk}" not in page  # no longer scored: returned first if need be
    assert "Tidak ada jawaban yang menunggu Anda." in page


def test_a_submission_awaiting_its_second_signoff_is_not_ready_for_approval_again(
    client, world, coordinator_liv, coordinator
):
    Answer.objects.filter(pk=world["liv"].pk).update(verified_score=2)
    Submission.objects.filter(pk=world["submission"].pk).update(approved_by=coordinator)
    client.force_login(coordinator_liv)
    assert "Siap disetujui" not in client.get("/koordinator/antrean/").content.decode()


def test_the_queue_tells_a_coordinator_without_assignments_so(as_coordinator, world):
    page = as_coordinator.get("/koordinator/antrean/").content.decode()
    assert "belum memberi Anda pilar" in page


def _queue_queries(client, period, more, total):
    """Add `more` agencies with a submitted GOV answer each, then count the queue's queries."""
    question = question_of(period, "GOV")
    for _i in range(more):
        make_answer(make_submission(period, make_agency(), status=S.SUBMITTED), question, score=2)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/koordinator/antrean/")
    html = response.content.decode()
    assert html.count('class="list-group-item queue-item"') == total
    assert html.count('name="jawaban"') == 2 * total  # the bulk actions carry every answer's stamp
    return len(ctx.captured_queries)


def test_the_queue_runs_the_same_queries_for_1_and_40_agencies(client, period, reviewer_b):
    plan_review(period, reviewer_b, "GOV")
    client.force_login(reviewer_b)
    small = _queue_queries(client, period, 1, 1)
    large = _queue_queries(client, period, 39, 40)
    # session, user, permissions, periods, the plan rows (for the items), the items, the plan rows
    # listed as "Bagian Anda", the stamps of the answers the bulk actions carry, the counts per
    # pillar and agency, the bell, the filter's pillars and agencies.
    assert small == large == 12


def test_a_coordinators_queue_runs_the_same_queries_for_1_and_40_agencies(client, period, coordinator_liv):
    plan_review(period, coordinator_liv, "GOV")
    client.force_login(coordinator_liv)
    small = _queue_queries(client, period, 1, 1)
    large = _queue_queries(client, period, 39, 40)
    # ... and, for one who may approve, the submissions ready for approval (after the plan rows
    # they are read from, twice: the answers covered and those still open).
    assert small == large == 15


def test_a_lead_agencys_reviewer_downloads_the_evidence_of_their_pillar_only(
    client, world, reviewer_b, operator_a, private_media
):
    def evidence_of(answer):
        return Evidence.objects.create(
            answer=answer,
            title="SK",
            file=SimpleUploadedFile("sk.pdf", PDF),
            original_name="sk.pdf",
            uploaded_by=operator_a,
        )

    gov, liv = evidence_of(world["gov"]), evidence_of(world["liv"])
    client.force_login(reviewer_b)
    assert client.get(f"/opd/bukti/{gov.pk}/unduh/").status_code == 200
    assert client.get(f"/opd/bukti/{liv.pk}/unduh/").status_code == 404


def _plan_queries(client, period, more):
    """Add `more` rows to the plan (each its own reviewer, added on the page), then count the page's queries."""
    for n in range(more):
        reviewer = make_user(f"koordinator_{period.pk}_{n}_{ReviewAssignment.objects.count()}", roles.COORDINATOR)
        client.post(f"/kelola/periode/{period.pk}/peninjau/", {"reviewer": reviewer.pk, "pillar": 1, "role": "primary"})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/kelola/periode/{period.pk}/peninjau/")
    assert response.content.decode().count('class="review-plan-row"') == ReviewAssignment.objects.count()
    return len(ctx.captured_queries)


def test_the_plan_page_runs_the_same_queries_for_1_and_20_rows(as_coordinator, period):
    small = _plan_queries(as_coordinator, period, 1)
    large = _plan_queries(as_coordinator, period, 19)
    # session, user, permissions, the period, the rows (with pillar, question, agency, reviewer), the
    # history (with who), the bell, the form's reviewers, pillars, questions and agencies.
    assert small == large == 12
