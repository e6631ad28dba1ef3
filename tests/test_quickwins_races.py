"""Two people acting on one quick win at the same moment (evaluations/models/quickwins.py): the
second is told it was already dealt with; nothing is done twice."""

import pytest

from evaluations import quickwins
from evaluations.models import QuickWin, QuickWinChange, TransitionError

from .concurrency import at_once, needs_postgresql, reference_data  # noqa: F401  (a fixture)
from .factories import make_quick_win

Q = QuickWin.Status
ALREADY = "sudah diproses"


def another_copy(quick_win):
    return QuickWin.objects.get(pk=quick_win.pk)


@pytest.mark.django_db
def test_rejecting_a_quick_win_established_meanwhile_is_refused_as_already_processed(
    period, agency_a, coordinator, admin_user
):
    proposal = make_quick_win(period, agency_a)
    stale = another_copy(proposal)
    proposal.establish(coordinator)
    with pytest.raises(TransitionError, match=ALREADY):
        stale.reject(admin_user, note="Belum berjalan.")
    assert another_copy(proposal).status == Q.ESTABLISHED


@pytest.mark.django_db
def test_an_operators_edit_saved_after_the_quick_win_was_established_is_refused(
    period, agency_a, operator_a, coordinator
):
    proposal = make_quick_win(period, agency_a, name="Portal Satu Data")
    stale = another_copy(proposal)
    proposal.establish(coordinator)
    stale.name = "Nama diubah"
    with pytest.raises(TransitionError, match=ALREADY):
        quickwins.save_edit(stale, operator_a)
    assert another_copy(proposal).name == "Portal Satu Data"


@pytest.mark.django_db
def test_moving_a_quick_win_on_from_a_page_opened_before_another_move_is_refused(period, agency_a, coordinator):
    running = make_quick_win(period, agency_a, status=Q.ESTABLISHED)
    stale = another_copy(running)
    running.move_status(coordinator, Q.RUNNING)
    with pytest.raises(TransitionError, match=ALREADY):
        stale.move_status(coordinator, Q.STOPPED)
    assert another_copy(running).status == Q.RUNNING


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_setting_and_rejecting_at_the_same_moment_one_succeeds_and_the_other_is_told(
    reference_data,  # noqa: F811
    period,
    agency_a,
    coordinator,
    admin_user,
):
    proposal = make_quick_win(period, agency_a)
    first, second = another_copy(proposal), another_copy(proposal)
    outcomes = at_once(lambda: first.establish(coordinator), lambda: second.reject(admin_user, note="Belum berjalan."))
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionError) and ALREADY in errors[0].message
    assert QuickWinChange.objects.filter(quick_win=proposal, kind=QuickWinChange.Kind.STATUS).count() == 1
