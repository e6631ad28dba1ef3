from django.conf import settings
from django.core.management.base import BaseCommand

from evaluations import tasks
from evaluations.models import WorkerBeat

# A worker not heard of for a day (stopped, or its host gone) leaves the admin's page.
FORGET_WORKERS_AFTER = 24 * 3600


class Command(BaseCommand):
    help = (
        "Queues again every running job whose worker stopped writing its heartbeat for more than "
        "JOB_STALE_SECONDS (a worker killed in the middle), and every job queued for longer than that "
        "which the queue lost (no entry waiting or running for it). Run it every minute (cron); the "
        "job's status page does the same for the job someone is waiting for. Forgets workers not heard "
        "of for a day."
    )

    def handle(self, *args, **options):
        count = tasks.requeue_stale()
        forgotten = WorkerBeat.objects.forget_before(FORGET_WORKERS_AFTER)
        self.stdout.write(
            f"requeue_stale_jobs: {count} pekerjaan diantrekan ulang (heartbeat atau antrean > "
            f"{settings.JOB_STALE_SECONDS} s), {forgotten} pekerja lama dilupakan."
        )
