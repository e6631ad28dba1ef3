import time

from django.core.management.base import BaseCommand, CommandError

from evaluations import reminders, tasks
from evaluations.models import EvaluationPeriod
from evaluations.regions import in_region

from ..progress import progress_bar

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Queues a reminders job for every open period whose deadline is at most REMINDER_DAYS_BEFORE days "
        "away: the operators of agencies whose submission is not yet sent (or was returned) get an e-mail "
        "listing what is still missing. Agencies already reminded today (by the dashboard's button, another "
        "scheduler) are skipped. Meant to run daily (cron); --wait follows the jobs until they are done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, help="Only this period (id); default: every open period due.")
        parser.add_argument("--dry-run", action="store_true", help="Count the messages without sending them.")
        parser.add_argument(
            "--wait", action="store_true", help="Wait for the worker to send them (a progress bar on a terminal)."
        )

    def handle(self, *args, **options):
        # Every region's due periods: the cron runs once for the whole deployment; each reminders
        # job then works in its own period's region.
        with in_region(None):
            self.send(**options)

    def send(self, period=None, dry_run=False, wait=False, **options):
        if period is not None:
            try:
                periods = [EvaluationPeriod.objects.get(pk=period)]
            except EvaluationPeriod.DoesNotExist:
                raise CommandError(f"Periode {period} tidak ada.") from None
        else:
            periods = reminders.due_periods()
        if dry_run:
            total = reminders.Sent()
            for item in periods:
                total.add(reminders.send_reminders(item, dry_run=True))
            self.summary(total, len(periods), "akan dikirim")
            return
        jobs = [tasks.reminders_job(item, on_request=False) for item in periods]
        if wait:
            self.wait_for(jobs, progress_bar(self, options))
        if not all(job.is_finished for job in jobs):
            ids = ", ".join(f"#{job.pk}" for job in jobs)
            self.stdout.write(
                f"send_reminders: {len(jobs)} pekerjaan pengingat diantrekan ({ids}) untuk {len(periods)} periode; "
                "worker mengirimnya."
            )
            return
        failed = [job.message for job in jobs if job.is_failed]
        if failed:
            raise CommandError("Server e-mail gagal; lihat log. " + " ".join(failed))
        total = reminders.Sent()
        for job in jobs:
            total.add(reminders.Sent(job.result["messages"], job.result["agencies"], job.result["skipped"]))
        self.summary(total, len(periods), "dikirim")

    def summary(self, total, periods, verb):
        self.stdout.write(
            f"send_reminders: {total.messages} e-mail {verb} ke operator {total.agencies} perangkat daerah "
            f"({periods} periode; {total.skipped} perangkat daerah sudah diingatkan hari ini)."
        )

    def wait_for(self, jobs, bar):
        """Follow the jobs until they are finished, as their page does: one whose worker stopped
        beating is queued again."""
        while True:
            for job in jobs:
                job.refresh_from_db()
                if job.looks_stale() and job.requeue_if_stale():
                    tasks.enqueue(job)
            if bar:
                done = sum(job.progress_done if not job.is_finished else job.progress_total for job in jobs)
                bar(done, sum(job.progress_total for job in jobs), "")
            if all(job.is_finished for job in jobs):
                break
            time.sleep(POLL_SECONDS)
        if bar:
            bar.end()
