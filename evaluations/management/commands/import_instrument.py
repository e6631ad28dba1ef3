from django.core.management.base import BaseCommand, CommandError

from ...excel.instrument import (
    InstrumentFileError,
    InstrumentImportRefused,
    existing_question_count,
    import_instrument,
    read_instrument,
    refusal,
)
from ..period_option import add_period_argument, get_period


class Command(BaseCommand):
    help = (
        "Imports an instrument workbook (sheets dimensi, indikator, pertanyaan, opsi) into a period, "
        "replacing its instrument. Nothing is saved unless the whole file is valid; a period that "
        "already has answers is refused. --dry-run only shows what would be created."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Berkas instrumen .xlsx.")
        add_period_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="Periksa saja; tidak ada yang disimpan.")

    def handle(self, *args, **options):
        period = get_period(options["period"])
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
        counts = ", ".join(f"{sheet} {n}" for sheet, n in plan.counts().items())
        reason = refusal(period)
        if reason:
            raise CommandError(reason)
        if options["dry_run"]:
            replaced = existing_question_count(period)
            self.stdout.write(
                f"import_instrument (uji coba): akan dibuat {counts} di {period}; "
                f"{replaced} pertanyaan lama akan diganti. Tidak ada yang disimpan."
            )
            return
        try:
            import_instrument(plan, period)
        except InstrumentImportRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"import_instrument: {counts} disimpan di {period}.")
