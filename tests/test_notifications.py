"""Who is told of what (evaluations/notifications.py): an in-app notice for each recipient and an
e-mail to those with an address, for every event, through the pages that cause them. Nobody is
told of their own action; no operator hears of another agency's events."""

import logging
import smtplib

import pytest
from django.core import mail
from django.db import transaction

from evaluations import notifications
from evaluations.models import Notification, Question, QuickWin, Submission

from .factories import assign, make_answer, make_operator, make_period, make_question, make_quick_win, make_submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs")]
SITE = "https://smartcity.kutaitimurkab.go.id"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def cast(operator_a, operator_b, coordinator, leader, admin_user):
    """Everyone, so each test can check that only the right people heard."""


@pytest.fixture
def ready(agency_a):
    """Agency A's draft in a period where its one question is answered: ready to be sent."""
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    submission = make_submission(period, agency_a)
    make_answer(submission, make_question(period, code="S.1", answer_type=Question.AnswerType.TEXT))
    return submission


@pytest.fixture
def submitted(period, agency_a):
    return make_submission(period, agency_a, status=Submission.Status.SUBMITTED)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """The tests run inside a transaction that never commits: `with committed():` runs what waits
    for the commit when the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def notified():
    return {n.recipient.username for n in Notification.objects.select_related("recipient")}


def mailed():
    return sorted(address for message in mail.outbox for address in message.to)


def test_submitting_tells_the_coordinators_and_admins_and_nobody_else(client_a, cast, ready, committed, agency_a):
    with committed():
        response = client_a.post(f"/opd/pengisian/{ready.pk}/kirim/")
    assert response.status_code == 302
    assert notified() == {"koordinator", "admin"}
    assert mailed() == ["admin@example.go.id", "koordinator@example.go.id"]
    notice = Notification.objects.get(recipient__username="koordinator")
    assert notice.message == f"{agency_a.name} mengirim pengisian {ready.period.name} untuk diverifikasi."
    assert notice.link == f"/koordinator/pengisian/{ready.pk}/"
    message = mail.outbox[0]
    assert message.subject == "Evaluasi Smart City: Pengisian dikirim"
    assert notice.message in message.body
    assert f"{SITE}/koordinator/pengisian/{ready.pk}/" in message.body


def test_returning_tells_the_agencys_operators_with_the_note(client, cast, coordinator, submitted, committed):
    colleague = make_operator(submitted.agency, "operator_a2")
    client.force_login(coordinator)
    url = f"/koordinator/pengisian/{submitted.pk}/kembalikan/"
    with committed():
        response = client.post(url, {"note": "Lengkapi bukti dukung GOV.", "confirm": "on"})
    assert response.status_code == 302
    assert notified() == {"operator_a", colleague.username}
    assert mailed() == ["operator_a2@example.go.id", "operator_a@example.go.id"]
    notice = Notification.objects.get(recipient__username="operator_a")
    assert notice.message == f"Pengisian {submitted.period.name} dikembalikan oleh koordinator untuk diperbaiki."
    assert notice.note == "Lengkapi bukti dukung GOV."
    assert "Catatan: Lengkapi bukti dukung GOV." in mail.outbox[0].body
    assert f"{SITE}/opd/pengisian/{submitted.pk}/" in mail.outbox[0].body


def test_the_return_names_each_marked_answer_with_its_note_and_link(
    client, cast, coordinator, operator_a, submitted, committed, period
):
    question = Question.objects.for_period(period).get(code="A.1.1")
    answer = make_answer(submitted, question, score=3)
    answer.mark_for_revision(coordinator, True, "Lampirkan SK yang ditandatangani.")
    client.force_login(coordinator)
    with committed():
        client.post(
            f"/koordinator/pengisian/{submitted.pk}/kembalikan/", {"note": "Lihat tanda di jawaban.", "confirm": "on"}
        )
    link = f"/opd/pengisian/{submitted.pk}/bagian/A-GOV/#q-{question.pk}"
    body = mail.outbox[0].body
    assert "1 jawaban perlu diperbaiki:" in body
    assert f"- A.1.1 {question.text[:60]}" in body
    assert "Catatan koordinator: Lampirkan SK yang ditandatangani." in body
    assert f"{SITE}{link}" in body
    client.force_login(operator_a)
    page = client.get("/notifikasi/").content.decode()
    assert f'<a href="{link}">A.1.1</a>' in page
    assert "Catatan koordinator: Lampirkan SK yang ditandatangani." in page


def test_approving_tells_only_the_agencys_operators(client, cast, coordinator, submitted, committed):
    client.force_login(coordinator)
    with committed():
        response = client.post(f"/koordinator/pengisian/{submitted.pk}/setujui/", {"note": ""})
    assert response.status_code == 302
    assert notified() == {"operator_a"}
    assert mailed() == ["operator_a@example.go.id"]
    assert Notification.objects.get().kind == Notification.Kind.APPROVED


def test_reopening_tells_the_agencys_operators_but_not_the_admin_who_did_it(
    client, cast, admin_user, period, agency_a, committed
):
    approved = make_submission(period, agency_a, status=Submission.Status.APPROVED)
    client.force_login(admin_user)
    with committed():
        response = client.post(f"/koordinator/pengisian/{approved.pk}/buka-kembali/", {"note": ""})
    assert response.status_code == 302
    assert notified() == {"operator_a"}
    assert Notification.objects.get().kind == Notification.Kind.REOPENED


def test_setting_a_quick_win_tells_the_owning_agencys_operators(client, cast, coordinator, period, agency_a, committed):
    proposal = make_quick_win(period, agency_a, name="Portal Satu Data")
    client.force_login(coordinator)
    with committed():
        client.post(f"/quick-wins/{proposal.pk}/tetapkan/", {"note": ""})
    assert QuickWin.objects.get(pk=proposal.pk).status == QuickWin.Status.ESTABLISHED
    assert notified() == {"operator_a"}
    assert mailed() == ["operator_a@example.go.id"]
    assert Notification.objects.get().message == 'Quick win "Portal Satu Data" ditetapkan oleh koordinator.'
    assert f"{SITE}/quick-wins/{proposal.pk}/" in mail.outbox[0].body


def test_rejecting_a_quick_win_tells_the_owning_agency_why(client, cast, coordinator, period, agency_b, committed):
    proposal = make_quick_win(period, agency_b, name="Bank sampah")
    client.force_login(coordinator)
    with committed():
        client.post(f"/quick-wins/{proposal.pk}/tolak/", {"note": "Belum berjalan."})
    assert notified() == {"operator_b"}
    notice = Notification.objects.get()
    assert notice.kind == Notification.Kind.QUICK_WIN_REJECTED and notice.note == "Belum berjalan."


def test_moving_an_established_quick_win_on_tells_nobody(client, cast, coordinator, period, agency_a, committed):
    running = make_quick_win(period, agency_a, status=QuickWin.Status.ESTABLISHED)
    client.force_login(coordinator)
    with committed():
        client.post(f"/quick-wins/{running.pk}/status/", {"status": "berjalan"})
    assert QuickWin.objects.get(pk=running.pk).status == QuickWin.Status.RUNNING
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_refused_transition_tells_nobody(client, cast, coordinator, period, agency_a, committed):
    draft = make_submission(period, agency_a)
    client.force_login(coordinator)
    with committed():
        response = client.post(f"/koordinator/pengisian/{draft.pk}/setujui/", {"note": ""})
    assert response.status_code == 400
    assert not Notification.objects.exists() and mail.outbox == []


def test_an_operator_without_an_email_address_gets_the_notice_only(client, coordinator, submitted, committed):
    silent = make_operator(submitted.agency, "tanpa_email")
    silent.email = ""
    silent.save()
    client.force_login(coordinator)
    with committed():
        client.post(f"/koordinator/pengisian/{submitted.pk}/setujui/", {"note": ""})
    assert notified() == {"tanpa_email"}
    assert mail.outbox == []


def test_an_inactive_operator_is_told_nothing(client, coordinator, submitted, committed):
    gone = make_operator(submitted.agency, "nonaktif")
    gone.is_active = False
    gone.save()
    client.force_login(coordinator)
    with committed():
        client.post(f"/koordinator/pengisian/{submitted.pk}/setujui/", {"note": ""})
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_failing_mail_server_does_not_stop_the_submission(client_a, cast, ready, committed, monkeypatch, caplog):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with caplog.at_level(logging.ERROR, logger="evaluations.notifications"), committed():
        response = client_a.post(f"/opd/pengisian/{ready.pk}/kirim/", follow=True)
    assert response.status_code == 200
    assert "Pengisian terkirim untuk verifikasi" in response.content.decode()
    assert Submission.objects.get(pk=ready.pk).is_submitted()
    assert notified() == {"koordinator", "admin"}
    assert "E-mail pemberitahuan gagal dikirim" in caplog.text


def test_nothing_is_sent_or_kept_when_the_transaction_rolls_back(operator_a, committed):
    with committed() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(
            [operator_a],
            Notification.Kind.APPROVED,
            {"period": "2024"},
            "/opd/",
            region_id=operator_a.agency_member.agency.region_id,
        )
        raise RuntimeError("a later step failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_the_email_waits_for_the_commit(operator_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.notify(
            [operator_a],
            Notification.Kind.APPROVED,
            {"period": "2024"},
            "/opd/",
            region_id=operator_a.agency_member.agency.region_id,
        )
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert mailed() == ["operator_a@example.go.id"]


def test_the_smtp_timeout_is_set(settings):
    assert settings.EMAIL_TIMEOUT == 10


def test_nobody_is_told_of_their_own_action(cast, coordinator, submitted):
    notifications.submission_changed(submitted, by=coordinator)
    assert notified() == {"admin"}
