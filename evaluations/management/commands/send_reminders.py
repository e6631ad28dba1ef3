from django.core.management.base import BaseCommand, CommandError

from evaluations import reminders, tasks
from evaluations.models import EvaluationPeriod


class Command(BaseCommand):
    help = (
        "E-mails the operators of agencies whose submission is not yet sent (or was returned) when the "
        "period's deadline is at most REMINDER_DAYS_BEFORE days away, listing what is still missing. "
        "Meant to run daily (cron): it queues one reminders job per period and day for the workers, "
        "and each agency is reminded at most once a day however often it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, help="Only this period (id); default: every open period due.")
        parser.add_argument("--dry-run", action="store_true", help="Count the messages without sending them.")

    def handle(self, *args, period=None, dry_run=False, **options):
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
                counted = reminders.send_reminders(item, dry_run=True)
                total.messages += counted.messages
                total.agencies += counted.agencies
            self.stdout.write(
                f"send_reminders: {total.messages} e-mail akan dikirim ke operator {total.agencies} perangkat "
                f"daerah ({len(periods)} periode)."
            )
            return
        messages = agencies = waiting = 0
        for item in periods:
            job, created = tasks.reminders_job(item)
            if not created:
                continue  # today's job of this period exists: it sent (or sends) today's reminders
            if job.is_done:
                messages += job.result["messages"]
                agencies += job.result["agencies"]
            else:
                waiting += 1
        line = (
            f"send_reminders: {messages} e-mail dikirim ke operator {agencies} perangkat daerah "
            f"({len(periods)} periode)"
        )
        if waiting:
            line += f"; {waiting} pekerjaan menunggu worker"
        self.stdout.write(line + ".")
