"""The bell in the header, /notifikasi/ (paging, mark one or all as read) and the coordinator's
"N menunggu verifikasi" on the home page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.models import Notification, Region, Submission

from .factories import make_agency, make_submission

pytestmark = pytest.mark.django_db


def notice(user, kind=Notification.Kind.APPROVED, read=False, **params):
    return Notification.objects.create(
        region=Region.objects.default(),
        recipient=user,
        kind=kind,
        params={"period": "2024 Tahap I", "agency": "Bappeda", "name": "Portal", **params},
        link="/opd/",
        read_at=timezone.now() if read else None,
    )


def bell(html):
    start = html.index('class="navbar-bell')
    return html[start : html.index("</a>", start)]


def test_the_bell_shows_the_unread_count_with_a_label_for_screen_readers(client_a, operator_a, operator_b, period):
    notice(operator_a)
    notice(operator_a)
    notice(operator_a, read=True)
    notice(operator_b)
    html = bell(client_a.get("/").content.decode())
    assert re.search(r'<span class="badge[^"]*" aria-hidden="true">2</span>', html)
    assert '<span class="visually-hidden">Notifikasi: 2 belum dibaca</span>' in html
    assert 'href="/notifikasi/"' in html


def test_the_bell_has_no_badge_when_everything_is_read(client_a, operator_a, period):
    notice(operator_a, read=True)
    html = bell(client_a.get("/").content.decode())
    assert "badge" not in html
    assert "Notifikasi: 0 belum dibaca" in html


def test_the_bell_is_labelled_in_english_too(client_a, operator_a, period):
    notice(operator_a)
    client_a.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Notifications: 1 unread" in bell(client_a.get("/").content.decode())


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_bell_costs_one_query_whatever_the_number_of_notices(client_a, operator_a, period):
    without = _queries(client_a, "/akun/kata-sandi/selesai/")
    for _ in range(30):
        notice(operator_a)
    assert _queries(client_a, "/akun/kata-sandi/selesai/") == without
    Notification.objects.all().delete()
    # The lightest signed-in page: session, user, permissions, agency, and the bell's count.
    assert without == 4


def test_the_list_shows_the_users_own_notices_newest_first_in_their_language(client_a, operator_a, operator_b):
    notice(operator_a, kind=Notification.Kind.RETURNED)
    notice(operator_a, kind=Notification.Kind.QUICK_WIN_ESTABLISHED)
    notice(operator_b, kind=Notification.Kind.QUICK_WIN_REJECTED)
    html = client_a.get("/notifikasi/").content.decode()
    assert html.index("Quick win &quot;Portal&quot; ditetapkan") < html.index("Pengisian 2024 Tahap I dikembalikan")
    assert "ditolak" not in html
    assert "2 belum dibaca." in html
    client_a.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client_a.get("/notifikasi/").content.decode()
    assert "Quick win &quot;Portal&quot; was set by the coordinator." in html


def test_the_list_pages_by_twenty(client_a, operator_a):
    for _ in range(25):
        notice(operator_a, read=True)
    first = client_a.get("/notifikasi/").content.decode()
    second = client_a.get("/notifikasi/?halaman=2").content.decode()
    assert first.count('class="list-group-item') == 20
    assert second.count('class="list-group-item') == 5
    assert "Halaman 2 dari 2" in second


def test_the_list_runs_the_same_number_of_queries_for_1_and_50_notices(client_a, operator_a, django_assert_num_queries):
    notice(operator_a)
    small = _queries(client_a, "/notifikasi/")
    for _ in range(49):
        notice(operator_a)
    assert _queries(client_a, "/notifikasi/") == small
    with django_assert_num_queries(6):
        client_a.get("/notifikasi/")


def test_marking_one_notice_read_leaves_the_others_unread(client_a, operator_a):
    first, second = notice(operator_a), notice(operator_a)
    response = client_a.post(f"/notifikasi/{first.pk}/baca/", {"halaman": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifikasi/?halaman=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert "Notifikasi: 1 belum dibaca" in client_a.get("/notifikasi/").content.decode()


def test_opening_an_unread_notice_marks_it_read_and_goes_to_its_page(client_a, operator_a):
    unread = notice(operator_a)
    response = client_a.post(f"/notifikasi/{unread.pk}/baca/", {"buka": "1"})
    assert response.status_code == 302 and response["Location"] == "/opd/"
    unread.refresh_from_db()
    assert unread.read_at is not None


def test_marking_again_keeps_the_time_it_was_first_read(client_a, operator_a):
    seen = notice(operator_a, read=True)
    first_read = seen.read_at
    client_a.post(f"/notifikasi/{seen.pk}/baca/")
    seen.refresh_from_db()
    assert seen.read_at == first_read


def test_another_users_notice_is_404_and_stays_unread(client_a, operator_b):
    theirs = notice(operator_b)
    assert client_a.post(f"/notifikasi/{theirs.pk}/baca/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_reads_only_by_post(client_a, operator_a):
    unread = notice(operator_a)
    assert client_a.get(f"/notifikasi/{unread.pk}/baca/").status_code == 405
    assert client_a.get("/notifikasi/baca-semua/").status_code == 405


def test_marking_all_read_touches_only_the_users_own(client_a, operator_a, operator_b):
    notice(operator_a)
    notice(operator_a)
    theirs = notice(operator_b)
    assert client_a.post("/notifikasi/baca-semua/").status_code == 302
    assert not Notification.objects.filter(recipient=operator_a).unread().exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    html = client_a.get("/notifikasi/").content.decode()
    assert "0 belum dibaca." in html and "Tandai semua dibaca" not in html


def test_an_empty_list_says_so(client_a):
    assert "Belum ada notifikasi." in client_a.get("/notifikasi/").content.decode()


# --- the coordinator's home ---------------------------------------------------------------------


def test_the_coordinators_home_opens_with_the_submissions_waiting_linked_to_the_queue(
    client, coordinator, period, agency_a, agency_b
):
    make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    make_submission(period, agency_b, status=Submission.Status.SUBMITTED)
    make_submission(period, make_agency(), status=Submission.Status.RETURNED)
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    link = f'href="/koordinator/?periode={period.pk}&amp;status=submitted">2 menunggu verifikasi</a>'
    assert link in html
    assert html.index("menunggu verifikasi") < html.index('id="period-title"')


def test_the_queue_link_lists_exactly_the_submitted_agencies(client, coordinator, period, agency_a, agency_b):
    make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    client.force_login(coordinator)
    response = client.get(f"/koordinator/?periode={period.pk}&status=submitted")
    assert [row.completion.agency for row in response.context["rows"]] == [agency_a]


def test_operators_and_leaders_do_not_see_the_queue(client, client_a, leader, period):
    assert "menunggu verifikasi" not in client_a.get("/").content.decode()
    client.force_login(leader)
    assert "menunggu verifikasi" not in client.get("/").content.decode()
