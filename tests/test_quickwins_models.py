"""Quick-win rules on the model: life cycle, who may do what, history, continuation, visibility."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations import quickwins
from evaluations.models import QuickWin, QuickWinChange, TransitionError
from evaluations.validators import validate_evidence_file
from pillars.models import Pillar

from .factories import make_period, make_quick_win

pytestmark = pytest.mark.django_db
S = QuickWin.Status


def test_an_operator_proposes_a_quick_win_for_their_own_agency(period, operator_a, agency_a):
    quick_win = quickwins.propose(
        operator_a, period=period, agency=agency_a, pillar=Pillar.objects.get(code="GOV"), name="Portal Satu Data"
    )
    assert quick_win.status == S.PROPOSED
    change = quick_win.changes.get()
    assert (change.actor, change.kind, change.to_status) == (operator_a, QuickWinChange.Kind.CREATED, S.PROPOSED)


def test_an_operator_cannot_propose_for_another_agency(period, operator_a, agency_b):
    with pytest.raises(PermissionDenied):
        quickwins.propose(operator_a, period=period, agency=agency_b, pillar=Pillar.objects.get(code="GOV"), name="X")
    assert not QuickWin.objects.exists()


def test_a_coordinator_establishes_a_proposal_and_the_change_is_recorded(period, agency_a, coordinator):
    quick_win = make_quick_win(period, agency_a)
    quick_win.establish(coordinator, note="Sesuai masterplan")
    quick_win.refresh_from_db()
    assert quick_win.status == S.ESTABLISHED
    change = quick_win.changes.get()
    assert (change.actor, change.from_status, change.to_status, change.note) == (
        coordinator,
        S.PROPOSED,
        S.ESTABLISHED,
        "Sesuai masterplan",
    )


def test_an_operator_cannot_establish_their_own_proposal(period, agency_a, operator_a):
    quick_win = make_quick_win(period, agency_a)
    with pytest.raises(PermissionDenied):
        quick_win.establish(operator_a)
    quick_win.refresh_from_db()
    assert quick_win.status == S.PROPOSED


def test_rejecting_needs_a_note(period, agency_a, coordinator):
    quick_win = make_quick_win(period, agency_a)
    with pytest.raises(TransitionError):
        quick_win.reject(coordinator, note="  ")
    quick_win.refresh_from_db()
    assert quick_win.status == S.PROPOSED
    assert not quick_win.changes.exists()


def test_a_rejected_proposal_keeps_the_note_and_can_be_proposed_again_by_its_agency(
    period, agency_a, coordinator, operator_a
):
    quick_win = make_quick_win(period, agency_a)
    quick_win.reject(coordinator, note="Belum berjalan")
    assert quick_win.status_note == "Belum berjalan"
    quick_win.resubmit(operator_a)
    quick_win.refresh_from_db()
    assert quick_win.status == S.PROPOSED
    assert list(quick_win.changes.values_list("to_status", flat=True)) == [S.REJECTED, S.PROPOSED]


def test_an_established_quick_win_moves_through_berjalan_and_dihentikan(period, agency_a, operator_a, coordinator):
    quick_win = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    quick_win.move_status(operator_a, S.RUNNING)
    quick_win.move_status(coordinator, S.STOPPED, note="Anggaran tidak tersedia")
    quick_win.refresh_from_db()
    assert quick_win.status == S.STOPPED
    assert quick_win.changes.count() == 2


def test_a_proposal_cannot_jump_to_berjalan(period, agency_a, coordinator):
    quick_win = make_quick_win(period, agency_a)
    with pytest.raises(TransitionError):
        quick_win.move_status(coordinator, S.RUNNING)


def test_another_agency_cannot_move_an_established_quick_win(period, agency_a, operator_b):
    quick_win = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    with pytest.raises(PermissionDenied):
        quick_win.move_status(operator_b, S.RUNNING)


def test_continuing_copies_a_quick_win_into_the_new_period_as_dilanjutkan(period, agency_a, agency_b, operator_a):
    old = make_quick_win(
        period, agency_a, status=S.RUNNING, name="Digital Learning", budget=5_000_000, budget_source="apbd"
    )
    old.supporting_agencies.set([agency_b])
    new_period = make_period(year=2025)
    new = quickwins.continue_into(old, new_period, operator_a)
    assert (new.period, new.status, new.name, new.continued_from, new.is_new) == (
        new_period,
        S.CONTINUED,
        "Digital Learning",
        old,
        False,
    )
    assert list(new.supporting_agencies.all()) == [agency_b]
    assert new.changes.get().kind == QuickWinChange.Kind.CONTINUED


def test_a_quick_win_is_continued_only_once_per_period(period, agency_a, operator_a):
    old = make_quick_win(period, agency_a, status=S.ESTABLISHED)
    new_period = make_period(year=2025)
    quickwins.continue_into(old, new_period, operator_a)
    with pytest.raises(TransitionError):
        quickwins.continue_into(old, new_period, operator_a)
    assert QuickWin.objects.filter(period=new_period).count() == 1


def test_a_stopped_or_unset_quick_win_cannot_be_continued(period, agency_a, operator_a):
    new_period = make_period(year=2025)
    for status in (S.STOPPED, S.PROPOSED, S.REJECTED):
        with pytest.raises(TransitionError):
            quickwins.continue_into(make_quick_win(period, agency_a, status=status), new_period, operator_a)
    assert not QuickWin.objects.filter(period=new_period).exists()


def test_operators_see_their_own_proposals_and_everyone_s_established_quick_wins(
    period, agency_a, agency_b, operator_a, operator_b
):
    own_draft = make_quick_win(period, agency_a)
    own_rejected = make_quick_win(period, agency_a, status=S.REJECTED)
    other_draft = make_quick_win(period, agency_b)
    other_rejected = make_quick_win(period, agency_b, status=S.REJECTED)
    other_set = make_quick_win(period, agency_b, status=S.ESTABLISHED)
    visible = set(QuickWin.objects.visible_to(operator_a))
    assert {own_draft, own_rejected, other_set} <= visible
    assert not {other_draft, other_rejected} & visible


def test_coordinators_and_leaders_see_every_quick_win(period, agency_b, coordinator, leader):
    draft = make_quick_win(period, agency_b)
    assert draft in QuickWin.objects.visible_to(coordinator)
    assert draft in QuickWin.objects.visible_to(leader)


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def test_evidence_validator_accepts_a_real_pdf_and_leaves_it_ready_to_save():
    upload = _upload("sk.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert validate_evidence_file(upload) is None
    assert upload.tell() == 0
    assert upload.read(5) == b"%PDF-"


def test_evidence_validator_refuses_a_renamed_text_file():
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(_upload("sk.pdf", b"bukan pdf"))
    assert "tidak sesuai" in str(error.value)


def test_evidence_validator_refuses_a_forbidden_extension():
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(_upload("skrip.exe", b"MZ\x90\x00"))
    assert "tidak diizinkan" in str(error.value)


def test_evidence_validator_refuses_a_zip_renamed_to_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lain.txt", "x")
    with pytest.raises(ValidationError):
        validate_evidence_file(_upload("laporan.docx", buffer.getvalue()))


def test_evidence_validator_refuses_a_file_over_the_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(_upload("sk.pdf", b"%PDF-1.4 " + b"x" * 20))
    assert "terlalu besar" in str(error.value)
