from django.core.management.base import BaseCommand

from ...excel.workbook import export_period
from ..period_option import add_period_argument, period_in_scope
from ..progress import progress_bar


class Command(BaseCommand):
    help = (
        "Writes a period's evaluation workbook (Ringkasan, Kuesioner, Progres OPD, ...) to an .xlsx file, "
        "with a progress bar per sheet on a terminal."
    )

    def add_arguments(self, parser):
        add_period_argument(parser)
        parser.add_argument("--output", required=True, help="Berkas .xlsx yang ditulis.")

    def handle(self, *args, **options):
        with period_in_scope(options) as period:
            bar = progress_bar(self, options)
            export_period(period, options["output"], generated_by="manage.py export_evaluation", progress=bar)
            if bar:
                bar.end()
            self.stdout.write(f"export_evaluation: {period} ditulis ke {options['output']}.")
