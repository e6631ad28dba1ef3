"""Quick wins to the end (issue 13): reports of achievement, completion, continuation from the quick
win's page, removable evidence, the supporting agencies' checklist and sub-dimensions by pillar."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations import quickwins
from evaluations.excel.workbook_quickwins import quick_win_data
from evaluations.models import QuickWin, QuickWinChange, QuickWinEvidence, QuickWinReport
from pillars.models import Pillar

from .factories import make_agency, make_period, make_quick_win
from .filling import PDF

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
S = QuickWin.Status
# The quick-win page: a coordinator's (with a later period to continue into) and the owner's.
# (Each with the bell's unread count.)
PINNED_DETAIL = 12
PINNED_OWNER_DETAIL = 11


def _html(response):
    return response.content.decode()


def _report(pct="45,5", day=None, note="Sudah dipakai 3 kecamatan.", **extra):
    data = {
        "laporan-achievement_pct": pct,
        "laporan-reported_on": (day or timezone.localdate()).isoformat(),
        "laporan-note": note,
    }
    data.update(extra)
    return data


# --- reports of achievement ---------------------------------------------------------------------
def test_the_owner_reports_achievement_on_an_established_quick_win(client_a, period, agency_a, operator_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    response = client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report(), follow=True)
    report = QuickWinReport.objects.get()
    quick_win.refresh_from_db()
    assert (report.achievement_pct, report.note, report.reported_by) == (
        Decimal("45.5"),
        "Sudah dipakai 3 kecamatan.",
        operator_a,
    )
    assert quick_win.achievement_pct == Decimal("45.5")
    assert "Laporan capaian disimpan." in _html(response)


def test_a_report_with_a_file_keeps_the_file_as_evidence(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    client_a.post(
        f"/quick-wins/{quick_win.pk}/laporan/", _report(**{"laporan-file": SimpleUploadedFile("foto.pdf", PDF)})
    )
    report = QuickWinReport.objects.get()
    assert report.evidence.quick_win == quick_win
    assert report.evidence.original_name == "foto.pdf"


def test_every_report_is_kept_and_shown_in_the_history(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    today = timezone.localdate()
    client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report("20", today - timedelta(days=30), "Uji coba"))
    client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report("60", today, "Diluncurkan"))
    html = _html(client_a.get(f"/quick-wins/{quick_win.pk}/"))
    reports = html[html.index('id="reports-title"') :]
    assert QuickWinReport.objects.count() == 2
    assert reports.index("Diluncurkan") < reports.index("Uji coba")
    quick_win.refresh_from_db()
    assert quick_win.achievement_pct == 60


def test_a_late_report_for_an_earlier_day_does_not_lower_the_achievement(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    today = timezone.localdate()
    client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report("70", today))
    client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report("30", today - timedelta(days=60)))
    quick_win.refresh_from_db()
    assert quick_win.achievement_pct == 70


def test_the_coordinator_sees_the_reports(client, coordinator, operator_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    quickwins.report(quick_win, operator_a, Decimal("35"), timezone.localdate(), "Tahap sosialisasi")
    client.force_login(coordinator)
    html = _html(client.get(f"/quick-wins/{quick_win.pk}/"))
    assert "Tahap sosialisasi" in html
    assert f'action="/quick-wins/{quick_win.pk}/laporan/"' not in html


@pytest.mark.parametrize("user", ["operator_b", "coordinator", "leader"])
def test_only_the_owning_agency_reports(request, client, period, agency_a, user):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    client.force_login(request.getfixturevalue(user))
    assert client.post(f"/quick-wins/{quick_win.pk}/laporan/", _report()).status_code == 403
    assert not QuickWinReport.objects.exists()


@pytest.mark.parametrize("status", [S.PROPOSED, S.REJECTED])
def test_achievement_cannot_be_reported_before_the_quick_win_is_established(client_a, period, agency_a, status):
    quick_win = make_quick_win(period, agency_a, status=status)
    response = client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report(), follow=True)
    assert "sudah ditetapkan dan masih berjalan" in _html(response)
    assert not QuickWinReport.objects.exists()


def test_the_report_form_is_not_offered_before_the_quick_win_is_established(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a)
    html = _html(client_a.get(f"/quick-wins/{quick_win.pk}/"))
    assert "/laporan/" not in html
    assert "Capaian dilaporkan setelah quick win ditetapkan." in html


@pytest.mark.parametrize(
    ("pct", "message"),
    [
        ("150", "Capaian paling besar 100 persen."),
        ("-5", "Capaian paling kecil 0 persen."),
        ("banyak", "Tulis angka"),
        ("1.23.4", "Angka ini tidak jelas"),
        ("", "Isi capaian dalam persen (0 sampai 100)."),
    ],
)
def test_a_bad_percentage_is_refused_next_to_its_field_and_nothing_is_saved(client_a, period, agency_a, pct, message):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING, achievement_pct=10)
    response = client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report(pct))
    html = _html(response)
    assert response.status_code == 200
    assert message in html
    assert "Laporan capaian belum disimpan" in html
    assert 'value="Sudah dipakai 3 kecamatan."' in html or "Sudah dipakai 3 kecamatan.</textarea>" in html
    quick_win.refresh_from_db()
    assert quick_win.achievement_pct == 10
    assert not QuickWinReport.objects.exists() and not QuickWinChange.objects.exists()


def test_a_report_dated_in_the_future_is_refused(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    response = client_a.post(
        f"/quick-wins/{quick_win.pk}/laporan/", _report(day=timezone.localdate() + timedelta(days=3))
    )
    assert "Tanggal tidak boleh setelah hari ini." in _html(response)
    assert not QuickWinReport.objects.exists()


def test_in_english_a_percentage_is_read_the_english_way(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    client_a.cookies["django_language"] = "en"
    client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report("45.5"))
    assert QuickWinReport.objects.get().achievement_pct == Decimal("45.5")


# --- completion -------------------------------------------------------------------------------
def _completion(day=None, **extra):
    data = {
        "selesai-completed_on": (day or timezone.localdate()).isoformat(),
        "selesai-note": "Semua kecamatan terlayani.",
        "selesai-title": "Laporan akhir",
        "selesai-file": SimpleUploadedFile("akhir.pdf", PDF),
    }
    data.update(extra)
    return data


def test_the_owner_requests_completion_with_date_and_final_evidence(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    day = timezone.localdate() - timedelta(days=2)
    response = client_a.post(f"/quick-wins/{quick_win.pk}/ajukan-selesai/", _completion(day), follow=True)
    quick_win.refresh_from_db()
    assert quick_win.status == S.RUNNING
    assert quick_win.has_completion_request() and quick_win.completed_on == day
    assert QuickWinEvidence.objects.get().final
    assert "menunggu konfirmasi koordinator" in _html(response)


def test_a_completion_request_without_its_final_evidence_is_refused(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    response = client_a.post(f"/quick-wins/{quick_win.pk}/ajukan-selesai/", _completion(**{"selesai-file": ""}))
    assert "Pengajuan selesai belum dikirim" in _html(response)
    quick_win.refresh_from_db()
    assert not quick_win.has_completion_request()
    assert not QuickWinEvidence.objects.exists()


def test_another_agency_cannot_request_completion(client, operator_b, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    client.force_login(operator_b)
    assert client.post(f"/quick-wins/{quick_win.pk}/ajukan-selesai/", _completion()).status_code == 403


def _requested(period, agency, operator):
    quick_win = make_quick_win(period, agency, status=S.RUNNING)
    quickwins.request_completion(
        quick_win, operator, timezone.localdate(), "Selesai", SimpleUploadedFile("akhir.pdf", PDF), "Laporan akhir"
    )
    return quick_win


def test_the_coordinator_confirms_a_completion_request(client, coordinator, operator_a, period, agency_a):
    quick_win = _requested(period, agency_a, operator_a)
    client.force_login(coordinator)
    response = client.post(f"/quick-wins/{quick_win.pk}/selesai/", {"konfirmasi-note": "Terverifikasi"}, follow=True)
    quick_win.refresh_from_db()
    assert quick_win.status == S.COMPLETED and not quick_win.has_completion_request()
    assert quick_win.completed_on == timezone.localdate()
    assert "Quick win ditandai selesai." in _html(response)


def test_the_coordinator_declines_a_completion_request_with_a_reason(client, coordinator, operator_a, period, agency_a):
    quick_win = _requested(period, agency_a, operator_a)
    client.force_login(coordinator)
    client.post(f"/quick-wins/{quick_win.pk}/tolak-selesai/", {"tolak-selesai-note": "Foto belum ada"})
    quick_win.refresh_from_db()
    assert (quick_win.status, quick_win.completed_on, quick_win.has_completion_request()) == (S.RUNNING, None, False)
    assert quick_win.status_note == "Foto belum ada"
    assert not QuickWinEvidence.objects.get().final
    client.force_login(operator_a)
    html = _html(client.get(f"/quick-wins/{quick_win.pk}/"))
    assert "Foto belum ada" in html and "/ajukan-selesai/" in html


def test_declining_without_a_reason_changes_nothing(client, coordinator, operator_a, period, agency_a):
    quick_win = _requested(period, agency_a, operator_a)
    client.force_login(coordinator)
    client.post(f"/quick-wins/{quick_win.pk}/tolak-selesai/", {"tolak-selesai-note": ""})
    quick_win.refresh_from_db()
    assert quick_win.has_completion_request()


def test_the_owner_cannot_confirm_their_own_request(client_a, operator_a, period, agency_a):
    quick_win = _requested(period, agency_a, operator_a)
    assert client_a.post(f"/quick-wins/{quick_win.pk}/selesai/").status_code == 403
    quick_win.refresh_from_db()
    assert quick_win.status == S.RUNNING


def test_without_a_request_there_is_nothing_to_confirm(client, coordinator, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    client.force_login(coordinator)
    response = client.post(f"/quick-wins/{quick_win.pk}/selesai/", follow=True)
    assert "Tidak ada pengajuan selesai" in _html(response)
    quick_win.refresh_from_db()
    assert quick_win.status == S.RUNNING


def test_a_completed_quick_win_takes_no_more_reports(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.COMPLETED, completed_on=timezone.localdate())
    client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report())
    assert not QuickWinReport.objects.exists()


def test_completion_shows_in_the_list_and_the_coverage(client_a, period, agency_a):
    make_quick_win(period, agency_a, status=S.COMPLETED, pillar="ENV", name="Bank Sampah", completed_on="2024-05-02")
    for path in ("/quick-wins/", "/quick-wins/cakupan/"):
        html = _html(client_a.get(path))
        assert re.search(r"Bank Sampah.*Selesai.*2 Mei 2024", html, re.S), path
    assert "Smart Environment</strong>" not in _html(client_a.get("/quick-wins/cakupan/"))


def test_a_pending_request_shows_in_the_list(client_a, operator_a, period, agency_a):
    _requested(period, agency_a, operator_a)
    assert "diajukan selesai" in _html(client_a.get("/quick-wins/"))


# --- continuation from the quick win's own page -------------------------------------------------
def test_the_quick_win_page_lists_the_later_periods_it_can_be_continued_into(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    make_period(2025, name="Evaluasi 2025 Tahap I", status="draft")
    make_period(2026, name="Evaluasi 2026 Tahap I", status="draft")
    make_period(2027, name="Evaluasi 2027 Tahap I", status="closed")
    make_period(2020, name="Evaluasi 2020 Tahap I", status="closed")
    html = _html(client_a.get(f"/quick-wins/{quick_win.pk}/"))
    assert "Lanjutkan ke Evaluasi 2025 Tahap I" in html and "Lanjutkan ke Evaluasi 2026 Tahap I" in html
    assert "2027" not in html and "2020" not in html


def test_continuing_into_a_chosen_period_copies_it_there(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING, name="Cap Jempol", achievement_pct=80)
    later = make_period(2026, status="draft")
    make_period(2025, status="draft")
    response = client_a.post(f"/quick-wins/{quick_win.pk}/lanjutkan/", {"periode": later.pk})
    copy = QuickWin.objects.get(continued_from=quick_win)
    assert response.status_code == 302 and response["Location"] == f"/quick-wins/{copy.pk}/"
    assert (copy.period, copy.status, copy.achievement_pct) == (later, S.CONTINUED, None)
    html = _html(client_a.get(f"/quick-wins/{quick_win.pk}/"))
    assert f'href="/quick-wins/{copy.pk}/">sudah dilanjutkan' in html


def test_a_quick_win_cannot_be_continued_into_an_earlier_period(client_a, period, agency_a):
    earlier = make_period(2020, status="draft")
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    response = client_a.post(f"/quick-wins/{quick_win.pk}/lanjutkan/", {"periode": earlier.pk}, follow=True)
    assert "tidak dapat dilanjutkan" in _html(response)
    assert QuickWin.objects.count() == 1


def test_without_a_later_period_the_page_says_how_to_get_one(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    assert "Belum ada periode setelah periode ini" in _html(client_a.get(f"/quick-wins/{quick_win.pk}/"))


def test_the_continuation_page_without_an_earlier_period_explains_the_way_forward(client_a, period):
    html = _html(client_a.get("/quick-wins/lanjutan/"))
    assert "Belum ada periode sebelumnya" in html
    assert "dari halamannya sendiri ke periode berikutnya" in html
    assert 'href="/quick-wins/baru/"' in html


def test_a_completed_quick_win_can_be_continued_as_its_next_phase(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.COMPLETED, completed_on=period.opens)
    later = make_period(2025, status="draft")
    client_a.post(f"/quick-wins/{quick_win.pk}/lanjutkan/", {"periode": later.pk})
    copy = QuickWin.objects.get(continued_from=quick_win)
    assert (copy.completed_on, copy.status) == (None, S.CONTINUED)


# --- evidence removal ---------------------------------------------------------------------------
def _evidence(quick_win, operator):
    return QuickWinEvidence.attach(quick_win, operator, "SK ganda", SimpleUploadedFile("sk.pdf", PDF))


def test_removing_evidence_asks_for_confirmation_first(client_a, operator_a, period, agency_a):
    evidence = _evidence(make_quick_win(period, agency_a), operator_a)
    response = client_a.get(f"/quick-wins/bukti/{evidence.pk}/hapus/")
    assert response.status_code == 200
    assert "Hapus bukti dukung?" in _html(response)
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_the_owner_removes_a_duplicate_file_and_its_download_is_gone(client_a, operator_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a)
    evidence = _evidence(quick_win, operator_a)
    response = client_a.post(f"/quick-wins/bukti/{evidence.pk}/hapus/", follow=True)
    assert "Bukti dukung &quot;SK ganda&quot; dihapus." in _html(response)
    assert client_a.get(f"/quick-wins/bukti/{evidence.pk}/unduh/").status_code == 404
    evidence.refresh_from_db()
    assert (evidence.removed_by, evidence.removed_at is not None) == (operator_a, True)
    html = _html(client_a.get(f"/quick-wins/{quick_win.pk}/"))
    assert "Bukti dukung dihapus" in html
    assert f"/quick-wins/bukti/{evidence.pk}/unduh/" not in html


def test_the_owner_removes_a_file_of_a_running_quick_win(client_a, operator_a, period, agency_a):
    evidence = _evidence(make_quick_win(period, agency_a, status=S.RUNNING), operator_a)
    client_a.post(f"/quick-wins/bukti/{evidence.pk}/hapus/")
    evidence.refresh_from_db()
    assert evidence.removed_at is not None


@pytest.mark.parametrize(("status", "expected"), [(S.PROPOSED, 404), (S.RUNNING, 403)])
def test_agency_b_cannot_remove_agency_a_s_file(client, operator_a, operator_b, period, agency_a, status, expected):
    evidence = _evidence(make_quick_win(period, agency_a, status=status), operator_a)
    client.force_login(operator_b)
    assert client.post(f"/quick-wins/bukti/{evidence.pk}/hapus/").status_code == expected
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_the_owner_cannot_remove_files_of_a_completed_quick_win(client_a, operator_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    evidence = _evidence(quick_win, operator_a)
    quick_win.status = S.COMPLETED
    quick_win.save()
    assert client_a.post(f"/quick-wins/bukti/{evidence.pk}/hapus/").status_code == 403


def test_removed_evidence_is_left_out_of_the_workbook_data(operator_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    _evidence(quick_win, operator_a).remove(operator_a)
    assert quick_win_data(period)["quick_win_evidence"] == {}


# --- the form: supporting agencies and sub-dimensions ---------------------------------------------
def _form_data(**extra):
    data = {"pillar": Pillar.objects.get(code="GOV").pk, "name": "Portal Satu Data", "is_new": "on"}
    data.update(extra)
    return data


def test_supporting_agencies_are_a_checklist_with_a_filter_box_hidden_without_javascript(client_a, period):
    html = _html(client_a.get("/quick-wins/baru/"))
    assert 'type="checkbox" class="form-check-input"  name="supporting_agencies"' in html
    assert '<select name="supporting_agencies"' not in html
    assert re.search(r'<div class="mb-1 agency-filter" hidden>', html)
    assert '<script src="/static/js/quickwins.js' in html


def test_ticked_agencies_are_saved(client_a, period, agency_b):
    other = make_agency()
    client_a.post("/quick-wins/baru/", _form_data(supporting_agencies=[agency_b.pk, other.pk]))
    assert set(QuickWin.objects.get().supporting_agencies.all()) == {agency_b, other}


def test_sub_dimensions_are_grouped_by_pillar_for_pages_without_javascript(client_a, period):
    html = _html(client_a.get("/quick-wins/baru/"))
    select = html[html.index('name="subdimension"') : html.index("</select>", html.index('name="subdimension"'))]
    assert select.count("<optgroup") == 6
    env = Pillar.objects.get(code="ENV")
    assert re.search(
        rf'<optgroup label="Smart Environment">\s*<option value="\d+" data-pillar="{env.pk}">Program proteksi',
        select,
    )


def test_a_subdimension_of_another_pillar_is_refused_with_a_message(client_a, period):
    other = Pillar.objects.get(code="ENV").subdimensions.first()
    response = client_a.post("/quick-wins/baru/", _form_data(subdimension=other.pk))
    assert "Sub-dimensi ini bukan bagian dari pilar yang dipilih." in _html(response)
    assert not QuickWin.objects.exists()


def test_a_subdimension_of_the_chosen_pillar_is_saved(client_a, period):
    own = Pillar.objects.get(code="GOV").subdimensions.last()
    client_a.post("/quick-wins/baru/", _form_data(subdimension=own.pk))
    assert QuickWin.objects.get().subdimension == own


# --- query counts -------------------------------------------------------------------------------
def _grow(quick_win, operator, n):
    for i in range(n):
        quickwins.report(
            quick_win,
            operator,
            Decimal(i % 100),
            timezone.localdate(),
            f"Laporan {i}",
            evidence_file=SimpleUploadedFile("f.pdf", PDF),
            evidence_title="Foto",
        )


@pytest.mark.parametrize("reports", [1, 25])
def test_the_detail_page_runs_a_pinned_number_of_queries_whatever_the_number_of_reports(
    client, coordinator, operator_a, period, agency_a, django_assert_num_queries, reports
):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    make_period(2025, status="draft")
    _grow(quick_win, operator_a, reports)
    client.force_login(coordinator)
    # The same with 1 or 25 reports (each with a file and a history row), later periods listed.
    with django_assert_num_queries(PINNED_DETAIL):
        assert client.get(f"/quick-wins/{quick_win.pk}/").status_code == 200


@pytest.mark.parametrize("reports", [1, 25])
def test_the_owner_s_detail_page_runs_a_pinned_number_of_queries(
    client_a, operator_a, period, agency_a, django_assert_num_queries, reports
):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    _grow(quick_win, operator_a, reports)
    with django_assert_num_queries(PINNED_OWNER_DETAIL):
        assert client_a.get(f"/quick-wins/{quick_win.pk}/").status_code == 200


@pytest.mark.parametrize("reports", [1, 25])
def test_the_list_runs_a_pinned_number_of_queries_whatever_the_number_of_reports(
    client, coordinator, operator_a, period, agency_a, django_assert_num_queries, reports
):
    for _ in range(3):
        _grow(make_quick_win(period, agency_a, status=S.RUNNING), operator_a, reports)
    make_quick_win(period, agency_a, status=S.COMPLETED, completed_on=period.opens)
    client.force_login(coordinator)
    with django_assert_num_queries(10):
        assert client.get("/quick-wins/").status_code == 200
