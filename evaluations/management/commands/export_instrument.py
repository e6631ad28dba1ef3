from django.core.management.base import BaseCommand

from ...excel.instrument_export import write_instrument
from ..period_option import add_period_argument, period_in_scope


class Command(BaseCommand):
    help = "Writes a period's instrument as an .xlsx in the import format (dimensi, indikator, pertanyaan, opsi)."

    def add_arguments(self, parser):
        add_period_argument(parser)
        parser.add_argument("--output", required=True, help="Berkas .xlsx yang ditulis.")

    def handle(self, *args, **options):
        with period_in_scope(options) as period:
            write_instrument(period, options["output"])
            self.stdout.write(f"export_instrument: instrumen {period} ditulis ke {options['output']}.")
