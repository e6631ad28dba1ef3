"""Quick wins and the people who act next (issue 24, item 7): the coordinators hear of a proposal
and of a completion request, the agency of the completion confirmed or declined; confirming
"selesai" below the target says so first; percentages read the same in the history as on the
page."""

from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations.models import Notification, QuickWin

from .factories import make_quick_win
from .test_quickwins_reports import _completion, _report, _requested
from .test_quickwins_views import _form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
K = Notification.Kind
S = QuickWin.Status


def notices(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", "link"))


def test_the_coordinators_hear_of_a_proposal(client_a, coordinator, period):
    client_a.post("/quick-wins/baru/", _form_data())
    quick_win = QuickWin.objects.get()
    assert notices(coordinator) == [(K.QUICK_WIN_PROPOSED, f"/quick-wins/{quick_win.pk}/")]
    notice = Notification.objects.get(recipient=coordinator)
    assert 'mengusulkan quick win "Portal Satu Data"' in notice.message


def test_the_coordinators_hear_of_a_completion_request(client_a, coordinator, operator_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING)
    client_a.post(f"/quick-wins/{quick_win.pk}/ajukan-selesai/", _completion())
    assert notices(coordinator) == [(K.QUICK_WIN_COMPLETION_REQUESTED, f"/quick-wins/{quick_win.pk}/")]
    assert notices(operator_a) == []


def test_the_agency_hears_when_completion_is_confirmed(client, coordinator, operator_a, period, agency_a):
    quick_win = _requested(period, agency_a, operator_a)
    client.force_login(coordinator)
    client.post(f"/quick-wins/{quick_win.pk}/selesai/", {"konfirmasi-note": "Terverifikasi"})
    assert notices(operator_a) == [(K.QUICK_WIN_COMPLETED, f"/quick-wins/{quick_win.pk}/")]


def test_the_agency_hears_when_completion_is_declined_with_the_reason(
    client, coordinator, operator_a, period, agency_a
):
    quick_win = _requested(period, agency_a, operator_a)
    client.force_login(coordinator)
    client.post(f"/quick-wins/{quick_win.pk}/tolak-selesai/", {"tolak-selesai-note": "Foto belum ada"})
    notice = Notification.objects.get(recipient=operator_a)
    assert (notice.kind, notice.note) == (K.QUICK_WIN_COMPLETION_DECLINED, "Foto belum ada")


def test_confirming_completion_below_the_target_warns_first(client, coordinator, operator_a, period, agency_a):
    quick_win = _requested(period, agency_a, operator_a)
    QuickWin.objects.filter(pk=quick_win.pk).update(target_pct=Decimal(100), achievement_pct=Decimal("60.5"))
    client.force_login(coordinator)
    html = client.get(f"/quick-wins/{quick_win.pk}/").content.decode()
    assert "Capaian terakhir 60,50% dari target 100,00%" in html
    assert 'data-confirm="Capaian baru 60,50% dari target 100,00%. Tetap konfirmasi selesai?"' in html


def test_confirming_completion_at_the_target_has_no_warning(client, coordinator, operator_a, period, agency_a):
    quick_win = _requested(period, agency_a, operator_a)
    QuickWin.objects.filter(pk=quick_win.pk).update(target_pct=Decimal(100), achievement_pct=Decimal(100))
    client.force_login(coordinator)
    assert "short-of-target" not in client.get(f"/quick-wins/{quick_win.pk}/").content.decode()


def test_the_history_writes_a_percentage_as_the_page_does(client_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a, status=S.RUNNING, target_pct=Decimal(100))
    client_a.post(f"/quick-wins/{quick_win.pk}/laporan/", _report("60,5", timezone.localdate()))
    html = client_a.get(f"/quick-wins/{quick_win.pk}/").content.decode()
    assert "60,50% · " in html
    assert "60.5%" not in html
    assert "100,00% / 60,50%" in html
