"""One person's uploads cannot hold the queue: at most JOB_MAX_ACTIVE_PER_USER of their uploads
wait or run at once (a further one is refused with a message, its file not stored), and uploads
go to their own queue, behind short work (the workbook, reminders, e-mails) for a worker that
listens to both. The queue is the database one with no worker, so jobs stay queued."""

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from evaluations import tasks
from evaluations.models import Job

from .concurrency import at_once, needs_postgresql, reference_data  # noqa: F401  (a fixture)
from .factories import ROAD_ROW, make_xlsx

REFUSED = "Anda masih memiliki 2 unggahan yang sedang menunggu atau diproses."


@pytest.fixture
def limit(settings):
    settings.JOB_MAX_ACTIVE_PER_USER = 2


def upload(client):
    # The box replacing the agency's earlier rows is ticked: these uploads mean to replace them.
    data = {"file": make_xlsx([ROAD_ROW], kind="jalan"), "replace": "on"}
    return client.post("/data/jalan/unggah/", data, follow=True)


@pytest.mark.django_db
def test_an_upload_past_the_limit_is_refused_with_a_message_and_nothing_stored(client_a, period, limit):
    assert [upload(client_a).status_code for _ in range(2)] == [200, 200]
    html = upload(client_a).content.decode()
    assert REFUSED in html
    assert "Tunggu sampai salah satunya selesai, lalu unggah berkas ini lagi." in html
    refused = Job.objects.latest("pk")
    assert (refused.state, refused.file.name) == (Job.State.FAILED, "")
    assert DBTaskResult.objects.count() == 2  # the refused one is not queued
    assert Job.objects.filter(state=Job.State.QUEUED).count() == 2


@pytest.mark.django_db
def test_once_one_of_them_is_done_the_next_upload_is_accepted(client_a, period, limit):
    upload(client_a)
    upload(client_a)
    tasks.run_job.call(Job.objects.earliest("pk").pk)
    assert REFUSED not in upload(client_a).content.decode()
    assert Job.objects.filter(state=Job.State.QUEUED).count() == 2


@pytest.mark.django_db
def test_one_persons_uploads_do_not_hold_back_anothers(client_a, client, operator_b, period, limit):
    upload(client_a)
    upload(client_a)
    client.force_login(operator_b)
    assert REFUSED not in upload(client).content.decode()


@pytest.mark.django_db
def test_a_refused_upload_is_in_english_for_an_english_reader(client_a, period, limit):
    upload(client_a)
    upload(client_a)
    client_a.cookies["django_language"] = "en"
    assert "You still have 2 uploads waiting or being processed." in upload(client_a).content.decode()


@pytest.mark.django_db
def test_uploads_go_to_their_own_queue_and_a_later_workbook_is_taken_first(client_a, period, coordinator):
    for _ in range(3):
        upload(client_a)
    workbook = tasks.workbook_job(period, coordinator)
    queues = sorted(DBTaskResult.objects.values_list("queue_name", flat=True))
    assert queues == ["default", "imports", "imports", "imports"]
    # What a database worker listening to both queues takes next (its own query): the workbook.
    first = DBTaskResult.objects.ready().filter(queue_name__in=["default", "imports"]).first()
    assert first.args_kwargs["args"] == [workbook.pk]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_uploads_sent_at_once_are_counted_against_each_other(reference_data, period, operator_a, limit):  # noqa: F811
    def uploading():
        client = Client()
        client.force_login(operator_a)
        return lambda: upload(client)

    outcomes = at_once(*(uploading() for _ in range(6)))
    assert [error for _response, error in outcomes] == [None] * 6
    assert sum(REFUSED in response.content.decode() for response, _error in outcomes) == 4
    assert Job.objects.filter(state=Job.State.QUEUED).count() == 2
