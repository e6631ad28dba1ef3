from django.core.management.base import BaseCommand

from ...excel.workbook import export_period
from ..period_option import add_period_argument, get_period

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Writes a period's evaluation workbook (Ringkasan, Kuesioner, Progres OPD, ...) to an .xlsx file, "
        "with a progress bar per sheet on a terminal."
    )

    def add_arguments(self, parser):
        add_period_argument(parser)
        parser.add_argument("--output", required=True, help="Berkas .xlsx yang ditulis.")

    def handle(self, *args, **options):
        period = get_period(options["period"])
        # A bar redrawn in place only on a terminal; a log (cron, CI) gets nothing but the summary.
        bar = self.progress_bar if self.stdout.isatty() and options["verbosity"] > 0 else None
        export_period(period, options["output"], generated_by="manage.py export_evaluation", progress=bar)
        if bar:
            self.stdout.write("")
        self.stdout.write(f"export_evaluation: {period} ditulis ke {options['output']}.")

    def progress_bar(self, done, total, step):
        filled = BAR_WIDTH * done // total
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {step:<30}", ending="")
        self.stdout.flush()
