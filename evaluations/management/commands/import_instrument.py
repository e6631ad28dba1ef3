from django.core.management.base import BaseCommand, CommandError

from ...excel.instrument import InstrumentFileError, read_instrument
from ...instrument import InstrumentImportRefused, compare_instrument, import_instrument
from ..period_option import add_period_argument, period_in_scope


class Command(BaseCommand):
    help = (
        "Imports an instrument workbook (sheets dimensi, indikator, pertanyaan, opsi) into a period, "
        "updating its instrument in place. Nothing is saved unless the whole file is valid; in a period "
        "with answers, a file that would orphan or reinterpret them is refused with the questions "
        "concerned. --dry-run only shows the difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Berkas instrumen .xlsx.")
        add_period_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="Periksa saja; tidak ada yang disimpan.")

    def handle(self, *args, **options):
        with period_in_scope(options) as period:
            try:
                with open(options["file"], "rb") as handle:
                    plan = read_instrument(handle)
            except FileNotFoundError:
                raise CommandError(f"Berkas {options['file']} tidak ditemukan.") from None
            except InstrumentFileError as exc:
                raise CommandError(str(exc)) from None
            if not plan.is_valid:
                for error in plan.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{len(plan.errors)} kesalahan; tidak ada yang disimpan.")
            if options["dry_run"]:
                diff = compare_instrument(plan, period)
                for line in diff.summary().splitlines():
                    self.stdout.write(line)
                for refusal in diff.refusals:
                    self.stderr.write(f"{refusal.code}: {'; '.join(refusal.reasons)}")
                self.stdout.write(
                    f"import_instrument (uji coba): {diff.headline()} di {period}"
                    f"{'; DITOLAK' if diff.is_refused else ''}. Tidak ada yang disimpan."
                )
                return
            try:
                diff = import_instrument(plan, period, file_name=options["file"])
            except InstrumentImportRefused as exc:
                for refusal in exc.diff.refusals:
                    self.stderr.write(f"{refusal.code}: {'; '.join(refusal.reasons)}")
                raise CommandError(exc.message) from None
            self.stdout.write(f"import_instrument: {diff.headline()} di {period}.")
