"""Several open periods at once (issue 24, item 2): opening next year while this year is open
must not hide this year's work. One to-do list per person across every open period on the home
page, the period chooser kept while moving around, and a confirmation naming the other open
period before opening another."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import todo
from evaluations.models import EvaluationPeriod, Submission

from .factories import make_agency, make_operator, make_period, make_quick_win, make_submission, open_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_year(period):
    """2024 Tahap I, open, deadline ahead."""
    return period


@pytest.fixture
def next_year(this_year):
    """2025 Tahap I, a copy of 2024, opened while 2024 is still open."""
    copy = EvaluationPeriod.objects.create_copy(
        this_year, year=2025, stage="1", name="Evaluasi 2025 Tahap I", opens=this_year.opens, closes=this_year.closes
    )
    return open_period(copy)


def test_the_coordinators_home_lists_this_years_waiting_submission_while_next_year_is_open(
    client, coordinator, this_year, next_year, agency_a
):
    waiting = make_submission(this_year, agency_a, Submission.Status.SUBMITTED)
    proposal = make_quick_win(this_year, agency_a, name="Portal Satu Data")
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    assert "Yang perlu Anda kerjakan" in html
    assert f'href="/koordinator/pengisian/{waiting.pk}/">Verifikasi pengisian {agency_a.name}</a>' in html
    assert f'href="/quick-wins/{proposal.pk}/">Tetapkan atau tolak usulan quick win Portal Satu Data' in html
    # Each item is labelled with its period.
    assert html.count(this_year.name) >= 2


def test_the_operators_home_lists_the_returned_submission_of_last_year_and_next_years_start(
    client, this_year, next_year, agency_a, operator_a
):
    returned = make_submission(this_year, agency_a, Submission.Status.RETURNED)
    # The copy carries 2024's assignments: agency A answers in 2025 too.
    client.force_login(operator_a)
    html = client.get("/").content.decode()
    assert f'href="/opd/pengisian/{returned.pk}/">Perbaiki jawaban yang dikembalikan koordinator' in html
    assert f'href="/opd/?periode={next_year.pk}">Mulai pengisian kuesioner</a>' in html


def test_an_operator_with_nothing_left_is_told_so(client, this_year, agency_a, operator_a):
    make_submission(this_year, agency_a, Submission.Status.APPROVED)
    client.force_login(operator_a)
    assert "Tidak ada yang menunggu Anda di periode yang sedang dibuka." in client.get("/").content.decode()


def test_the_chosen_period_is_kept_while_moving_around(client, coordinator, this_year, next_year):
    client.force_login(coordinator)
    # Without a choice, the newest open period.
    assert f'<option value="{next_year.pk}" selected>' in client.get("/").content.decode()
    client.get(f"/hasil/?periode={this_year.pk}")
    for page in ["/", "/koordinator/", "/hasil/", "/quick-wins/"]:
        html = client.get(page).content.decode()
        assert f'<option value="{this_year.pk}" selected>' in html, page
    assert client.get("/survei-dampak/").url == f"/survei-dampak/{this_year.pk}/atur/"


def test_an_operator_goes_back_to_last_years_draft_from_opd(client, this_year, next_year, agency_a, operator_a):
    draft = make_submission(this_year, agency_a)
    client.force_login(operator_a)
    html = client.get("/opd/").content.decode()
    assert next_year.name in html
    assert 'action="/opd/"' in html and f'<option value="{this_year.pk}">' in html
    html = client.get(f"/opd/?periode={this_year.pk}").content.decode()
    assert f"{this_year.name}" in html
    assert Submission.objects.get(period=this_year, agency=agency_a) == draft
    # Kept: the data-set page and /opd/ show 2024 until another period is chosen.
    assert this_year.name in client.get("/opd/").content.decode()
    assert this_year.name in client.get("/data/").content.decode()


def test_a_draft_period_is_not_offered_to_an_operator(client, this_year, agency_a, operator_a):
    draft = make_period(year=2031, status=EvaluationPeriod.Status.DRAFT)
    client.force_login(operator_a)
    html = client.get(f"/opd/?periode={draft.pk}").content.decode()
    assert draft.name not in html
    assert not Submission.objects.filter(period=draft).exists()


def test_opening_a_period_while_another_is_open_asks_for_a_confirmation_naming_it(
    client, admin_user, this_year, agency_a, agency_b
):
    make_submission(this_year, agency_a, Submission.Status.SUBMITTED)
    make_submission(this_year, agency_b, Submission.Status.RETURNED)
    upcoming = EvaluationPeriod.objects.create_copy(
        this_year, year=2025, stage="1", name="Evaluasi 2025 Tahap I", opens=this_year.opens, closes=this_year.closes
    )
    client.force_login(admin_user)
    page = client.get(f"/kelola/periode/{upcoming.pk}/").content.decode()
    expected = f"{this_year.name} masih dibuka: 1 pengisian belum dikirim, 1 menunggu verifikasi, 0 quick win"
    assert expected in page
    assert 'name="periode_lain_dibuka"' in page

    response = client.post(f"/kelola/periode/{upcoming.pk}/buka/", follow=True)
    upcoming.refresh_from_db()
    assert upcoming.is_draft()
    assert expected in response.content.decode()

    client.post(f"/kelola/periode/{upcoming.pk}/buka/", {"periode_lain_dibuka": "1"})
    upcoming.refresh_from_db()
    assert upcoming.is_open()


def test_opening_the_only_period_needs_no_extra_confirmation(client, admin_user, this_year):
    upcoming = EvaluationPeriod.objects.create_copy(
        this_year, year=2025, stage="1", name="Evaluasi 2025 Tahap I", opens=this_year.opens, closes=this_year.closes
    )
    EvaluationPeriod.objects.filter(pk=this_year.pk).update(status=EvaluationPeriod.Status.CLOSED)
    client.force_login(admin_user)
    assert 'name="periode_lain_dibuka"' not in client.get(f"/kelola/periode/{upcoming.pk}/").content.decode()
    client.post(f"/kelola/periode/{upcoming.pk}/buka/")
    upcoming.refresh_from_db()
    assert upcoming.is_open()


@pytest.mark.parametrize("role", ["coordinator", "operator_a"])
def test_the_to_do_list_takes_the_same_queries_whatever_the_number_of_periods_and_items(role, request, this_year):
    user = request.getfixturevalue(role)

    def count():
        with CaptureQueriesContext(connection) as queries:
            todo.for_user(user)
        return len(queries)

    count()  # the user's groups and permissions, read once and cached
    small = count()
    for year in (2040, 2041, 2042):
        other = make_period(year=year)
        for _n in range(3):
            agency = make_agency()
            make_operator(agency)
            make_submission(other, agency, Submission.Status.SUBMITTED)
            make_quick_win(other, agency)
    assert count() == small
