"""A new period in a few clicks (/kelola/periode/baru/), the status actions with their refusals,
and the assignments grid (/kelola/periode/<id>/penugasan/): admin only."""

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from evaluations.models import Agency, Assignment, Dimension, EvaluationPeriod, Question, Submission
from pillars.models import Pillar

from .factories import assign, make_agency, make_period, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return EvaluationPeriod.objects.get(year=2024, stage="1")


def _new(**extra):
    return {
        "year": "2025",
        "stage": "1",
        "name": "Evaluasi Smart City 2025 Tahap I",
        "opens": "2025-05-01",
        "closes": "2025-06-30",
        **extra,
    }


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- a new period -------------------------------------------------------------------------------
def test_the_period_list_offers_to_add_a_period(as_admin, source):
    assert 'href="/kelola/periode/baru/"' in as_admin.get("/kelola/periode/").content.decode()


def test_the_new_period_form_suggests_the_next_stage_as_a_copy_of_the_latest(as_admin, source):
    response = as_admin.get("/kelola/periode/baru/")
    form = response.context["form"]
    assert (form["year"].value(), form["stage"].value(), form["source"].value()) == (2024, "2", source.pk)
    html = response.content.decode()
    assert "Tambah periode" in html and "Kosong: instrumen diimpor kemudian" in html
    assert 'lang="id"' in html


def test_creating_an_empty_period(as_admin, source):
    response = as_admin.post("/kelola/periode/baru/", _new(source=""), follow=True)
    period = EvaluationPeriod.objects.get(year=2025, stage="1")
    assert response.redirect_chain[-1][0] == f"/kelola/periode/{period.pk}/"
    assert "dibuat tanpa instrumen" in _messages(response)[0]
    assert period.status == EvaluationPeriod.Status.DRAFT
    assert not Dimension.objects.filter(national_id=period.national_id).exists()
    assert not Assignment.objects.filter(period=period).exists()


def test_creating_a_copy_of_an_earlier_period(as_admin, source):
    response = as_admin.post("/kelola/periode/baru/", _new(source=source.pk), follow=True)
    period = EvaluationPeriod.objects.get(year=2025, stage="1")
    assert "dibuat sebagai salinan Evaluasi Smart City 2024 Tahap I" in _messages(response)[0]
    assert Question.objects.for_period(period).count() == 62
    assert Assignment.objects.filter(period=period).count() == 35
    assert period.is_draft()


def test_a_year_and_stage_that_exist_are_refused(as_admin, source):
    response = as_admin.post("/kelola/periode/baru/", _new(year="2024", source=source.pk))
    assert response.status_code == 400
    assert "Sudah ada periode dengan tahun dan tahap ini." in response.content.decode()
    assert EvaluationPeriod.objects.count() == 1


def test_a_close_date_before_the_opening_date_is_refused(as_admin, source):
    response = as_admin.post("/kelola/periode/baru/", _new(closes="2025-04-01"))
    assert response.status_code == 400
    assert "Batas akhir tidak boleh sebelum tanggal dibuka." in response.content.decode()
    assert EvaluationPeriod.objects.count() == 1


def test_a_new_period_left_without_a_name_is_named_after_the_year_and_stage_typed(as_admin, source):
    # The form suggested 2024 Tahap II; the admin typed 2026 Tahap II and left the name empty.
    as_admin.post(
        "/kelola/periode/baru/", _new(name="", year="2026", stage="2", opens="2026-05-01", closes="2026-06-30")
    )
    assert EvaluationPeriod.objects.get(year=2026, stage="2").name == "Evaluasi Smart City 2026 Tahap II"


def test_a_name_the_admin_writes_is_kept(as_admin, source):
    as_admin.post("/kelola/periode/baru/", _new(name="Evaluasi khusus 2025"))
    assert EvaluationPeriod.objects.get(year=2025, stage="1").name == "Evaluasi khusus 2025"


def test_the_suggested_name_is_a_placeholder_that_follows_the_suggested_year_and_stage(as_admin, source):
    html = as_admin.get("/kelola/periode/baru/").content.decode()
    field = re.search(r'<input[^>]*name="name"[^>]*>', html).group(0)
    assert 'placeholder="Evaluasi Smart City 2024 Tahap II"' in field
    assert 'value="' not in field
    assert "/static/js/periods" in html


def test_creating_a_copy_takes_the_same_queries_as_an_empty_one_plus_the_copy(
    as_admin, source, django_assert_num_queries
):
    # session, user and their region, permissions, one region or several (the ministry's right),
    # periods (suggestion), source choice, unique year and stage (the region's and the national),
    # dates (savepoint, check, release), then the copy: savepoint, national period, regions, period, 7 reads, 7 inserts
    # (the 202 options in 2 batches on SQLite, whose statements take at most 999 parameters; one on
    # PostgreSQL; the 54 impact statements in one), release
    with django_assert_num_queries(30 if connection.vendor == "sqlite" else 29):
        as_admin.post("/kelola/periode/baru/", _new(source=source.pk))


# --- status actions ------------------------------------------------------------------------------
@pytest.fixture
def draft():
    period = make_period(year=2030, status=EvaluationPeriod.Status.DRAFT)
    make_question(period, code="G1", pillar="GOV")
    assign(period, make_agency(), "GOV")
    return period


def test_opening_is_refused_with_the_questions_no_agency_answers(as_admin, draft):
    make_question(draft, code="E1", pillar="ENV")
    response = as_admin.post(f"/kelola/periode/{draft.pk}/buka/", follow=True)
    assert _messages(response)[:2] == [
        "Pertanyaan tanpa perangkat daerah yang menjawab: E1.",
        f"Periode {draft.name} belum dapat dibuka.",
    ]
    draft.refresh_from_db()
    assert draft.is_draft()


def test_the_detail_page_lists_the_unassigned_questions_before_opening(as_admin, draft):
    make_question(draft, code="E1", pillar="ENV")
    html = as_admin.get(f"/kelola/periode/{draft.pk}/").content.decode()
    assert "Pertanyaan tanpa perangkat daerah yang menjawab: E1." in html


def test_a_closed_period_can_be_reopened(as_admin, draft):
    draft.open()
    draft.close()
    html = as_admin.get(f"/kelola/periode/{draft.pk}/").content.decode()
    assert "Buka kembali periode" in html and "data-confirm" in html
    response = as_admin.post(f"/kelola/periode/{draft.pk}/buka-kembali/", follow=True)
    assert _messages(response) == [f"Periode {draft.name} dibuka kembali."]
    draft.refresh_from_db()
    assert draft.is_open()


def test_reopening_a_period_that_is_not_closed_is_refused(as_admin, draft):
    response = as_admin.post(f"/kelola/periode/{draft.pk}/buka-kembali/", follow=True)
    assert "Hanya periode yang sudah ditutup yang dapat dibuka kembali." in _messages(response)
    draft.refresh_from_db()
    assert draft.is_draft()


def test_closing_a_draft_is_refused(as_admin, draft):
    response = as_admin.post(f"/kelola/periode/{draft.pk}/tutup/", follow=True)
    assert "Hanya periode yang sedang dibuka yang dapat ditutup." in _messages(response)
    draft.refresh_from_db()
    assert draft.is_draft()


def test_a_draft_offers_only_the_open_button(as_admin, draft):
    html = as_admin.get(f"/kelola/periode/{draft.pk}/").content.decode()
    assert f"/kelola/periode/{draft.pk}/buka/" in html
    assert f"/kelola/periode/{draft.pk}/tutup/" not in html
    assert f"/kelola/periode/{draft.pk}/buka-kembali/" not in html


def test_the_detail_page_takes_the_same_queries_with_1_or_40_assignments(as_admin, draft, django_assert_num_queries):
    def count():
        # 10, and the open periods (for the confirmation naming another open period)
        with django_assert_num_queries(11) as captured:
            as_admin.get(f"/kelola/periode/{draft.pk}/")
        return len(captured)

    small = count()
    for _n in range(40):
        assign(draft, make_agency(), "ECO")
    assert count() == small


# --- the assignments grid ----------------------------------------------------------------------
def _grid(response):
    return response.context["form"]


def _post_grid(client, period, rows, version=None, query=""):
    """Post the grid as the browser does: `rows` {agency: ([pillar codes], "question codes")}."""
    data = _grid_data(period, rows, version)
    return client.post(f"/kelola/periode/{period.pk}/penugasan/{query}", data)


def _grid_data(period, rows, version=None):
    pillar_ids = dict(Pillar.objects.values_list("code", "pk"))
    data = {"version": period.assignments_version if version is None else version, "shown": [a.pk for a in rows]}
    for agency, (pillars, codes) in rows.items():
        data[f"pilar-{agency.pk}"] = [pillar_ids[c] for c in pillars]
        data[f"pertanyaan-{agency.pk}"] = codes
    return data


def _stored(period, agency):
    return sorted(
        Assignment.objects.filter(period=period, agency=agency).values_list("pillar__code", "question__code"),
        key=repr,
    )


def test_the_grid_shows_a_checkbox_per_agency_and_pillar_checked_as_stored(as_admin, source):
    html = as_admin.get(f"/kelola/periode/{source.pk}/penugasan/").content.decode()
    diskominfo = Agency.objects.get(abbreviation="Diskominfo Staper")
    gov = Pillar.objects.get(code="GOV")
    eco = Pillar.objects.get(code="ECO")
    assert f'name="pilar-{diskominfo.pk}" value="{gov.pk}" id="pilar-{diskominfo.pk}-{gov.pk}" checked>' in html
    assert f'name="pilar-{diskominfo.pk}" value="{eco.pk}" id="pilar-{diskominfo.pk}-{eco.pk}">' in html


def test_the_grid_counts_agencies_and_questions_per_pillar(as_admin, source):
    response = as_admin.get(f"/kelola/periode/{source.pk}/penugasan/")
    counts = {c["pillar"].code: (c["agencies"], c["questions"]) for c in response.context["pillar_counts"]}
    assert counts == {"GOV": (8, 19), "BRA": (3, 7), "ECO": (6, 8), "LIV": (6, 9), "SOC": (10, 9), "ENV": (2, 10)}


def test_the_grid_warns_of_pillars_nobody_answers_and_agencies_with_nothing_to_do(as_admin, draft):
    make_question(draft, code="E1", pillar="ENV")
    idle = make_agency(name="Dinas Tanpa Tugas", abbreviation="DTT")
    response = as_admin.get(f"/kelola/periode/{draft.pk}/penugasan/")
    html = response.content.decode()
    assert "Tidak ada perangkat daerah yang menjawab pilar Smart Environment." in html
    assert "Tidak ada perangkat daerah yang menjawab pilar Smart Governance." not in html
    assert "Pertanyaan tanpa perangkat daerah (periode belum dapat dibuka): E1" in html
    assert idle in response.context["idle_agencies"]


def test_the_grid_filters_agencies_by_kind(as_admin, source):
    response = as_admin.get(f"/kelola/periode/{source.pk}/penugasan/?jenis=badan")
    shown = {row["agency"].kind for row in _grid(response).grid()}
    assert shown == {"badan"}
    assert f'action="/kelola/periode/{source.pk}/penugasan/?jenis=badan"' in response.content.decode()


def test_saving_the_grid_sets_pillars_and_single_questions(as_admin, draft):
    agency = make_agency()
    make_question(draft, code="E1", pillar="ENV")
    response = _post_grid(as_admin, draft, {agency: (["ECO", "ENV"], "G1, E1")})
    assert response.status_code == 302
    assert _stored(draft, agency) == [("ECO", None), ("ENV", None), (None, "E1"), (None, "G1")]
    follow = as_admin.get(response["Location"])
    assert "Penugasan disimpan: 4 ditambah, 0 dihapus." in _messages(follow)


def test_unchecking_removes_an_assignment_and_leaves_agencies_not_shown_alone(as_admin, draft):
    shown, hidden = make_agency(), make_agency()
    assign(draft, shown, "GOV")
    assign(draft, hidden, "GOV")
    _post_grid(as_admin, draft, {shown: ([], "")})
    assert _stored(draft, shown) == []
    assert _stored(draft, hidden) == [("GOV", None)]


def test_an_unknown_question_code_saves_nothing(as_admin, draft):
    first, second = make_agency(), make_agency()
    response = _post_grid(as_admin, draft, {first: (["ECO"], ""), second: (["GOV"], "G1, ZZ.9")})
    assert response.status_code == 400
    assert "Kode pertanyaan tidak ada di periode ini: ZZ.9." in response.content.decode()
    assert _stored(draft, first) == [] and _stored(draft, second) == []


def test_a_grid_saved_after_another_admin_changed_it_is_refused(as_admin, draft):
    agency = make_agency()
    seen = draft.assignments_version
    draft.replace_assignments({agency.pk: ({Pillar.objects.get(code="SOC").pk}, set())}, seen)  # the colleague
    response = _post_grid(as_admin, draft, {agency: (["ECO"], "")}, version=seen)
    assert response.status_code == 409
    assert "admin lain mengubahnya" in response.content.decode()
    assert _stored(draft, agency) == [("SOC", None)]
    # the page now shows the colleague's version, so saving it again works
    assert _grid(response)["version"].value() == seen + 1


def test_bulk_assign_gives_every_agency_of_a_kind_a_pillar(as_admin, draft):
    eco = Pillar.objects.get(code="ECO")
    data = {"version": draft.assignments_version, "kind": "badan", "pillar": eco.pk}
    response = as_admin.post(f"/kelola/periode/{draft.pk}/penugasan/massal/", data, follow=True)
    badan = Agency.objects.filter(kind="badan", active=True)
    assert f"{badan.count()} perangkat daerah berjenis Badan ditugaskan ke Smart Economy." in _messages(response)
    assert set(Assignment.objects.filter(period=draft, pillar=eco).values_list("agency_id", flat=True)) == set(
        badan.values_list("pk", flat=True)
    )
    assert response.redirect_chain[-1][0] == f"/kelola/periode/{draft.pk}/penugasan/?jenis=badan"


def test_bulk_assign_from_an_older_version_is_refused(as_admin, draft):
    data = {"version": draft.assignments_version + 5, "kind": "badan", "pillar": Pillar.objects.get(code="ECO").pk}
    response = as_admin.post(f"/kelola/periode/{draft.pk}/penugasan/massal/", data, follow=True)
    assert "Penugasan massal tidak disimpan" in _messages(response)[0]
    assert not Assignment.objects.filter(period=draft, pillar__code="ECO").exists()


@pytest.mark.parametrize("agencies", [1, 40])
def test_the_grid_takes_the_same_queries_whatever_the_number_of_agencies(
    as_admin, draft, agencies, django_assert_num_queries
):
    for _n in range(agencies):
        agency = make_agency()
        assign(draft, agency, "ECO")
        Assignment.objects.create(period=draft, agency=agency, question=Question.objects.for_period(draft).get())
    # session, user, permissions, period, assignments, agencies, pillars, question codes,
    # questions per pillar, unassigned questions (the user comes with their agency and region)
    with django_assert_num_queries(11):
        as_admin.get(f"/kelola/periode/{draft.pk}/penugasan/")


@pytest.mark.parametrize("agencies", [1, 40])
def test_saving_the_grid_takes_the_same_queries_whatever_the_number_of_agencies(
    as_admin, draft, agencies, django_assert_num_queries
):
    data = _grid_data(draft, {make_agency(): (["ECO", "SOC"], "G1") for _n in range(agencies)})
    # session, user, permissions, period, the grid's 4 reads, then savepoint, stored rows,
    # version, insert, release (nothing unchecked, so no delete)
    with django_assert_num_queries(13):
        response = as_admin.post(f"/kelola/periode/{draft.pk}/penugasan/", data)
    assert response.status_code == 302
    assert Assignment.objects.filter(period=draft).count() == 1 + 3 * agencies


NEW_URLS = ["baru/", "{pk}/buka-kembali/", "{pk}/penugasan/", "{pk}/penugasan/massal/"]


@pytest.mark.parametrize("who", ["coordinator", "leader", "operator_a"])
@pytest.mark.parametrize("url", NEW_URLS)
def test_only_the_admin_adds_periods_and_assigns_agencies(client, draft, who, url, request):
    client.force_login(request.getfixturevalue(who))
    url = "/kelola/periode/" + url.format(pk=draft.pk)
    assert client.get(url).status_code in {403, 405}
    data = _new(source="") | {"version": 0, "shown": [], "kind": "badan", "pillar": Pillar.objects.first().pk}
    assert client.post(url, data).status_code == 403
    assert EvaluationPeriod.objects.count() == 2
    assert Assignment.objects.filter(period=draft).count() == 1
    draft.refresh_from_db()
    assert draft.is_draft()


def test_the_grid_and_bulk_actions_reject_get_where_they_change_data(as_admin, draft):
    assert as_admin.get(f"/kelola/periode/{draft.pk}/penugasan/massal/").status_code == 405
    assert as_admin.get(f"/kelola/periode/{draft.pk}/buka-kembali/").status_code == 405


def test_the_django_admin_shows_the_status_read_only(client, admin_user, draft):
    client.force_login(admin_user)
    html = client.get(f"/admin/evaluations/evaluationperiod/{draft.pk}/change/").content.decode()
    assert 'name="status"' not in html
    today = timezone.localdate()
    client.post(
        f"/admin/evaluations/evaluationperiod/{draft.pk}/change/",
        {
            "year": draft.year,
            "stage": draft.stage,
            "name": draft.name,
            "opens": today.isoformat(),
            "closes": (today + timedelta(days=9)).isoformat(),
            "status": "open",
            "region": draft.region_id,
            "national": draft.national_id,
        },
    )
    draft.refresh_from_db()
    assert draft.is_draft()
    assert draft.closes == today + timedelta(days=9)


def test_copy_does_not_carry_submissions(as_admin, source, agency_a):
    Submission.objects.create(period=source, agency=agency_a)
    as_admin.post("/kelola/periode/baru/", _new(source=source.pk))
    assert not Submission.objects.filter(period__year=2025).exists()


@pytest.mark.parametrize("extra_periods", [0, 20])
def test_the_period_list_and_the_new_period_form_take_the_same_queries_whatever_the_number_of_periods(
    as_admin, source, extra_periods, django_assert_num_queries
):
    for n in range(extra_periods):
        make_period(year=2040 + n)
    # session, user (with their agency and region), permissions, periods with their counts
    with django_assert_num_queries(5):
        as_admin.get("/kelola/periode/")
    # session, user, permissions, one region or several (the right to add a national period),
    # periods (suggestion), the source choices
    with django_assert_num_queries(7):
        as_admin.get("/kelola/periode/baru/")


def test_opening_takes_the_same_queries_whatever_the_size_of_the_instrument(
    as_admin, source, django_assert_num_queries
):
    ContentType.objects.clear_cache()  # measured cold: the history row's content type is read once
    # session, user, permissions, period, then in one transaction (savepoint ... release):
    # dimensions, any question, unassigned questions, status update, content type, history row; and
    # the other open periods (none here), read before opening
    with django_assert_num_queries(13):
        response = as_admin.post(f"/kelola/periode/{source.pk}/buka/")
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.is_open()
