"""The quick-win pages: list, coverage, detail, propose, edit, life cycle, continuation, evidence."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import QuickWin, QuickWinChange, QuickWinEvidence
from pillars.models import Pillar

from .factories import make_agency, make_period, make_quick_win
from .filling import PDF

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
S = QuickWin.Status


def _html(response):
    return response.content.decode()


# --- list, search, filters, coverage ---------------------------------------------------------
def test_the_list_shows_established_quick_wins_of_every_agency(client_a, period, agency_b):
    make_quick_win(period, agency_b, status=S.ESTABLISHED, name="PBB Online")
    assert "PBB Online" in _html(client_a.get("/quick-wins/"))


def test_the_list_hides_another_agency_s_proposals_and_rejections(client_a, period, agency_b):
    make_quick_win(period, agency_b, name="Draf Bappeda")
    make_quick_win(period, agency_b, status=S.REJECTED, name="Ditolak Bappeda")
    html = _html(client_a.get("/quick-wins/"))
    assert "Draf Bappeda" not in html
    assert "Ditolak Bappeda" not in html


def test_the_list_shows_the_operator_s_own_proposals(client_a, period, agency_a):
    make_quick_win(period, agency_a, name="Draf Diskominfo")
    assert "Draf Diskominfo" in _html(client_a.get("/quick-wins/"))


def test_the_list_filters_by_pillar(client_a, period, agency_a):
    make_quick_win(period, agency_a, pillar="GOV", name="Portal Satu Data")
    make_quick_win(period, agency_a, pillar="ENV", name="Bank Sampah")
    html = _html(client_a.get("/quick-wins/?pilar=ENV"))
    assert "Bank Sampah" in html and "Portal Satu Data" not in html


def test_the_list_filters_by_agency_including_supporting_agencies(client, coordinator, period, agency_a, agency_b):
    supported = make_quick_win(period, agency_b, name="Didukung Diskominfo")
    supported.supporting_agencies.set([agency_a])
    make_quick_win(period, agency_b, name="Bappeda saja")
    client.force_login(coordinator)
    html = _html(client.get(f"/quick-wins/?opd={agency_a.pk}"))
    assert "Didukung Diskominfo" in html and "Bappeda saja" not in html


def test_the_list_filters_by_status(client_a, period, agency_a):
    make_quick_win(period, agency_a, status=S.RUNNING, name="Sedang berjalan")
    make_quick_win(period, agency_a, name="Masih usulan")
    html = _html(client_a.get("/quick-wins/?status=berjalan"))
    assert "Sedang berjalan" in html and "Masih usulan" not in html


def test_the_list_searches_names_and_descriptions(client_a, period, agency_a):
    make_quick_win(period, agency_a, name="Madu Kelulut", description="branding produk lokal")
    make_quick_win(period, agency_a, name="E-SPTPD")
    html = _html(client_a.get("/quick-wins/?q=branding"))
    assert "Madu Kelulut" in html and "E-SPTPD" not in html


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/quick-wins/", "/quick-wins/cakupan/"])
def test_list_and_coverage_run_the_same_queries_with_1_or_50_quick_wins(client, coordinator, period, agency_a, path):
    client.force_login(coordinator)
    make_quick_win(period, agency_a, status=S.ESTABLISHED)
    small = _count_queries(client, path)
    for i in range(49):
        make_quick_win(
            period, make_agency() if i % 5 == 0 else agency_a, status=S.RUNNING, pillar=["GOV", "ECO", "ENV"][i % 3]
        )
    assert _count_queries(client, path) == small


def test_the_list_runs_a_pinned_number_of_queries(client, coordinator, period, agency_a, django_assert_num_queries):
    client.force_login(coordinator)
    make_quick_win(period, agency_a, status=S.ESTABLISHED)
    # session, user, groups, agency member (menu), period, periods, pillars, agencies, quick wins,
    # previous period
    with django_assert_num_queries(10):  # with the bell's unread count
        client.get("/quick-wins/")


def test_coverage_flags_a_pillar_without_an_established_quick_win(client_a, period, agency_a):
    for code in ["GOV", "BRA", "ECO", "LIV", "SOC"]:
        make_quick_win(period, agency_a, status=S.ESTABLISHED, pillar=code)
    make_quick_win(period, agency_a, status=S.PROPOSED, pillar="ENV", name="Usulan ENV")
    html = _html(client_a.get("/quick-wins/cakupan/"))
    assert "1 pilar belum memiliki quick win yang ditetapkan" in html
    assert "<strong>Smart Environment</strong>" in html
    assert "Usulan ENV" not in html


def test_coverage_says_so_when_every_pillar_is_covered(client_a, period, agency_a):
    for code in ["GOV", "BRA", "ECO", "LIV", "SOC", "ENV"]:
        make_quick_win(period, agency_a, status=S.ESTABLISHED, pillar=code)
    assert "Semua pilar sudah memiliki quick win yang ditetapkan" in _html(client_a.get("/quick-wins/cakupan/"))


# --- detail and access ------------------------------------------------------------------------
def test_another_agency_s_proposal_is_404(client_a, period, agency_b):
    draft = make_quick_win(period, agency_b)
    assert client_a.get(f"/quick-wins/{draft.pk}/").status_code == 404


def test_an_established_quick_win_of_another_agency_is_visible(client_a, period, agency_b):
    set_one = make_quick_win(period, agency_b, status=S.ESTABLISHED, name="Polder Ilham Maulana")
    response = client_a.get(f"/quick-wins/{set_one.pk}/")
    assert response.status_code == 200
    assert "Polder Ilham Maulana" in _html(response)


# --- propose and edit -------------------------------------------------------------------------
def _form_data(**extra):
    data = {"pillar": Pillar.objects.get(code="GOV").pk, "name": "Portal Satu Data", "is_new": "on", "target_pct": "80"}
    data.update(extra)
    return data


def test_an_operator_proposes_a_quick_win_for_their_agency(client_a, period, agency_a):
    response = client_a.post("/quick-wins/baru/", _form_data())
    quick_win = QuickWin.objects.get()
    assert response.status_code == 302
    assert (quick_win.agency, quick_win.status, quick_win.period) == (agency_a, S.PROPOSED, period)


def test_the_quick_win_form_reads_numbers_as_people_type_them_in_indonesian(client_a, period):
    # On main "1.250.000.000" and "75,5" were refused: Django's number fields read only 1250000000.
    data = _form_data(target_pct="75,5", budget="1.250.000.000", budget_source="apbd", users_reached="1.250")
    assert client_a.post("/quick-wins/baru/", data).status_code == 302
    quick_win = QuickWin.objects.get()
    assert (quick_win.target_pct, quick_win.budget, quick_win.users_reached) == (
        Decimal("75.5"),
        Decimal("1250000000"),
        1250,
    )
    page = _html(client_a.get(f"/quick-wins/{quick_win.pk}/ubah/"))
    assert 'value="1.250.000.000"' in page and 'value="75,5"' in page and 'value="1.250"' in page


def test_a_fraction_of_a_person_is_refused_with_a_message(client_a, period):
    response = client_a.post("/quick-wins/baru/", _form_data(users_reached="12,5"))
    assert response.status_code == 200
    assert "Isi dengan bilangan bulat" in _html(response)
    assert not QuickWin.objects.exists()


def test_an_operator_cannot_propose_after_the_close_date(client_a, period):
    period.closes = period.opens
    period.save()
    response = client_a.post("/quick-wins/baru/", _form_data(), follow=True)
    assert "sudah ditutup" in _html(response)
    assert not QuickWin.objects.exists()


def test_an_operator_cannot_edit_their_proposal_after_the_close_date(client_a, period, agency_a):
    draft = make_quick_win(period, agency_a, name="Lama")
    period.status = "closed"
    period.save()
    assert client_a.post(f"/quick-wins/{draft.pk}/ubah/", _form_data(name="Baru")).status_code == 403
    draft.refresh_from_db()
    assert draft.name == "Lama"


def test_a_coordinator_still_edits_after_the_close_date(client, coordinator, period, agency_a):
    draft = make_quick_win(period, agency_a, name="Lama")
    period.status = "closed"
    period.save()
    client.force_login(coordinator)
    response = client.post(f"/quick-wins/{draft.pk}/ubah/", _form_data(name="Baru", agency=agency_a.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Baru"


def test_a_subdimension_of_another_pillar_is_refused(client_a, period):
    other = Pillar.objects.get(code="ENV").subdimensions.first()
    response = client_a.post("/quick-wins/baru/", _form_data(subdimension=other.pk))
    assert response.status_code == 200
    assert "bukan bagian dari pilar" in _html(response)
    assert not QuickWin.objects.exists()


def test_a_leader_cannot_propose(client, leader, period):
    client.force_login(leader)
    assert client.get("/quick-wins/baru/").status_code == 403


def test_an_operator_edits_their_proposal_and_the_change_is_recorded(client_a, period, agency_a, operator_a):
    draft = make_quick_win(period, agency_a, name="Lama")
    response = client_a.post(f"/quick-wins/{draft.pk}/ubah/", _form_data(name="Baru"))
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.name == "Baru"
    change = draft.changes.get()
    assert change.actor == operator_a
    assert "Nama program" in change.fields


def _edit_name_target_and_supporters(client, draft, supporter):
    data = _form_data(
        name="Baru", target_pct="90", subdimension=draft.subdimension_id, supporting_agencies=[supporter.pk]
    )
    assert client.post(f"/quick-wins/{draft.pk}/ubah/", data).status_code == 302


def test_an_edit_records_the_old_and_new_value_of_each_changed_field(client_a, period, agency_a, agency_b):
    draft = make_quick_win(period, agency_a, name="Lama", target_pct=80)
    _edit_name_target_and_supporters(client_a, draft, agency_b)
    change = draft.changes.get()
    assert {(c.field, c.old_value, c.new_value) for c in change.field_changes.all()} == {
        ("name", "Lama", "Baru"),
        ("target_pct", "80", "90"),
        ("supporting_agencies", "", agency_b.abbreviation),
    }


def test_the_detail_page_shows_each_change_with_its_old_and_new_value(client_a, period, agency_a, agency_b):
    draft = make_quick_win(period, agency_a, name="Lama", target_pct=80)
    _edit_name_target_and_supporters(client_a, draft, agency_b)
    html = _html(client_a.get(f"/quick-wins/{draft.pk}/"))
    history = html[html.index('id="history-title"') :]
    assert "Nama program: Lama → Baru" in history
    assert "Target (%): 80 → 90" in history
    assert f"Perangkat daerah pendukung: – → {agency_b.abbreviation}" in history


def test_an_operator_cannot_edit_an_established_quick_win(client_a, period, agency_a):
    set_one = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    assert client_a.get(f"/quick-wins/{set_one.pk}/ubah/").status_code == 403


def test_editing_another_agency_s_proposal_is_404(client_a, period, agency_b):
    draft = make_quick_win(period, agency_b)
    assert client_a.post(f"/quick-wins/{draft.pk}/ubah/", _form_data()).status_code == 404


# --- life cycle through the views -----------------------------------------------------------
def test_setting_rejects_get(client, coordinator, period, agency_a):
    client.force_login(coordinator)
    draft = make_quick_win(period, agency_a)
    assert client.get(f"/quick-wins/{draft.pk}/tetapkan/").status_code == 405


def test_an_outsider_setting_a_proposal_gets_404(client, operator_b, period, agency_a):
    client.force_login(operator_b)
    draft = make_quick_win(period, agency_a)
    assert client.post(f"/quick-wins/{draft.pk}/tetapkan/").status_code == 404


def test_the_owning_operator_cannot_establish_their_proposal(client_a, period, agency_a):
    draft = make_quick_win(period, agency_a)
    assert client_a.post(f"/quick-wins/{draft.pk}/tetapkan/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == S.PROPOSED


def test_a_leader_cannot_establish_a_proposal(client, leader, period, agency_a):
    client.force_login(leader)
    draft = make_quick_win(period, agency_a)
    assert client.post(f"/quick-wins/{draft.pk}/tetapkan/").status_code == 403


def test_a_coordinator_establishes_a_proposal(client, coordinator, period, agency_a):
    client.force_login(coordinator)
    draft = make_quick_win(period, agency_a)
    response = client.post(f"/quick-wins/{draft.pk}/tetapkan/", {"note": "OK"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == S.ESTABLISHED
    assert "Quick win ditetapkan." in _html(response)


def test_a_coordinator_rejects_with_a_note_which_the_operator_sees(client, coordinator, operator_a, period, agency_a):
    client.force_login(coordinator)
    draft = make_quick_win(period, agency_a)
    client.post(f"/quick-wins/{draft.pk}/tolak/", {"note": "Belum ada data capaian"})
    client.force_login(operator_a)
    html = _html(client.get(f"/quick-wins/{draft.pk}/"))
    assert "Belum ada data capaian" in html
    assert "Ditolak" in html


def test_rejecting_without_a_note_changes_nothing(client, coordinator, period, agency_a):
    client.force_login(coordinator)
    draft = make_quick_win(period, agency_a)
    client.post(f"/quick-wins/{draft.pk}/tolak/", {"note": ""})
    draft.refresh_from_db()
    assert draft.status == S.PROPOSED


def form_tag(html, action):
    return next(tag for tag in re.findall(r"<form\b[^>]*>", html) if f'action="{action}"' in tag)


def test_the_forms_with_required_fields_leave_them_to_the_server_so_messages_are_in_the_page_language(
    client, coordinator, period, agency_a
):
    """Chromium checks required fields itself and answers in its own language ("Please fill out
    this field." on an Indonesian page); the server says it in the page's language."""
    client.force_login(coordinator)
    draft = make_quick_win(period, agency_a)
    html = _html(client.get(f"/quick-wins/{draft.pk}/"))
    assert "novalidate" in form_tag(html, f"/quick-wins/{draft.pk}/bukti/")
    assert "novalidate" in form_tag(html, f"/quick-wins/{draft.pk}/tolak/")


@pytest.mark.parametrize(("language", "message"), [("id", "Bidang ini tidak boleh kosong."), ("en", "required")])
def test_evidence_sent_without_a_title_or_file_changes_nothing_and_says_so(
    client_a, period, agency_a, language, message
):
    draft = make_quick_win(period, agency_a)
    client_a.cookies["django_language"] = language
    response = client_a.post(f"/quick-wins/{draft.pk}/bukti/", {"title": ""}, follow=True)
    assert message in _html(response)
    assert not QuickWinEvidence.objects.exists()


def test_the_owner_marks_an_established_quick_win_as_running(client_a, period, agency_a):
    set_one = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    client_a.post(f"/quick-wins/{set_one.pk}/status/", {"status": "berjalan"})
    set_one.refresh_from_db()
    assert set_one.status == S.RUNNING


def test_the_history_shows_who_changed_what(client, coordinator, period, agency_a):
    client.force_login(coordinator)
    draft = make_quick_win(period, agency_a)
    client.post(f"/quick-wins/{draft.pk}/tetapkan/")
    html = _html(client.get(f"/quick-wins/{draft.pk}/"))
    assert "koordinator" in html
    assert "Usulan → Ditetapkan" in html


# --- continuation -----------------------------------------------------------------------------
def test_an_operator_continues_last_period_s_quick_win_in_one_action(client_a, period, agency_a):
    old = make_quick_win(period, agency_a, status=S.RUNNING, name="Cap Jempol")
    period.close()
    new_period = make_period(year=2025)
    response = client_a.post(f"/quick-wins/{old.pk}/lanjutkan/")
    new = QuickWin.objects.get(period=new_period)
    assert response.status_code == 302
    assert (new.name, new.status, new.continued_from) == ("Cap Jempol", S.CONTINUED, old)


def test_the_continuation_page_lists_last_period_s_established_quick_wins(client_a, period, agency_a):
    make_quick_win(period, agency_a, status=S.RUNNING, name="Cap Jempol")
    make_quick_win(period, agency_a, status=S.STOPPED, name="Sudah berhenti")
    period.close()
    make_period(year=2025)
    html = _html(client_a.get("/quick-wins/lanjutan/"))
    assert "Cap Jempol" in html and "Sudah berhenti" not in html


def test_another_agency_cannot_continue_a_quick_win(client, operator_b, period, agency_a):
    client.force_login(operator_b)
    old = make_quick_win(period, agency_a, status=S.RUNNING)
    period.close()
    make_period(year=2025)
    assert client.post(f"/quick-wins/{old.pk}/lanjutkan/").status_code == 403
    assert QuickWin.objects.count() == 1


# --- evidence ---------------------------------------------------------------------------------
def test_an_operator_attaches_evidence_and_downloads_it_as_an_attachment(client_a, period, agency_a):
    draft = make_quick_win(period, agency_a)
    client_a.post(f"/quick-wins/{draft.pk}/bukti/", {"title": "SK Bupati", "file": SimpleUploadedFile("sk.pdf", PDF)})
    evidence = QuickWinEvidence.objects.get()
    response = client_a.get(f"/quick-wins/bukti/{evidence.pk}/unduh/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_renamed_file_is_refused_as_evidence_with_a_clear_message(client_a, period, agency_a):
    draft = make_quick_win(period, agency_a)
    response = client_a.post(
        f"/quick-wins/{draft.pk}/bukti/",
        {"title": "SK", "file": SimpleUploadedFile("sk.pdf", b"ini teks biasa")},
        follow=True,
    )
    assert "tidak sesuai dengan ekstensi PDF" in _html(response)
    assert not QuickWinEvidence.objects.exists()


def test_evidence_of_another_agency_s_proposal_is_404(client, operator_b, period, agency_a, operator_a):
    draft = make_quick_win(period, agency_a)
    evidence = QuickWinEvidence.attach(draft, operator_a, "SK", SimpleUploadedFile("sk.pdf", PDF))
    client.force_login(operator_b)
    assert client.get(f"/quick-wins/bukti/{evidence.pk}/unduh/").status_code == 404


def test_another_agency_cannot_attach_evidence_to_an_established_quick_win(client, operator_b, period, agency_a):
    set_one = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    client.force_login(operator_b)
    response = client.post(f"/quick-wins/{set_one.pk}/bukti/", {"title": "X", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert response.status_code == 403
    assert not QuickWinEvidence.objects.exists()


def test_the_detail_page_runs_the_same_queries_with_1_or_30_history_entries(
    client, coordinator, operator_a, period, agency_a
):
    client.force_login(coordinator)
    quick_win = make_quick_win(period, agency_a)
    quick_win.record(operator_a, "created")
    QuickWinEvidence.attach(quick_win, operator_a, "SK", SimpleUploadedFile("sk.pdf", PDF))
    small = _count_queries(client, f"/quick-wins/{quick_win.pk}/")
    for _ in range(30):
        quick_win.record(operator_a, "edited", fields=["Nama program"])
        QuickWinEvidence.attach(quick_win, operator_a, "Foto", SimpleUploadedFile("f.pdf", PDF))
    quick_win.supporting_agencies.set([make_agency() for _ in range(5)])
    assert _count_queries(client, f"/quick-wins/{quick_win.pk}/") == small


def test_the_home_page_links_operators_to_quick_wins_and_data_sets(client_a, period):
    html = _html(client_a.get("/"))
    assert 'href="/quick-wins/baru/"' in html
    assert 'href="/data/"' in html


def test_a_coordinator_proposes_for_any_agency(client, coordinator, period, agency_b):
    client.force_login(coordinator)
    response = client.post("/quick-wins/baru/", _form_data(agency=agency_b.pk))
    assert response.status_code == 302
    assert QuickWin.objects.get().agency == agency_b


def test_in_english_an_established_quick_win_is_adopted(client, coordinator, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/quick-wins/{quick_win.pk}/").content.decode()
    assert "Adopted" in html


# --- length limits and what flash messages repeat --------------------------------------------
LONG = "x" * 100_000


def _flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("action", "status", "user", "data"),
    [
        ("tolak", S.PROPOSED, "coordinator", {}),
        ("tetapkan", S.PROPOSED, "coordinator", {}),
        ("status", S.ESTABLISHED, "coordinator", {"status": "berjalan"}),
        ("usulkan-ulang", S.REJECTED, "operator_a", {}),
    ],
)
def test_a_note_of_100000_characters_is_refused_and_not_stored(
    request, client, period, agency_a, action, status, user, data
):
    client.force_login(request.getfixturevalue(user))
    quick_win = make_quick_win(period, agency_a, status=status)
    response = client.post(f"/quick-wins/{quick_win.pk}/{action}/", {**data, "note": LONG})
    assert response.status_code == 302
    [message] = _flash(response)
    assert "paling banyak 2000 karakter" in message and "xxxxxxxxxx" not in message
    quick_win.refresh_from_db()
    assert (quick_win.status, quick_win.status_note) == (status, "")
    assert not QuickWinChange.objects.exists()


@pytest.mark.parametrize(
    "field", ["name", "description", "rpjmd_problem", "partners", "risks", "mitigation", "sustainability_plan"]
)
def test_a_quick_win_text_longer_than_its_limit_is_refused(client_a, period, field):
    response = client_a.post("/quick-wins/baru/", _form_data(**{field: LONG}))
    assert response.status_code == 200
    assert "Pastikan nilai ini mengandung paling banyak" in _html(response)
    assert not QuickWin.objects.exists()


def test_the_form_tells_the_browser_each_texts_limit(client_a, period):
    html = _html(client_a.get("/quick-wins/baru/"))
    assert 'name="description" cols="40" rows="3" maxlength="5000"' in html
    assert 'name="risks" cols="40" rows="2" maxlength="2000"' in html


def test_a_bad_status_is_not_repeated_in_the_flash_message(client, coordinator, period, agency_a):
    client.force_login(coordinator)
    quick_win = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    response = client.post(f"/quick-wins/{quick_win.pk}/status/", {"status": "y" * 5000})
    [message] = _flash(response)
    assert "yyyyyyyyyy" not in message and len(message) < 200


def test_a_flash_message_with_a_long_name_is_cut(client_a, period):
    name = "Program Percepatan Transformasi Digital Pelayanan Publik Terpadu " * 3
    response = client_a.post("/quick-wins/baru/", _form_data(name=name[:200]))
    [message] = _flash(response)
    assert name[:60] in message and name[:200] not in message
    assert "…" in message and len(message) < 120


def test_a_known_pillar_lists_only_its_sub_dimensions_without_javascript(client_a, period):
    # Issue 24, item 12: the server lists the chosen pillar's, the script rebuilds it from the rest.
    html = client_a.get("/quick-wins/baru/?pilar=ENV").content.decode()
    select = re.search(r'<select name="subdimension".*?</select>', html, re.S).group(0)
    names = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select)
    assert names == [s.name for s in Pillar.objects.get(code="ENV").subdimensions.all()]
    assert "data-subdimensions=" in select


def test_sending_the_pillar_redraws_the_form_with_its_sub_dimensions_and_saves_nothing(client_a, period):
    data = _form_data(pillar=Pillar.objects.get(code="LIV").pk, pilih_pilar="1", name="Polder Ilham Maulana")
    response = client_a.post("/quick-wins/baru/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not QuickWin.objects.exists()
    assert 'value="Polder Ilham Maulana"' in html
    assert "is-invalid" not in html
    select = re.search(r'<select name="subdimension".*?</select>', html, re.S).group(0)
    assert len(re.findall(r"<option value=\"\d+\"", select)) == 3
