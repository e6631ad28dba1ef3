"""Every region side by side (evaluations/national.py, /nasional/, /provinsi/<kode>/): the same
figures as each region's results page, ranks on the official index (ties share, no official index
means no rank), a fixed number of queries whatever the number of regions, who may read which
table, sorting, and the table as an .xlsx job."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from evaluations import national, roles
from evaluations.models import Answer, EvaluationPeriod, NationalPeriod, Question, Region, Submission

from .factories import (
    assign,
    make_agency,
    make_answer,
    make_period,
    make_question,
    make_region,
    make_submission,
    make_user,
)

pytestmark = pytest.mark.django_db

YEAR = 2070


def _region_with_scores(code, name, scores, status=Submission.Status.APPROVED, province="64"):
    """A region's period of the YEAR national period whose one agency answered the national
    questions with `scores` (in question order) in a submission of `status`."""
    region = make_region(code, name, province=province)
    period = make_period(year=YEAR, region=region)
    questions = _questions(period)
    agency = make_agency(region=region)
    assign(period, agency, "GOV")
    submission = make_submission(period, agency, status=status)
    for question, score in zip(questions, scores, strict=False):
        make_answer(submission, question, score=score)
    return period


def _questions(period):
    existing = list(Question.objects.for_period(period).order_by("code"))
    if existing:
        return existing
    return [make_question(period, code=f"N{i}", pillar="GOV") for i in range(2)]


@pytest.fixture
def regions_2070():
    return {
        "kutim": _region_with_scores("64.08", "Kabupaten Kutai Timur", [4, 2]),
        "samarinda": _region_with_scores("64.72", "Kota Samarinda", [3, 3]),
        "bontang": _region_with_scores("64.74", "Kota Bontang", [2, 2]),
        "berau": _region_with_scores("64.03", "Kabupaten Berau", [4, 4], status=Submission.Status.SUBMITTED),
        "malinau": _region_with_scores("65.02", "Kabupaten Malinau", [1, 1], province="65"),
    }


def _rows():
    return {
        row.region.code: row
        for row in national.region_rows(NationalPeriod.objects.get(year=YEAR), Region.objects.evaluated())
    }


def test_each_row_has_the_figures_of_the_regions_results_page(regions_2070):
    rows = _rows()
    for period in regions_2070.values():
        results, row = period.results(), rows[period.region.code]
        approved = results.coverage.total.approved
        assert row.official == (results.official.final if approved else None)
        assert row.provisional == results.provisional.final
        assert row.pillars["GOV"] == (results.official.pillars["GOV"] if approved else None)
        assert row.coverage == results.coverage.total.approved_percent


def test_ties_share_a_rank_and_a_region_without_an_official_index_has_none(regions_2070):
    rows = _rows()
    # Kutai Timur and Samarinda both 3,00; Bontang 2,00; Malinau 1,00; Berau handed in, nothing approved.
    assert [rows[c].national_rank for c in ("64.08", "64.72", "64.74", "65.02")] == [1, 1, 3, 4]
    assert rows["64.03"].official is None and rows["64.03"].national_rank is None
    assert rows["64.03"].provisional == Decimal(4)
    assert rows["65.02"].province_rank == 1
    assert rows["64.74"].province_rank == 3
    assert (rows["64.08"].handed_in, rows["64.08"].approved, rows["64.03"].approved) == (1, 1, 0)


def _queries(first, count):
    """The queries of the table computed (nothing cached) and read again (all cached)."""
    cache.clear()
    periods = [
        _region_with_scores(f"62.{n:02d}", f"Kabupaten Uji {n}", [n % 5, 4 - n % 5], province="62")
        for n in range(first, first + count)
    ]
    with CaptureQueriesContext(connection) as cold:
        rows = national.region_rows(periods[0].national, Region.objects.evaluated())
    with CaptureQueriesContext(connection) as warm:
        again = national.region_rows(periods[0].national, Region.objects.evaluated())
    assert [(r.region.code, r.official, r.national_rank) for r in again] == [
        (r.region.code, r.official, r.national_rank) for r in rows
    ]
    return len(cold), len(warm), rows


def test_the_table_takes_the_same_queries_for_1_and_20_regions():
    one_cold, one_warm, _rows_one = _queries(1, 1)
    twenty_cold, twenty_warm, rows = _queries(2, 20)
    # Computed: the periods, their inputs' stamp, the seven aggregates (national._figures), the
    # stamp again. Cached: the periods and the stamp (the figures from one cache read).
    assert one_cold == twenty_cold == 10
    assert one_warm == twenty_warm == 2
    assert len(rows) == 21


def test_a_change_in_one_region_computes_that_regions_figures_only(monkeypatch, regions_2070):
    _rows()
    computed = []
    compute = national._figures
    monkeypatch.setattr(national, "_figures", lambda periods: computed.append(periods) or compute(periods))
    _rows()
    assert computed == []
    samarinda = regions_2070["samarinda"]
    answer = Answer.objects.filter(submission__period=samarinda).order_by("question__code").first()
    answer.self_score = Decimal(1)
    answer.version += 1
    answer.save()
    with CaptureQueriesContext(connection) as queries:
        rows = {row.region.code: row for row in national.region_rows(samarinda.national, Region.objects.evaluated())}
    assert computed == [[samarinda]]
    assert len(queries) == 10
    # Samarinda's 3,00 became 2,00: Kutai Timur alone first, Samarinda now ties with Bontang.
    assert rows["64.72"].official == Decimal(2) and rows["64.72"].national_rank == rows["64.74"].national_rank == 2


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _table_html(client):
    return CSRF.sub("", client.get("/nasional/").content.decode())


def _row_html(html, code):
    return re.search(rf'<tr[^>]*data-region="{re.escape(code)}".*?</tr>', html, re.DOTALL).group(0)


def change_an_answer(periods, coordinator):
    # Samarinda's approved answer to the first question (self score 3) becomes 1: its official
    # index goes from 3,00 to 2,00.
    answer = Answer.objects.filter(submission__period=periods["samarinda"]).order_by("question__code").first()
    answer.self_score = Decimal(1)
    answer.version += 1
    answer.save()
    return "64.72"


def verify_an_answer(periods, coordinator):
    # Berau's submitted answers (4, 4): one verified 1 moves its provisional index to 2,50.
    answer = Answer.objects.filter(submission__period=periods["berau"]).order_by("question__code").first()
    answer.set_verified_score(coordinator, Decimal(1))
    return "64.03"


def approve_a_submission(periods, coordinator):
    # Berau's submission approved: its official index (4,00) and national rank 1 appear.
    Submission.objects.get(period=periods["berau"]).approve(coordinator, accept_self_scores=True)
    return "64.03"


@pytest.mark.parametrize(
    "change", [change_an_answer, verify_an_answer, approve_a_submission], ids=lambda change: change.__name__
)
def test_a_change_in_one_region_shows_on_the_next_national_table(client, ministry, regions_2070, change):
    coordinator = make_user(role=roles.COORDINATOR)
    client.force_login(ministry)
    before = _table_html(client)
    assert _table_html(client) == before  # the second time from the cache
    code = change(regions_2070, coordinator)
    after = _table_html(client)
    assert _row_html(after, code) != _row_html(before, code), "the changed region's row did not change"
    cache.clear()
    assert _table_html(client) == after, "the cached table differs from a freshly computed one"


def rename_a_region(periods, coordinator):
    # A region's name is shown in its row and kept with the cached table: a rename shows at once.
    Region.objects.filter(code="64.72").update(name="Kota Samarinda Baru")
    return "64.72"


def test_the_cached_table_follows_a_rename_and_each_order_asked(client, ministry, regions_2070):
    client.force_login(ministry)
    before = _table_html(client)
    rename_a_region(regions_2070, None)
    assert "Kota Samarinda Baru" in _row_html(_table_html(client), "64.72")
    codes = re.compile(r'<tr data-region="([^"]+)">')
    by_code = codes.findall(client.get("/nasional/?urut=kode").content.decode())
    assert by_code == sorted(by_code) and len(by_code) >= 5
    assert codes.findall(client.get("/nasional/?urut=kode&arah=turun").content.decode()) == by_code[::-1]
    assert codes.findall(client.get("/nasional/?urut=kode").content.decode()) == by_code
    assert before != _table_html(client)


def test_the_national_page_takes_a_fixed_number_of_queries_cold_and_warm(
    client, ministry, regions_2070, django_assert_num_queries
):
    client.force_login(ministry)
    client.get("/akun/kata-sandi/selesai/")  # the session and the user read once, as on any page
    # The session, the user, their permissions and the regions they may read; the national
    # periods, the pillars, the provinces; the table (national.table): the periods' ids and names
    # and their stamp, then cold the periods in full, the figures (7) and the stamp again (11),
    # warm nothing more (2).
    with django_assert_num_queries(18):
        client.get("/nasional/")
    with django_assert_num_queries(9):
        client.get("/nasional/")


@pytest.fixture
def ministry():
    return make_user("kementerian", roles.MINISTRY)


def test_the_ministry_reads_every_region_sorted_and_filtered(client, ministry, regions_2070):
    client.force_login(ministry)
    html = client.get("/nasional/").content.decode()
    for code in ("64.08", "64.72", "64.74", "64.03", "65.02"):
        assert f'data-region="{code}"' in html
    assert "Kota Samarinda" in html and "3,00" in html
    filtered = client.get("/nasional/?provinsi=65").content.decode()
    assert 'data-region="65.02"' in filtered and 'data-region="64.08"' not in filtered
    by_name = client.get("/nasional/?urut=wilayah").content.decode()
    assert re.findall(r'data-region="([0-9.]+)"', by_name) == ["64.03", "64.08", "65.02", "64.74", "64.72"]
    by_rank = client.get("/nasional/?urut=peringkat").content.decode()
    # Ranked first (the tie in code order), the unranked last.
    assert re.findall(r'data-region="([0-9.]+)"', by_rank)[-1] == "64.03"
    # A region's row links to its results, read in that region.
    assert f"/hasil/?wilayah=64.72&amp;periode={regions_2070['samarinda'].pk}" in html


def test_a_province_reads_its_own_regions_only(client, regions_2070):
    reader = make_user("diskominfo_kaltim", roles.PROVINCE, region=Region.objects.get(code="64"))
    client.force_login(reader)
    html = client.get("/provinsi/64/").content.decode()
    assert 'data-region="64.72"' in html and 'data-region="65.02"' not in html
    assert client.get("/provinsi/65/").status_code == 404
    assert client.get("/nasional/").status_code == 404


@pytest.mark.parametrize("role", [roles.COORDINATOR, roles.ADMIN, roles.LEADER])
def test_a_regions_people_read_no_other_region(client, role, regions_2070):
    client.force_login(make_user(role=role))
    assert client.get("/nasional/").status_code == 404
    assert client.get("/provinsi/64/").status_code == 404


def test_the_ministry_reads_a_regions_results_read_only(client, ministry, regions_2070):
    client.force_login(ministry)
    samarinda = regions_2070["samarinda"]
    response = client.get(f"/hasil/?wilayah=64.72&periode={samarinda.pk}")
    assert response.status_code == 200
    assert samarinda.name in response.content.decode()
    # The chosen region stays for the next page; writing is not the ministry's.
    assert client.get("/koordinator/").status_code == 200
    submission = Submission.objects.get(period=samarinda)
    assert client.post(f"/koordinator/pengisian/{submission.pk}/setujui/").status_code in (403, 404)


def test_the_table_downloads_as_a_workbook(client, ministry, regions_2070, immediate_jobs, private_media):
    client.force_login(ministry)
    national_period = NationalPeriod.objects.get(year=YEAR)
    response = client.post("/nasional/unduh/", {"periode": national_period.pk, "provinsi": "64"})
    assert response.status_code == 302
    job_url = response["Location"]
    download = client.get(job_url.rstrip("/") + "/unduh/")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"64.03", "64.08", "64.72", "64.74"}
    assert rows["64.72"][3] == 3 and rows["64.03"][3] is None


def test_a_region_period_in_another_region_is_never_the_chosen_one(client, regions_2070):
    # A coordinator of Kutai Timur sees Kutai Timur's 2070 period only.
    coordinator = make_user(role=roles.COORDINATOR)
    client.force_login(coordinator)
    html = client.get("/hasil/").content.decode()
    assert "Kota Samarinda" not in html
    assert EvaluationPeriod.objects.filter(year=YEAR).count() == 5


def test_the_workbook_job_reads_the_figures_the_table_cached(
    client, ministry, regions_2070, immediate_jobs, private_media, monkeypatch
):
    client.force_login(ministry)
    client.get("/nasional/?provinsi=64")
    computed = []
    compute = national._figures
    monkeypatch.setattr(national, "_figures", lambda periods: computed.append(periods) or compute(periods))
    national_period = NationalPeriod.objects.get(year=YEAR)
    response = client.post("/nasional/unduh/", {"periode": national_period.pk, "provinsi": "64"})
    download = client.get(response["Location"].rstrip("/") + "/unduh/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=3, values_only=True)} == {"64.03", "64.08", "64.72", "64.74"}
    assert computed == []


# The rows' markup as the template wrote it before national.table_body wrote it in Python.
ROWS_TEMPLATE = """{% load i18n review_extras %}{% for row in rows %}
    <tr data-region="{{ row.region.code }}">
      <td>{{ row.region.code }}</td>
      <th scope="row"><a href="{% url 'evaluations:results_index' %}?wilayah={{ row.region.code|urlencode }}&amp;periode={{ row.period.pk }}">{{ row.region.name }}</a></th>
      <td class="text-end official">{{ row.official|score }}</td>
      <td class="text-end provisional">{{ row.provisional|score }}</td>
      <td class="text-end coverage">{% if row.coverage is None %}–{% else %}{{ row.coverage|floatformat:0 }}%{% endif %}</td>
      {% for value in row.pillar_values %}<td class="text-end pillar">{{ value|score }}</td>{% endfor %}
      <td class="text-end">{{ row.agencies }}</td>
      <td class="text-end handed-in">{{ row.handed_in }}</td>
      <td class="text-end approved">{{ row.approved }}</td>
      <td class="text-end days-left">{% if row.days_left is None %}{% translate "ditutup" %}{% else %}{{ row.days_left }}{% endif %}</td>
      <td class="text-end national-rank">{{ row.national_rank|default_if_none:"–" }}</td>
      <td class="text-end province-rank">{{ row.province_rank|default_if_none:"–" }}</td>
    </tr>
  {% empty %}<tr><td colspan="{{ columns }}">{% translate "Tidak ada wilayah." %}</td></tr>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_rows_written_in_python_are_the_templates_rows(language):
    region = Region(code="64.08", name='Kutai "Timur" & <Co>')
    period = EvaluationPeriod(pk=7)
    rows = [
        national.RegionRow(
            region=region,
            period=period,
            official=Decimal("2.345"),
            provisional=Decimal("3.1"),
            coverage=Decimal("66.5"),
            pillars={"GOV": Decimal("1.005"), "ECO": None, "SOC": Decimal(4)},
            agencies=35,
            handed_in=1234,
            approved=0,
            days_left=-3,
            national_rank=2,
            province_rank=None,
        ),
        national.RegionRow(region=region, period=period, days_left=None),
    ]
    with translation.override(language):
        for shown in (rows, []):
            expected = Template(ROWS_TEMPLATE).render(Context({"rows": shown, "columns": 17}))
            assert str(national.table_body(shown, 17)) == expected
