from django.core.management.base import BaseCommand, CommandError

from evaluations import reminders
from evaluations.models import EvaluationPeriod


class Command(BaseCommand):
    help = (
        "E-mails the operators of agencies whose submission is not yet sent (or was returned) when the "
        "period's deadline is at most REMINDER_DAYS_BEFORE days away, listing what is still missing. "
        "Agencies already reminded today (by the dashboard's button) are skipped. Meant to run daily (cron)."
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
        total = reminders.Sent()
        for item in periods:
            total.add(reminders.send_reminders(item, dry_run=dry_run))
        if total.failed:
            raise CommandError("Server e-mail gagal; lihat log. Pengingat yang gagal dapat dikirim ulang hari ini.")
        verb = "akan dikirim" if dry_run else "dikirim"
        self.stdout.write(
            f"send_reminders: {total.messages} e-mail {verb} ke operator {total.agencies} perangkat daerah "
            f"({len(periods)} periode; {total.skipped} perangkat daerah sudah diingatkan hari ini)."
        )
