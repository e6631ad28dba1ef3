from django.conf import settings
from django.core.management.base import BaseCommand

from evaluations import tasks


class Command(BaseCommand):
    help = (
        "Queues again every running job whose worker stopped writing its heartbeat for more than "
        "JOB_STALE_SECONDS (a worker killed in the middle). Run it every minute (cron); the job's "
        "status page does the same for the job someone is waiting for."
    )

    def handle(self, *args, **options):
        count = tasks.requeue_stale()
        self.stdout.write(
            f"requeue_stale_jobs: {count} pekerjaan diantrekan ulang (heartbeat > {settings.JOB_STALE_SECONDS} s)."
        )
