"""A refused section save keeps the file the operator chose (issue 24, item 17): the page says
"Berkas X sudah diterima, tidak perlu dipilih lagi" and the next save attaches it without
choosing it again. The kept file sits in the same private storage as evidence, is usable only
by the same person's post to the same submission and question (agency B never reaches agency A's
file), becomes ordinary evidence once used, and is deleted when used, replaced or a day old."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import ScopeError

from evaluations.models import Evidence, PendingEvidence, Question
from evaluations.regions import in_region, no_region

from .factories import assign, make_operator, make_period, make_question, make_region, period_of
from .filling import PDF, PNG, media_root, section_post, submission_of, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
T = Question.AnswerType


@pytest.fixture
def question(agency_a, agency_b):
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    assign(period, agency_b, "GOV")
    return make_question(period, code="E.1", answer_type=T.YES_NO)


@pytest.fixture
def submission(question, agency_a):
    return submission_of(period_of(question), agency_a)


def section_url(submission):
    return f"/opd/pengisian/{submission.pk}/bagian/X-GOV/"


def refused_post(client, submission, question, uploaded):
    """A file chosen with no title: the save is refused (the title is missing)."""
    data = section_post(submission, "X-GOV", {question: {"value": "1", "evidence_file": uploaded}})
    response = client.post(section_url(submission), data)
    assert response.status_code == 422
    return response


def token_in(html, question):
    name = f'name="q{question.pk}-evidence_pending" value="'
    assert name in html
    return html.split(name)[1].split('"')[0]


def test_a_refused_save_keeps_the_chosen_file_and_says_it_need_not_be_chosen_again(client_a, submission, question):
    html = refused_post(client_a, submission, question, upload("sk.pdf")).content.decode()
    assert "Berkas sk.pdf sudah diterima, tidak perlu dipilih lagi." in html
    assert "perlu dipilih ulang" not in html
    assert not Evidence.objects.exists()
    pending = PendingEvidence.objects.get()
    assert pending.file.name.startswith("pending/") and (media_root() / pending.file.name).exists()
    assert token_in(html, question) == pending.token


def test_the_next_save_attaches_the_kept_file_without_choosing_it_again(client_a, submission, question):
    html = refused_post(client_a, submission, question, upload("sk.pdf")).content.decode()
    kept = PendingEvidence.objects.get()
    data = section_post(
        submission,
        "X-GOV",
        {question: {"value": "1", "evidence_title": "SK Tim", "evidence_pending": token_in(html, question)}},
    )
    assert client_a.post(section_url(submission), data).status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.title, evidence.original_name, evidence.size) == ("SK Tim", "sk.pdf", len(PDF))
    assert evidence.file.name.startswith("evidence/")
    assert (media_root() / evidence.file.name).read_bytes() == PDF
    assert not PendingEvidence.objects.exists()
    assert not (media_root() / kept.file.name).exists()


def test_agency_b_never_reaches_agency_a_s_kept_file(client, operator_a, agency_b, submission, question):
    client.force_login(operator_a)
    token = token_in(refused_post(client, submission, question, upload("rahasia.pdf")).content.decode(), question)
    client.force_login(make_operator(agency_b, "operator_b"))
    theirs = submission_of(submission.period, agency_b)
    data = section_post(
        theirs, "X-GOV", {question: {"value": "1", "evidence_title": "Curian", "evidence_pending": token}}
    )
    response = client.post(section_url(theirs), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "rahasia.pdf" not in html
    assert not Evidence.objects.exists()
    assert PendingEvidence.objects.get().submission == submission


def test_a_file_that_fails_its_own_check_is_not_kept(client_a, submission, question):
    refused_post(client_a, submission, question, upload("palsu.pdf", PNG))
    assert not PendingEvidence.objects.exists()


def test_choosing_another_file_replaces_the_kept_one(client_a, submission, question):
    html = refused_post(client_a, submission, question, upload("lama.pdf")).content.decode()
    old = PendingEvidence.objects.get()
    data = section_post(
        submission,
        "X-GOV",
        {question: {"value": "1", "evidence_file": upload("baru.png"), "evidence_pending": token_in(html, question)}},
    )
    html = client_a.post(section_url(submission), data).content.decode()
    assert "Berkas baru.png sudah diterima, tidak perlu dipilih lagi." in html and "lama.pdf" not in html
    assert list(PendingEvidence.objects.values_list("original_name", flat=True)) == ["baru.png"]
    assert not (media_root() / old.file.name).exists()


def test_kept_files_older_than_a_day_are_deleted(client_a, submission, question):
    refused_post(client_a, submission, question, upload("kemarin.pdf"))
    old = PendingEvidence.objects.get()
    PendingEvidence.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(hours=25))
    refused_post(client_a, submission, question, upload("hari-ini.pdf"))
    assert list(PendingEvidence.objects.values_list("original_name", flat=True)) == ["hari-ini.pdf"]
    assert not (media_root() / old.file.name).exists()


def test_kept_files_belong_to_a_region(client_a, submission, question):
    refused_post(client_a, submission, question, upload("sk.pdf"))
    with no_region(), pytest.raises(ScopeError):
        PendingEvidence.objects.count()
    with in_region(make_region("64.72", "Kota Samarinda")):
        assert not PendingEvidence.objects.exists()
    with in_region(submission.period.region):
        assert PendingEvidence.objects.count() == 1
