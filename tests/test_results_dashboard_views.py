"""The coordinators' dashboard of the agencies' completion (/koordinator/) and its reminder button."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.models import EvaluationPeriod, Question, Submission
from pillars.models import Pillar

from .excel_helpers import header_index, open_workbook, sheet_rows
from .factories import (
    assign,
    make_agency,
    make_answer,
    make_mixed_period,
    make_operator,
    make_period,
    make_question,
    make_submission,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gov_questions(period):
    return list(Question.objects.for_period(period).filter(pillar__code="GOV").order_by("code"))


def _row(html, abbreviation):
    start = html.index(f'data-agency="{abbreviation}"')
    return html[start : html.index("</tr>", start)]


def test_an_operator_gets_403(client_a, period):
    assert client_a.get("/koordinator/").status_code == 403


@pytest.mark.parametrize("who", ["coordinator", "leader", "admin_user"])
def test_coordinators_leaders_and_the_admin_see_the_dashboard(client, period, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/koordinator/")
    assert response.status_code == 200
    assert period.name in response.content.decode()


def test_each_cell_shows_the_percentage_answered_and_links_to_the_review_page(
    client, coordinator, period, agency_a, gov_questions
):
    submission = make_submission(period, agency_a)
    make_answer(submission, gov_questions[0], score=3)
    client.force_login(coordinator)
    html = client.get("/koordinator/").content.decode()
    row = _row(html, agency_a.abbreviation)
    percent = round(100 / len(gov_questions))
    assert f'<a href="/koordinator/pengisian/{submission.pk}/?pilar=GOV">{percent}%</a>' in row
    assert "Sedang diisi" in row


def test_an_agency_that_has_not_started_shows_belum_mulai_without_a_link(client, coordinator, period, agency_b):
    client.force_login(coordinator)
    row = _row(client.get("/koordinator/").content.decode(), agency_b.abbreviation)
    assert "Belum mulai" in row
    assert "/koordinator/pengisian/" not in row


def test_totals_count_the_agencies_by_status(client, coordinator, period, agency_a, agency_b, gov_questions):
    make_answer(make_submission(period, agency_a, status=Submission.Status.SUBMITTED), gov_questions[0], score=2)
    make_answer(make_submission(period, agency_b, status=Submission.Status.APPROVED), gov_questions[0], score=2)
    client.force_login(coordinator)
    response = client.get("/koordinator/")
    totals = {code: n for code, _label, n in response.context["totals"]}
    assert totals["submitted"] == 1
    assert totals["approved"] == 1
    assert totals["not_started"] == response.context["agency_count"] - 2
    assert 'data-status="submitted">Dikirim <span class="badge text-bg-secondary">1</span>' in response.content.decode()


def test_a_pillar_the_agency_does_not_answer_reads_tidak_ditugaskan_to_a_screen_reader(
    client, coordinator, period, agency_a
):
    # aria-label on a plain <span> is not reliably read; the words are in the text, visually hidden.
    client.force_login(coordinator)
    row = _row(client.get("/koordinator/").content.decode(), agency_a.abbreviation)
    bra = row[row.index('data-pillar="BRA"') : row.index("</td>", row.index('data-pillar="BRA"'))]
    assert (
        '<span class="text-muted" aria-hidden="true">·</span><span class="visually-hidden">tidak ditugaskan</span>'
        in bra
    )
    assert "aria-label" not in row


def test_the_matrix_scrolls_sideways_in_a_focusable_region_named_by_its_caption(client, coordinator, period):
    client.force_login(coordinator)
    html = client.get("/koordinator/").content.decode()
    assert '<div class="table-responsive" tabindex="0" role="region" aria-labelledby="matrix-caption">' in html
    assert '<caption id="matrix-caption">Persentase pertanyaan' in html


def test_agencies_that_have_not_submitted_are_listed_as_overdue_after_the_deadline(
    client, coordinator, period, agency_a, agency_b, gov_questions
):
    make_answer(make_submission(period, agency_a, status=Submission.Status.SUBMITTED), gov_questions[0], score=2)
    period.opens = timezone.localdate() - timedelta(days=30)
    period.closes = timezone.localdate() - timedelta(days=3)
    period.save()
    client.force_login(coordinator)
    response = client.get("/koordinator/")
    overdue = [row.completion.agency for row in response.context["overdue"]]
    assert agency_b in overdue
    assert agency_a not in overdue
    assert "terlambat 3 hari" in response.content.decode()


def test_no_agency_is_overdue_before_the_deadline(client, coordinator, period):
    client.force_login(coordinator)
    assert client.get("/koordinator/").context["overdue"] == []


def test_the_pillar_filter_keeps_the_agencies_of_that_pillar_and_its_column(client, coordinator, period):
    client.force_login(coordinator)
    response = client.get("/koordinator/?pilar=LIV")
    agencies = {row.completion.agency.abbreviation for row in response.context["rows"]}
    assert "Dishub" in agencies
    assert "Bappeda" not in agencies
    assert [p.code for p in response.context["columns"]] == ["LIV"]


def test_the_status_filter_keeps_only_that_status(client, coordinator, period, agency_a, gov_questions):
    make_answer(make_submission(period, agency_a, status=Submission.Status.SUBMITTED), gov_questions[0], score=2)
    client.force_login(coordinator)
    rows = client.get("/koordinator/?status=submitted").context["rows"]
    assert [row.completion.agency for row in rows] == [agency_a]


def test_the_agency_filter_matches_name_or_abbreviation(client, coordinator, period):
    client.force_login(coordinator)
    rows = client.get("/koordinator/?q=bappe").context["rows"]
    assert [row.completion.agency.abbreviation for row in rows] == ["Bappeda"]


def test_sorting_by_percentage_descending_puts_the_most_complete_agency_first(
    client, coordinator, period, agency_b, gov_questions
):
    submission = make_submission(period, agency_b)
    for question in gov_questions[:3]:
        make_answer(submission, question, score=2)
    client.force_login(coordinator)
    response = client.get("/koordinator/?urut=-percent")
    assert response.context["rows"][0].completion.agency == agency_b
    # The column header now offers the opposite direction.
    assert "urut=percent" in response.context["sort_links"]["percent"]


def test_the_cached_matrix_follows_each_filter_and_sort_asked_in_turn(
    client, coordinator, period, agency_a, gov_questions
):
    """The matrix's HTML is kept per filter and sort (results.for_dashboard): asked in turn, each
    page shows its own rows, the same as the rows it lists."""
    make_answer(make_submission(period, agency_a, status=Submission.Status.SUBMITTED), gov_questions[0], score=2)
    client.force_login(coordinator)
    agencies = re.compile(r'<tr data-agency="([^"]+)">')
    seen = {}
    for query in ("", "?status=submitted", "?q=bappe", "?urut=-agency", "", "?status=submitted"):
        response = client.get(f"/koordinator/{query}")
        shown = agencies.findall(response.content.decode())
        assert shown == [row.completion.agency.abbreviation for row in response.context["rows"]], query
        seen.setdefault(query, shown)
        assert shown == seen[query]
    assert seen["?status=submitted"] == [agency_a.abbreviation]
    assert seen["?q=bappe"] == ["Bappeda"]
    assert seen["?urut=-agency"] == seen[""][::-1] and len(seen[""]) > 2


def test_the_cached_index_cards_follow_an_answer_handed_in(client, coordinator, period, agency_a, gov_questions):
    """The index cards' HTML is kept with the figures (results.for_dashboard): the next request
    after an answer is handed in shows it."""
    client.force_login(coordinator)
    answered = re.compile(r'class="coverage" data-assigned="\d+" data-answered="(\d+)"')
    assert answered.findall(client.get("/koordinator/").content.decode()) == ["0"] * 3
    make_answer(make_submission(period, agency_a, status=Submission.Status.SUBMITTED), gov_questions[0], score=2)
    assert answered.findall(client.get("/koordinator/").content.decode()) == ["1"] * 3


def test_the_cached_index_cards_follow_the_previous_period_s_name(client, coordinator):
    period = make_mixed_period()
    previous = EvaluationPeriod.objects.get(year=2024, stage="1")
    question = Question.objects.for_period(previous).filter(answer_type="level").first()
    make_answer(make_submission(previous, make_agency(), Submission.Status.APPROVED), question, score=0, verified=0)
    client.force_login(coordinator)
    assert (
        "+1,00 dibanding Evaluasi Smart City 2024 Tahap I<"
        in client.get(f"/koordinator/?periode={period.pk}").content.decode()
    )
    previous.name = "Evaluasi 2024 (diganti)"
    previous.save()
    html = client.get(f"/koordinator/?periode={period.pk}").content.decode()
    assert "+1,00 dibanding Evaluasi 2024 (diganti)<" in html


def test_a_renamed_pillar_shows_in_the_columns_and_the_filter_on_the_next_request(client, coordinator, period):
    """The pillars come with the cached figures (results.dashboard_figures), under a stamp that
    reads them."""
    client.force_login(coordinator)
    assert '<abbr title="Tata Kelola Baru">' not in client.get("/koordinator/").content.decode()
    Pillar.objects.filter(code="GOV").update(name="Tata Kelola Baru")
    html = client.get("/koordinator/").content.decode()
    assert '<abbr title="Tata Kelola Baru">GOV</abbr>' in html
    assert '<option value="GOV">Tata Kelola Baru</option>' in html


def test_an_unknown_filter_value_is_ignored(client, coordinator, period):
    client.force_login(coordinator)
    response = client.get("/koordinator/?status=hacked&urut=drop&periode=abc")
    assert response.status_code == 200
    assert response.context["period"] == period
    assert len(response.context["rows"]) == response.context["agency_count"]


def test_the_period_chooser_shows_another_period(client, coordinator, period):
    other = make_period(year=2031)
    make_question(other)
    assign(other, make_agency(name="Dinas Masa Depan"))
    client.force_login(coordinator)
    response = client.get(f"/koordinator/?periode={other.pk}")
    assert response.context["period"] == other
    assert [row.completion.agency.name for row in response.context["rows"]] == ["Dinas Masa Depan"]


def _dashboard_queries(client, n_agencies, twice=False):
    period = make_period(year=2040 + n_agencies)
    questions = [make_question(period, pillar=p) for p in ("GOV", "GOV", "ECO", "LIV")]
    for i in range(n_agencies):
        agency = make_agency()
        assign(period, agency, "GOV")
        assign(period, agency, "ECO")
        if i % 3:
            submission = make_submission(period, agency, status=Submission.Status.SUBMITTED if i % 2 else None)
            for question in questions[: 1 + i % 3]:
                make_answer(submission, question, score=i % 5)
    cache.clear()
    counts = []
    for _ in range(2 if twice else 1):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/koordinator/?periode={period.pk}&urut=-late")
        assert response.status_code == 200
        assert len(response.context["rows"]) == n_agencies
        counts.append(len(ctx.captured_queries))
    return counts


def test_the_dashboard_runs_the_same_number_of_queries_for_5_and_40_agencies(client, coordinator, period):
    client.force_login(coordinator)
    small = _dashboard_queries(client, 5, twice=True)
    large = _dashboard_queries(client, 40, twice=True)
    # Cold: session, user, permissions, periods, the stamp of both periods' inputs
    # (results_cache.input_stamps) before and after computing, agency_completion() 4, results() 3,
    # the previous period's results() 3 (the previous period is found among the periods read), the
    # pillars, the bell's unread count, 3 to remember the newly chosen period in the session (the
    # user comes with their agency and region). Warm: the four computations come from the cache.
    assert small == large == [21, 6]


# --- the reminder button -------------------------------------------------------------


@pytest.mark.usefixtures("immediate_jobs")
def test_the_reminder_button_emails_the_operators_of_agencies_that_have_not_submitted(
    client, coordinator, period, agency_a, operator_a, operator_b
):
    period.closes = timezone.localdate() + timedelta(days=3)
    period.save()
    make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    client.force_login(coordinator)
    response = client.post("/koordinator/pengingat/", {"periode": period.pk}, follow=True)
    assert [m.to for m in mail.outbox] == [[operator_b.email]]
    assert "1 e-mail pengingat dikirim" in response.content.decode()


@pytest.mark.usefixtures("immediate_jobs")
def test_the_reminder_button_sends_whenever_the_coordinator_asks_even_two_weeks_before_the_deadline(
    client, coordinator, period, operator_b
):
    assert period.days_left() == 14
    client.force_login(coordinator)
    response = client.post("/koordinator/pengingat/", {"periode": period.pk}, follow=True)
    assert [m.to for m in mail.outbox] == [[operator_b.email]]
    html = response.content.decode()
    assert "1 e-mail pengingat dikirim" in html
    assert "alert-danger" not in html


def test_a_leader_gets_403_from_the_reminder_button(client, leader, period):
    client.force_login(leader)
    assert client.post("/koordinator/pengingat/", {"periode": period.pk}).status_code == 403


def test_an_operator_gets_404_from_the_reminder_button(client_a, period):
    assert client_a.post("/koordinator/pengingat/", {"periode": period.pk}).status_code == 404


def test_the_reminder_button_rejects_get(client, coordinator, period):
    client.force_login(coordinator)
    assert client.get("/koordinator/pengingat/").status_code == 405


@pytest.mark.usefixtures("immediate_jobs")
def test_an_operator_with_an_agency_member_is_needed_for_a_reminder(client, coordinator, period):
    # Agencies without operators get nothing (and nothing fails).
    period.closes = timezone.localdate() + timedelta(days=1)
    period.save()
    make_operator(make_agency(), "lonely")  # not assigned in the period
    client.force_login(coordinator)
    client.post("/koordinator/pengingat/", {"periode": period.pk})
    assert mail.outbox == []


def test_the_period_chooser_preselects_the_open_period(client, coordinator, period):
    make_period(year=2031, status="draft")
    client.force_login(coordinator)
    html = client.get("/koordinator/").content.decode()
    assert f'<option value="{period.pk}" selected>' in html


def test_filtering_keeps_the_displayed_period_selected(client, coordinator, period):
    make_period(year=2031, status="draft")
    client.force_login(coordinator)
    html = client.get("/koordinator/?pilar=GOV").content.decode()
    assert f'<option value="{period.pk}" selected>' in html


@pytest.mark.parametrize("key", ["agency", "percent", "status", "late"])
def test_every_column_sorts_both_ways(client, coordinator, period, key):
    client.force_login(coordinator)
    up = client.get(f"/koordinator/?urut={key}").context
    down = client.get(f"/koordinator/?urut=-{key}").context
    assert (up["sort"], down["sort"]) == (key, f"-{key}")


# --- the three indexes, as on the results page ------------------------------------------


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _index_cards(html):
    """{kind: text of its card} of the shared index partial."""
    cards = re.findall(r'<div class="card h-100 index-(\w+)">(.*?)</div></div>', html, re.S)
    return {kind: _text(body).strip() for kind, body in cards}


def test_the_dashboard_shows_the_three_labelled_indexes_with_their_coverage(client, coordinator):
    period = make_mixed_period()
    client.force_login(coordinator)
    cards = _index_cards(client.get(f"/koordinator/?periode={period.pk}").content.decode())
    # Hand-computed in tests.factories.make_mixed_period: drafts never count.
    assert cards["official"].startswith("Indeks resmi (disetujui, skor verifikasi) 1,00")
    assert cards["provisional"].startswith("Indeks sementara (semua yang dikirim) 2,20")
    assert cards["self"].startswith("Indeks penilaian mandiri 2,90")
    coverage = "4 pertanyaan ditugaskan: 4 dijawab (100%), 3 dikirim (75%), 2 disetujui (50%), 2 diverifikasi (50%)"
    assert all(coverage in card for card in cards.values())
    assert "1 pertanyaan disetujui dihitung dengan skor mandiri (belum diverifikasi)." in cards["official"]


def test_the_dashboard_compares_only_the_official_index_with_the_previous_period(client, coordinator):
    period = make_mixed_period()
    # The previous period is the shipped 2024 one, with one approved answer scored a real 0: official 0.
    previous = EvaluationPeriod.objects.get(year=2024, stage="1")
    question = Question.objects.for_period(previous).filter(answer_type="level").first()
    make_answer(make_submission(previous, make_agency(), Submission.Status.APPROVED), question, score=0, verified=0)
    client.force_login(coordinator)
    cards = _index_cards(client.get(f"/koordinator/?periode={period.pk}").content.decode())
    assert "+1,00 dibanding Evaluasi Smart City 2024 Tahap I" in cards["official"]
    assert "dibanding" not in cards["provisional"] + cards["self"]


def test_the_dashboard_links_to_the_full_results_of_the_period(client, coordinator):
    period = make_mixed_period()
    client.force_login(coordinator)
    html = client.get(f"/koordinator/?periode={period.pk}").content.decode()
    assert f'<a href="/hasil/?periode={period.pk}">Lihat hasil lengkap per dimensi dan pilar</a>' in html


def test_the_results_page_the_dashboard_and_the_workbook_show_the_same_numbers(client, coordinator, immediate_jobs):
    period = make_mixed_period()
    client.force_login(coordinator)
    results_page = _index_cards(client.get(f"/hasil/?periode={period.pk}").content.decode())
    dashboard = _index_cards(client.get(f"/koordinator/?periode={period.pk}").content.decode())
    assert dashboard == results_page
    workbook = client.post(f"/ekspor/{period.pk}/", follow=True)
    book = open_workbook(b"".join(workbook.streaming_content) if workbook.streaming else workbook.content)
    summary = {row[1]: row for row in sheet_rows(book["Ringkasan"]) if len(row) > 1 and row[1]}
    for kind, label in [
        ("official", "Indeks resmi (disetujui, skor verifikasi)"),
        ("provisional", "Indeks sementara (semua yang dikirim)"),
        ("self", "Indeks penilaian mandiri"),
    ]:
        shown = f"{summary[label][3]:.2f}".replace(".", ",")
        assert dashboard[kind].startswith(f"{label} {shown}")
    coverage = [summary[stage][3] for stage in ("Ditugaskan", "Dijawab", "Dikirim", "Disetujui", "Diverifikasi")]
    assert coverage == [4, 4, 3, 2, 2]
    assert dashboard["official"].count("4 pertanyaan ditugaskan: 4 dijawab (100%), 3 dikirim (75%), 2 disetujui") == 1
    # The Kuesioner's per-question scores add up to the same official index: A = mean(–, –) counting 0,
    # B = mean(2, 3) = 2.5, weighted 60/40: 1.0.
    columns, rows = header_index(book["Kuesioner"]), sheet_rows(book["Kuesioner"])[2:]
    official = {row[columns["Kode pertanyaan"]]: row[columns["Skor resmi"]] for row in rows}
    assert official == {"q1": None, "q2": None, "q3": 2, "q4": 3}
    assert summary["Indeks resmi (disetujui, skor verifikasi)"][3] == 0.4 * (2 + 3) / 2


@pytest.mark.usefixtures("immediate_jobs")
def test_a_second_click_on_the_same_day_sends_nothing_and_says_how_many_were_skipped(
    client, coordinator, period, operator_a, operator_b
):
    client.force_login(coordinator)
    client.post("/koordinator/pengingat/", {"periode": period.pk})
    response = client.post("/koordinator/pengingat/", {"periode": period.pk}, follow=True)
    assert len(mail.outbox) == 2
    html = response.content.decode()
    assert "0 e-mail pengingat dikirim ke operator 0 perangkat daerah." in html
    assert "2 perangkat daerah dilewati karena sudah diingatkan hari ini." in html


@pytest.mark.usefixtures("immediate_jobs")
def test_the_reminder_button_refuses_a_closed_period(client, coordinator, period, operator_b):
    period.status = period.Status.CLOSED
    period.save()
    client.force_login(coordinator)
    response = client.post("/koordinator/pengingat/", {"periode": period.pk}, follow=True)
    assert mail.outbox == []
    assert "Pengingat hanya dikirim untuk periode yang sedang dibuka." in response.content.decode()
