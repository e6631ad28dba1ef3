from django.core.management.base import BaseCommand

from ...pdf.report import write_report
from ...reports import report_data
from ..period_option import add_period_argument, period_in_scope
from ..progress import progress_bar


class Command(BaseCommand):
    help = (
        "Writes the region's evaluation report of a period (Laporan Hasil Evaluasi: indexes, pillars, "
        "quick wins, Kekuatan/Kelemahan/Rekomendasi, every question) to an A4 PDF."
    )

    def add_arguments(self, parser):
        add_period_argument(parser)
        parser.add_argument("--output", required=True, help="Berkas .pdf yang ditulis.")
        parser.add_argument("--by", default="manage.py export_report", help="Nama penyusun di sampul laporan.")

    def handle(self, *args, **options):
        with period_in_scope(options) as period:
            bar = progress_bar(self, options)
            data = report_data(period, generated_by=options["by"])
            pages = write_report(data, options["output"], progress=bar)
            if bar:
                bar.end()
        self.stdout.write(f"export_report: {period} ditulis ke {options['output']} ({pages} halaman).")
