"""The coordinators' bulk review page (/koordinator/periode/<id>/verifikasi-massal/): the filter
in words, the confirmation step, the outcome and what was skipped."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import roles
from evaluations.models import Answer, Question, Submission

from .factories import make_agency, make_answer, make_reviewer, make_submission, make_user, plan_review

pytestmark = pytest.mark.django_db
S = Submission.Status


@pytest.fixture
def questions(period):
    return list(Question.objects.for_period(period).filter(answer_type="level").order_by("code"))


@pytest.fixture
def answers(period, agency_a, questions):
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    return [make_answer(submission, question, score=3) for question in questions[:3]]


def url(period, query=""):
    return f"/koordinator/periode/{period.pk}/verifikasi-massal/{query}"


def posted(answers, action="terima", **extra):
    return {"action": action, "jawaban": [f"{a.pk}:{a.review_stamp}" for a in answers], **extra}


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_page_states_n_and_the_filter_in_words(as_coordinator, period, answers, agency_a):
    html = as_coordinator.get(url(period, f"?opd={agency_a.pk}")).content.decode()
    assert "3 jawaban" in html
    assert f"Skor mandiri, belum diverifikasi · semua pilar · {agency_a.name}" in html
    assert "Terima skor mandiri 3 jawaban ini" in html
    assert "Tandai 3 jawaban ini untuk revisi dengan catatan ini" in html


def test_a_leader_gets_403_and_an_operator_404(client, leader, operator_a, period):
    client.force_login(leader)
    assert client.get(url(period)).status_code == 403
    client.force_login(operator_a)
    assert client.get(url(period)).status_code == 404


def test_the_first_post_asks_to_confirm_naming_n_and_the_filter_and_changes_nothing(as_coordinator, period, answers):
    response = as_coordinator.post(url(period, "?keadaan=belum"), posted(answers))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Terima skor mandiri 3 jawaban ini sebagai skor verifikasinya?" in html
    assert "Skor mandiri, belum diverifikasi · semua pilar · semua perangkat daerah" in html
    assert html.count('name="jawaban"') == 3
    assert not Answer.objects.filter(verified_score__isnull=False).exists()


def test_confirming_applies_and_says_how_many(as_coordinator, period, answers):
    response = as_coordinator.post(url(period, "?keadaan=belum"), posted(answers, confirmed="1"))
    assert response.status_code == 302 and response["Location"] == url(period, "?keadaan=belum")
    assert texts(response) == ["Skor mandiri 3 jawaban diterima sebagai skor verifikasi."]
    assert [a.verified_score for a in Answer.objects.filter(pk__in=[a.pk for a in answers])] == [Decimal(3)] * 3


def test_an_answer_changed_since_the_page_was_drawn_is_reported_as_skipped(
    as_coordinator, period, answers, coordinator
):
    data = posted(answers, confirmed="1")
    answers[0].set_verified_score(coordinator, Decimal(1))
    response = as_coordinator.post(url(period), data)
    code = f"{answers[0].submission.agency.abbreviation} {answers[0].question.code}"
    assert texts(response) == [
        "Skor mandiri 2 jawaban diterima sebagai skor verifikasi.",
        f"1 jawaban dilewati (diubah orang lain sejak halaman dimuat): {code}",
    ]
    assert Answer.objects.get(pk=answers[0].pk).verified_score == Decimal(1)


def test_marking_with_a_note_after_confirming(as_coordinator, period, answers):
    data = posted(answers, action="tandai", note="Lampirkan SK bupati.")
    confirm = as_coordinator.post(url(period), data).content.decode()
    assert "Tandai 3 jawaban ini untuk revisi dengan catatan berikut?" in confirm
    assert "Lampirkan SK bupati." in confirm
    response = as_coordinator.post(url(period), {**data, "confirmed": "1"})
    assert texts(response) == ["3 jawaban ditandai perlu perbaikan."]
    assert Answer.objects.filter(needs_revision=True, revision_note="Lampirkan SK bupati.").count() == 3


def test_marking_without_a_note_is_refused_at_the_note(as_coordinator, period, answers):
    response = as_coordinator.post(url(period), posted(answers, action="tandai", note=""))
    assert response.status_code == 400
    assert "Tulis catatan perbaikan" in response.content.decode()
    assert not Answer.objects.filter(needs_revision=True).exists()


def test_a_tampered_answer_list_is_refused(as_coordinator, period, answers):
    response = as_coordinator.post(url(period), {"action": "terima", "jawaban": ["x:1"], "confirmed": "1"})
    assert response.status_code == 400
    assert "Daftar jawaban tidak valid" in response.content.decode()


def test_an_unknown_filter_value_falls_back_to_every_answer_under_review(as_coordinator, period, answers):
    html = as_coordinator.get(url(period, "?pilar=NOPE&opd=abc&keadaan=x")).content.decode()
    assert "3 jawaban" in html


def _stamped(html):
    return len(re.findall(r'name="jawaban"', html))


def test_the_page_takes_the_same_number_of_queries_with_1_and_40_answers(
    as_coordinator, period, agency_a, questions, django_assert_num_queries
):
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    make_answer(submission, questions[0], score=2)
    as_coordinator.get(url(period))  # the session and the user's permissions, as on any page
    with django_assert_num_queries(PAGE_QUERIES):
        assert "1 jawaban" in as_coordinator.get(url(period)).content.decode()
    for n in range(39):
        agency = make_agency(f"Dinas Uji {n}", f"DU{n}")
        make_answer(make_submission(period, agency, status=S.SUBMITTED), questions[n % len(questions)], score=2)
    with django_assert_num_queries(PAGE_QUERIES):
        html = as_coordinator.get(url(period)).content.decode()
    assert "40 jawaban" in html and _stamped(html) == 80


# The session, the user, their permissions, the period, the plan's rows (what the coordinator may act
# on), the answers, the bell's unread count, the filter's pillars and agencies.
PAGE_QUERIES = 9


def test_with_a_plan_n_counts_only_the_answers_the_coordinator_may_act_on(
    client, as_coordinator, period, answers, coordinator
):
    given = answers[0].question.pillar
    other = make_user("koordinator_lain", roles.COORDINATOR)
    plan_review(period, other, given)
    mine = [a for a in answers if a.question.pillar_id != given.pk]
    html = as_coordinator.get(url(period)).content.decode()
    # The answers the plan gives another reviewer are neither counted nor sent with the action.
    assert f"Terima skor mandiri {len(mine)} jawaban ini" in html and _stamped(html) == 2 * len(mine)
    client.force_login(other)
    html = client.get(url(period)).content.decode()
    assert f"Terima skor mandiri {len(answers)} jawaban ini" in html  # theirs, and what the plan gives nobody


# --- a reviewer's queue (/koordinator/antrean/verifikasi-massal/): the same actions on its set ----


@pytest.fixture
def split(period, agency_a, agency_b, questions):
    """Agency A's answers under review: GOV given to Bappeda's reviewer, the rest to a coordinator."""
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    answers = [make_answer(submission, question, score=3) for question in questions]
    lead = make_reviewer(agency_b, "peninjau_bappeda")
    other = make_user("koordinator_lain", roles.COORDINATOR)
    plan_review(period, lead, "GOV")
    for code in {a.question.pillar.code for a in answers} - {"GOV"}:
        plan_review(period, other, code)
    gov = [a for a in answers if a.question.pillar.code == "GOV"]
    rest = [a for a in answers if a.question.pillar.code != "GOV"]
    assert gov and rest
    return lead, gov, rest


def queue_url(period, query=""):
    return f"/koordinator/antrean/verifikasi-massal/?periode={period.pk}{query}"


def test_the_queue_offers_the_bulk_actions_on_its_filtered_set(client, period, split):
    lead, gov, _rest = split
    client.force_login(lead)
    html = client.get(f"/koordinator/antrean/?periode={period.pk}").content.decode()
    n = len(gov)
    assert f"Terima skor mandiri {n} jawaban ini" in html
    assert f"Tandai {n} jawaban ini untuk revisi dengan catatan ini" in html
    assert html.count('name="jawaban"') == 2 * n
    assert f'action="/koordinator/antrean/verifikasi-massal/?periode={period.pk}"' in html


def test_the_queues_first_post_asks_to_confirm_naming_n_and_the_filter(client, period, split):
    lead, gov, _rest = split
    client.force_login(lead)
    pillar = gov[0].question.pillar
    response = client.post(queue_url(period, f"&pilar={pillar.pk}"), posted(gov))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Terima skor mandiri {len(gov)} jawaban ini sebagai skor verifikasinya?" in html
    assert f"Belum diverifikasi · {pillar.name} · semua perangkat daerah" in html
    assert f'href="/koordinator/antrean/?periode={period.pk}&amp;pilar={pillar.pk}"' in html
    assert not Answer.objects.filter(verified_score__isnull=False).exists()


def test_a_lead_agencys_reviewer_accepts_their_answers_from_the_queue(client, period, split):
    lead, gov, _rest = split
    client.force_login(lead)
    response = client.post(queue_url(period), posted(gov, confirmed="1"))
    assert response.status_code == 302 and response["Location"] == f"/koordinator/antrean/?periode={period.pk}"
    assert texts(response) == [f"Skor mandiri {len(gov)} jawaban diterima sebagai skor verifikasi."]
    assert {a.verified_score for a in Answer.objects.filter(pk__in=[a.pk for a in gov])} == {Decimal(3)}


def test_another_reviewers_answers_posted_to_the_queue_are_skipped(client, period, split):
    lead, gov, rest = split
    client.force_login(lead)
    response = client.post(queue_url(period), posted(gov[:1] + rest[:1], confirmed="1"))
    # The queue passes the reviewer's own answers only: another's is outside the set.
    assert texts(response) == [
        "Skor mandiri 1 jawaban diterima sebagai skor verifikasi.",
        f"1 jawaban dilewati (tidak lagi termasuk saringan ini): #{rest[0].pk}",
    ]
    assert Answer.objects.get(pk=rest[0].pk).verified_score is None


def test_a_lead_agencys_reviewer_marks_their_answers_from_the_queue_with_a_note(client, period, split):
    lead, gov, _rest = split
    client.force_login(lead)
    data = posted(gov, action="tandai", note="Lampirkan SK.")
    assert "Lampirkan SK." in client.post(queue_url(period), data).content.decode()
    response = client.post(queue_url(period), {**data, "confirmed": "1"})
    assert texts(response) == [f"{len(gov)} jawaban ditandai perlu perbaikan."]
    assert Answer.objects.filter(needs_revision=True).count() == len(gov)


def test_a_lead_agencys_reviewer_is_refused_the_coordinators_bulk_page(client, period, split):
    lead, gov, _rest = split
    client.force_login(lead)
    assert client.get(url(period)).status_code == 404
    assert client.post(url(period), posted(gov, confirmed="1")).status_code == 404
    assert not Answer.objects.filter(verified_score__isnull=False).exists()


def test_the_coordinators_bulk_page_skips_the_answers_the_plan_gives_reviewers(as_coordinator, period, split):
    _lead, gov, rest = split
    response = as_coordinator.post(url(period), posted(gov + rest, confirmed="1"))
    assert texts(response)[0] == "Skor mandiri 0 jawaban diterima sebagai skor verifikasi."
    assert texts(response)[1].startswith(f"{len(gov) + len(rest)} jawaban dilewati (diberikan kepada peninjau lain)")
    assert not Answer.objects.filter(verified_score__isnull=False).exists()


def test_marking_from_the_queue_without_a_note_goes_back_to_the_queue_with_the_reason(client, period, split):
    lead, gov, _rest = split
    client.force_login(lead)
    response = client.post(queue_url(period), posted(gov, action="tandai", note=""))
    assert response.status_code == 302 and response["Location"] == f"/koordinator/antrean/?periode={period.pk}"
    assert texts(response) == ["Tulis catatan perbaikan agar perangkat daerah tahu apa yang harus diperbaiki."]
    assert not Answer.objects.filter(needs_revision=True).exists()


def test_the_queues_bulk_action_is_post_only_and_refused_to_operators(client, period, split, operator_a, leader):
    lead, gov, _rest = split
    client.force_login(lead)
    assert client.get(queue_url(period)).status_code == 405
    client.force_login(operator_a)
    assert client.post(queue_url(period), posted(gov, confirmed="1")).status_code == 404
    client.force_login(leader)
    assert client.post(queue_url(period), posted(gov, confirmed="1")).status_code == 403
    assert not Answer.objects.filter(verified_score__isnull=False).exists()


def test_the_queues_confirmed_bulk_action_takes_the_same_queries_for_1_and_40_agencies(
    client, period, questions, agency_b
):
    lead = make_reviewer(agency_b, "peninjau_bappeda")
    question = next(q for q in questions if q.pillar.code == "GOV")
    plan_review(period, lead, "GOV")
    client.force_login(lead)
    client.get(f"/koordinator/antrean/?periode={period.pk}")  # the session and the user's permissions

    def accept(more):
        answers = [make_answer(make_submission(period, make_agency(), status=S.SUBMITTED), question, score=2)]
        answers += [
            make_answer(make_submission(period, make_agency(), status=S.SUBMITTED), question, score=2)
            for _n in range(more)
        ]
        with CaptureQueriesContext(connection) as queries:
            response = client.post(queue_url(period), posted(answers, confirmed="1"))
        assert texts(response)[0] == f"Skor mandiri {len(answers)} jawaban diterima sebagai skor verifikasi."
        sqls = [q["sql"][:90] for q in queries.captured_queries]
        client.get(response["Location"])  # the messages shown, as the browser would
        return sqls

    small, large = accept(0), accept(39)
    assert len(small) == len(large) == QUEUE_BULK_QUERIES, (small, large)


# The session, the user, their permissions, the periods, the reviewer's plan rows (the queue's set),
# a savepoint, the submissions locked, the plans' rows (ReviewScope), the answers, one UPDATE, one
# INSERT of the events, the savepoint released.
QUEUE_BULK_QUERIES = 12
