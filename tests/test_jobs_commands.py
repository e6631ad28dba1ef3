"""`manage.py requeue_stale_jobs`: the periodic check that gives a killed worker's job to the next one."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from evaluations.models import Job

pytestmark = pytest.mark.django_db


def test_it_queues_again_only_the_jobs_whose_heartbeat_is_old(period, settings):
    settings.JOB_STALE_SECONDS = 60
    stale, fresh = (Job.objects.create(kind=Job.Kind.WORKBOOK, key=key, period=period) for key in ("a", "b"))
    stale.claim()
    fresh.claim()
    Job.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    out = StringIO()
    call_command("requeue_stale_jobs", stdout=out)
    assert "requeue_stale_jobs: 1 pekerjaan diantrekan ulang" in out.getvalue()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.state, fresh.state) == (Job.State.QUEUED, Job.State.RUNNING)
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.all()] == [[stale.pk]]
    call_command("requeue_stale_jobs", stdout=out)
    assert DBTaskResult.objects.count() == 1
