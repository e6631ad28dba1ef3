"""The home page (/) of each role; above all the leader's summary (issue 11): the official and
provisional indexes with their coverage, the six pillars, the agencies' shares, the deadline and
the agencies that are late or returned."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations.models import Submission

from .factories import assign, make_agency, make_answer, make_mixed_period, make_submission

pytestmark = pytest.mark.django_db


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html, attribute, value):
    return _text(re.search(rf'<tr {attribute}="{value}">.*?</tr>', html, re.S).group(0)).strip()


@pytest.fixture
def mixed(db):
    """tests.factories.make_mixed_period, the open period: draft, submitted, returned and approved
    agencies, 14 days before the deadline."""
    return make_mixed_period()


@pytest.fixture
def as_leader(client, leader):
    client.force_login(leader)
    return client


def test_the_leader_sees_the_official_and_provisional_indexes_labelled_with_their_coverage(as_leader, mixed):
    html = as_leader.get("/").content.decode()
    # Hand-computed in tests.factories.make_mixed_period: drafts never count.
    assert '<p class="display-5 mb-0 final-official">1,00</p>' in html
    assert '<p class="display-5 mb-0 final-provisional">2,20</p>' in html
    assert "final-self" not in html
    text = _text(html)
    assert "Indeks resmi (disetujui, skor verifikasi) 1,00" in text
    assert "Indeks sementara (semua yang dikirim) 2,20" in text
    coverage = "4 pertanyaan ditugaskan: 4 dijawab (100%), 3 dikirim (75%), 2 disetujui (50%), 2 diverifikasi (50%)"
    assert text.count(coverage) == 2
    assert "1 pertanyaan disetujui dihitung dengan skor mandiri (belum diverifikasi)." in text


def test_the_leader_sees_the_six_pillars_in_a_chart_and_in_numbers(as_leader, mixed):
    html = as_leader.get("/").content.decode()
    # Official: GOV mean(q1 unapproved 0, q4 self 3) = 1.5, ECO 0, LIV 2 (verified).
    # Provisional: GOV mean(q1 verified 1, q4 3) = 2, ECO 3 (returned, self), LIV 2.
    # Approved of assigned: GOV q4 of q1, q4; ECO none of q2; LIV q3 of q3.
    assert _row(html, "data-pillar", "GOV") == "Smart Governance Resmi: 1,50 Sementara: 2,00 Disetujui: 1/2 (50%)"
    # ECO has nothing approved: no data in the official index, not 0.
    assert _row(html, "data-pillar", "ECO") == "Smart Economy Resmi: – Sementara: 3,00 Disetujui: 0/1 (0%)"
    assert _row(html, "data-pillar", "LIV") == "Smart Living Resmi: 2,00 Sementara: 2,00 Disetujui: 1/1 (100%)"
    assert _row(html, "data-pillar", "BRA") == "Smart Branding Resmi: – Sementara: – Disetujui: –"
    svg = re.search(r'<svg [^>]*class="chart-bar".*?</svg>', html, re.S).group(0)
    values = re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg)
    # Pillars in fixture order GOV, BRA, ECO, LIV, SOC, ENV; official then provisional.
    nodata = "belum ada data"
    assert values == ["1,50", "2,00", nodata, nodata, nodata, "3,00", "2,00", "2,00", nodata, nodata, nodata, nodata]


def test_the_leader_sees_the_share_of_agencies_submitted_and_approved(as_leader, mixed):
    text = _text(as_leader.get("/").content.decode())
    # Four agencies: draft, submitted, returned, approved. Handed in: submitted and approved.
    assert "Sudah mengirim: 2 dari 4 (50%)" in text
    assert "Disetujui: 1 dari 4 (25%)" in text


def test_the_leader_sees_the_days_to_the_deadline(as_leader, mixed):
    assert "14 hari lagi menuju batas akhir." in _text(as_leader.get("/").content.decode())


def test_before_the_deadline_only_returned_agencies_need_attention(as_leader, mixed):
    html = as_leader.get("/").content.decode()
    returned = Submission.objects.get(period=mixed, status=Submission.Status.RETURNED)
    rows = re.findall(r'<tr data-agency="([^"]+)">', html)
    assert rows == [returned.agency.abbreviation]
    assert f'href="/koordinator/pengisian/{returned.pk}/">{returned.agency.name}</a>' in html
    row = _row(html, "data-agency", returned.agency.abbreviation)
    assert row.endswith("Status: Dikembalikan Dijawab: 100% Terlambat (hari): 0")


def test_past_the_deadline_agencies_that_have_not_handed_in_are_late(as_leader, mixed):
    mixed.closes = timezone.localdate() - timedelta(days=3)
    mixed.save()
    silent = make_agency(name="Dinas Diam", abbreviation="DD")
    assign(mixed, silent, "SOC")
    html = as_leader.get("/").content.decode()
    text = _text(html)
    assert "Batas akhir sudah lewat 3 hari." in text
    draft = Submission.objects.get(period=mixed, status=Submission.Status.DRAFT)
    returned = Submission.objects.get(period=mixed, status=Submission.Status.RETURNED)
    late = {abbreviation for abbreviation in re.findall(r'<tr data-agency="([^"]+)">', html)}
    assert late == {draft.agency.abbreviation, returned.agency.abbreviation, "DD"}
    assert _row(html, "data-agency", "DD") == "Dinas Diam Status: Belum mulai Dijawab: 0% Terlambat (hari): 3"
    # An agency without a submission has nothing to look at: no link.
    assert "Dinas Diam</th>" in html
    assert f'href="/koordinator/pengisian/{draft.pk}/"' in html


def test_an_agency_that_handed_in_late_is_not_listed(as_leader, mixed):
    mixed.closes = timezone.localdate() - timedelta(days=3)
    mixed.save()
    for submission in Submission.objects.filter(period=mixed).exclude(status=Submission.Status.APPROVED):
        make_submission(mixed, submission.agency, status=Submission.Status.SUBMITTED)
    html = as_leader.get("/").content.decode()
    assert "<tr data-agency=" not in html
    assert "Tidak ada perangkat daerah yang terlambat atau dikembalikan." in html


def test_the_leader_gets_a_link_to_the_full_results_of_the_period(as_leader, mixed):
    html = as_leader.get("/").content.decode()
    assert f'href="/hasil/?periode={mixed.pk}">Lihat hasil lengkap</a>' in html


def test_the_leader_no_longer_sees_the_instrument_and_start_counts(as_leader, mixed):
    text = _text(as_leader.get("/").content.decode())
    assert "Instrumen periode ini" not in text
    assert "Perangkat daerah yang ditugaskan" not in text
    assert "sudah mulai mengisi" not in text
    # The monitoring links stay.
    assert "Progres pengisian" in text


@pytest.mark.parametrize("user", ["coordinator", "admin_user", "operator_a"])
def test_other_roles_do_not_get_the_leader_summary(client, request, mixed, user):
    client.force_login(request.getfixturevalue(user))
    html = client.get("/").content.decode()
    assert "leader-summary" not in html
    assert "final-official" not in html


def test_the_coordinator_keeps_the_monitoring_counts(client, coordinator, mixed):
    client.force_login(coordinator)
    text = _text(client.get("/").content.decode())
    assert "Instrumen periode ini: 4 pertanyaan." in text
    assert "Perangkat daerah yang ditugaskan: 4." in text


def test_the_leader_summary_is_translated(as_leader, mixed):
    as_leader.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = _text(as_leader.get("/").content.decode())
    assert "Official index (approved, verified scores) 1.00" in text
    assert "Provisional index (everything submitted) 2.20" in text
    assert "Handed in: 2 of 4 (50%)" in text
    assert "See the full results" in text


def _add_agencies(period, n):
    """n more agencies, each with an approved submission and an answer, and a returned one (so
    each is listed as needing attention)."""
    question = period.dimensions.get(code="A").indicators.first().questions.first()
    for i in range(n):
        agency = make_agency()
        assign(period, agency, "GOV")
        status = Submission.Status.RETURNED if i % 2 else Submission.Status.APPROVED
        make_answer(make_submission(period, agency, status=status), question, score=2, verified=2)


@pytest.mark.parametrize("extra", [1, 26])
def test_the_leaders_home_runs_the_same_queries_for_5_or_30_agencies(
    as_leader, mixed, extra, django_assert_num_queries
):
    _add_agencies(mixed, extra)
    assert mixed.assignments.values("agency").distinct().count() == 4 + extra
    # Session, user (with their agency and region), period, permissions; the stamp of the figures' inputs
    # (results_cache.input_stamps) before and after computing; results (3); completion (4);
    # pillars; the bell's unread count.
    with django_assert_num_queries(15):
        response = as_leader.get("/")
    assert response.status_code == 200
    # Again, with results and completion from the cache.
    with django_assert_num_queries(7):
        assert as_leader.get("/").status_code == 200
