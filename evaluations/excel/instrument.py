"""The instrument as a spreadsheet (DESIGN §4), so next year's official questionnaire needs no code.

Sheets (header in row 1, one record per row, inspired by XLSForm):

    dimensi     kode, nama, bobot
    indikator   kode, dimensi, nama
    pertanyaan  kode, indikator, teks, bantuan, tipe, pilar, subdimensi, opsi, wajib_bukti, opd
                (optional: satuan, wajib, bulat: a number question takes whole numbers only)
    opsi        daftar, nilai, label, skor
    rentang     (optional) pertanyaan, dari, sampai, skor   -- score bands of number/percent questions

`read_instrument(file)` parses and validates the whole file into an `InstrumentPlan` without
touching the database except for reference look-ups (pillars, sub-dimensions, agencies);
`plan.errors` names sheet, row and column in Indonesian; a file that cannot be read at all raises
InstrumentFileError. The file is opened by the shared reader (excel/reader.py) and its cells are read
with the shared parsers (excel/cells.py). `import_instrument(plan, period)` saves a plan in one
transaction, replacing the period's instrument, and refuses a period that has answers.
`write_instrument(period, target)` writes a period's instrument in the same format.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from pillars.models import Pillar, SubDimension

from ..models import Agency, Answer, AnswerOption, Assignment, Dimension, Indicator, Question, ScoreBand
from .cells import CellError, cell_text, to_decimal, yes_no
from .reader import Spreadsheet, SpreadsheetError, too_many_rows
from .writer import WorkbookWriter

SHEETS = {
    "dimensi": ["kode", "nama", "bobot"],
    "indikator": ["kode", "dimensi", "nama"],
    "pertanyaan": ["kode", "indikator", "teks", "bantuan", "tipe", "pilar", "subdimensi", "opsi", "wajib_bukti", "opd"],
    "opsi": ["daftar", "nilai", "label", "skor"],
}
OPTIONAL_COLUMNS = {"pertanyaan": ["satuan", "wajib", "bulat"]}
OPTIONAL_SHEETS = {"rentang": ["pertanyaan", "dari", "sampai", "skor"]}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
PREVIEW_ROWS = 5
LEVEL_COUNT = 5


def _max_length(model, name):
    return model._meta.get_field(name).max_length


# The longest text each stored column takes: a longer cell is named, never a database error.
TEXT_LIMITS = {
    "dimensi": {"kode": _max_length(Dimension, "code"), "nama": _max_length(Dimension, "name")},
    "indikator": {"kode": _max_length(Indicator, "code"), "nama": _max_length(Indicator, "name")},
    "pertanyaan": {
        "kode": _max_length(Question, "code"),
        "teks": _max_length(Question, "text"),
        "bantuan": _max_length(Question, "help_text"),
        "satuan": _max_length(Question, "unit"),
    },
    "opsi": {"nilai": _max_length(AnswerOption, "value"), "label": _max_length(AnswerOption, "label")},
}

T = Question.AnswerType
TYPE_NAMES = {
    "level": T.LEVEL,
    "level 0-4": T.LEVEL,
    "level 0–4": T.LEVEL,
    "tingkat": T.LEVEL,
    "yesno": T.YES_NO,
    "ya/tidak": T.YES_NO,
    "ya_tidak": T.YES_NO,
    "choice": T.CHOICE,
    "pilihan": T.CHOICE,
    "pilihan tunggal": T.CHOICE,
    "number": T.NUMBER,
    "angka": T.NUMBER,
    "percent": T.PERCENT,
    "persen": T.PERCENT,
    "persentase": T.PERCENT,
    "text": T.TEXT,
    "teks": T.TEXT,
    "teks bebas": T.TEXT,
    "date": T.DATE,
    "tanggal": T.DATE,
}


class InstrumentFileError(SpreadsheetError):
    """The file cannot be read as an instrument at all (not an .xlsx, damaged, too big)."""


@dataclass
class InstrumentPlan:
    """What a file would create, ready to save; `errors` empty when the whole file is valid."""

    dimensions: list = field(default_factory=list)  # dicts: code, name, weight, order
    indicators: list = field(default_factory=list)  # dicts: code, dimension, name, order
    questions: list = field(default_factory=list)  # dicts, see _read_questions
    option_lists: dict = field(default_factory=dict)  # list name -> [dict(value, label, score)]
    bands: dict = field(default_factory=dict)  # question code -> [dict(min, max, score)]
    errors: list = field(default_factory=list)
    previews: dict = field(default_factory=dict)  # sheet -> (columns, first rows)

    @property
    def is_valid(self):
        return not self.errors

    def error(self, sheet, row, column, message):
        self.errors.append(CellError(row, column, message, sheet=sheet))

    def counts(self):
        return {
            "dimensi": len(self.dimensions),
            "indikator": len(self.indicators),
            "pertanyaan": len(self.questions),
            "opsi": sum(len(options) for options in self.option_lists.values()),
            "rentang": sum(len(bands) for bands in self.bands.values()),
        }


# --- reading ----------------------------------------------------------------------------
class _Sheet:
    """One sheet's rows as dicts keyed by (lower-case) column name, with Excel row numbers."""

    def __init__(self, name, rows, required, optional, plan):
        self.name = name
        self.rows = []
        header = next(rows, None) or ()
        columns = [cell_text(cell).lower() for cell in header]
        missing = [column for column in required if column not in columns]
        for column in missing:
            plan.error(name, 1, column, _("kolom wajib tidak ada di baris judul."))
        self.ok = not missing
        wanted = [c for c in required + optional if c in columns]
        index = {column: columns.index(column) for column in wanted}
        for number, values in enumerate(rows, start=2):
            empty = values is None or all(cell_text(v) == "" for v in values)
            filled = len(self.rows) + (0 if empty else 1)
            if too_many_rows(filled, number - 1, MAX_ROWS):
                plan.error(name, number, "", _("terlalu banyak baris (paling banyak %(n)s).") % {"n": MAX_ROWS})
                self.ok = False
                break
            if empty:
                continue
            record = {c: (values[i] if i < len(values) else None) for c, i in index.items()}
            for column, limit in TEXT_LIMITS.get(name, {}).items():
                if len(cell_text(record.get(column))) > limit:
                    plan.error(name, number, column, _("terlalu panjang: paling banyak %(n)s karakter.") % {"n": limit})
            self.rows.append((number, record))
        plan.previews[name] = (wanted, [[cell_text(r[c]) for c in wanted] for _n, r in self.rows[:PREVIEW_ROWS]])


def read_instrument(file):
    """Parse and validate the file. Raises InstrumentFileError when it cannot be read as an .xlsx."""
    plan = InstrumentPlan()
    with Spreadsheet(file, MAX_BYTES, MAX_ROWS, error=InstrumentFileError) as book:
        names = {name.strip().lower(): name for name in book.sheet_names()}
        sheets = {}
        for name, columns in {**SHEETS, **OPTIONAL_SHEETS}.items():
            if name not in names:
                if name in SHEETS:
                    plan.error(name, None, "", _("lembar tidak ada di berkas."))
                continue
            sheets[name] = _Sheet(name, book.rows(names[name]), columns, OPTIONAL_COLUMNS.get(name, []), plan)
    if plan.errors:
        return plan
    references = _References()
    _read_dimensions(sheets["dimensi"], plan)
    _read_indicators(sheets["indikator"], plan)
    _read_options(sheets["opsi"], plan)
    _read_questions(sheets["pertanyaan"], plan, references)
    if "rentang" in sheets:
        _read_bands(sheets["rentang"], plan)
    return plan


class _References:
    """The framework and agencies that codes in the file point to: three queries."""

    def __init__(self):
        self.pillars = {p.code.upper(): p for p in Pillar.objects.all()}
        self.subdimensions = {s.code.upper(): s for s in SubDimension.objects.all()}
        self.agencies = {a.abbreviation.lower(): a for a in Agency.objects.all()}


def _required_text(sheet, number, record, column, plan):
    value = cell_text(record.get(column))
    if not value:
        plan.error(sheet.name, number, column, _("wajib diisi."))
    return value


def _number(sheet, number, record, column, plan, low=None, high=None, required=True):
    try:
        value = to_decimal(record.get(column))
    except ValueError:
        plan.error(sheet.name, number, column, _("harus berupa angka, bukan %(value)r.") % {"value": record[column]})
        return None
    if value is None:
        if required:
            plan.error(sheet.name, number, column, _("wajib diisi dengan angka."))
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        plan.error(
            sheet.name,
            number,
            column,
            _("harus antara %(low)s dan %(high)s, bukan %(value)s.")
            % {"low": low, "high": high, "value": _plain(value)},
        )
        return None
    return value


def _unique(sheet, number, code, seen, plan, column="kode"):
    if code and code in seen:
        plan.error(
            sheet.name,
            number,
            column,
            _('kode "%(code)s" ganda (sudah dipakai di baris %(row)s).') % {"code": code, "row": seen[code]},
        )
        return False
    seen[code] = number
    return True


def _plain(number):
    return format(number.normalize(), "f")


def _read_dimensions(sheet, plan):
    errors_before = len(plan.errors)
    seen = {}
    total = Decimal(0)
    for number, record in sheet.rows:
        code = _required_text(sheet, number, record, "kode", plan)
        name = _required_text(sheet, number, record, "nama", plan)
        weight = _number(sheet, number, record, "bobot", plan, Decimal(0), Decimal(100))
        # A row with other errors is still recorded, so that rows pointing to it do not report
        # follow-on errors; nothing is saved anyway while there are errors.
        if _unique(sheet, number, code, seen, plan) and code:
            total += weight or 0
            plan.dimensions.append({"code": code, "name": name, "weight": weight, "order": len(plan.dimensions) + 1})
    if not sheet.rows:
        plan.error(sheet.name, None, "", _("belum ada dimensi."))
    elif errors_before == len(plan.errors) and total != Decimal(100):
        plan.error(
            sheet.name, None, "bobot", _("jumlah bobot harus 100, sekarang %(total)s.") % {"total": _plain(total)}
        )


def _read_indicators(sheet, plan):
    dimensions = {d["code"] for d in plan.dimensions}
    seen = {}
    per_dimension = Counter()
    for number, record in sheet.rows:
        code = _required_text(sheet, number, record, "kode", plan)
        dimension = _required_text(sheet, number, record, "dimensi", plan)
        name = _required_text(sheet, number, record, "nama", plan)
        if dimension and dimension not in dimensions:
            plan.error(
                sheet.name,
                number,
                "dimensi",
                _('dimensi "%(code)s" tidak ada di lembar dimensi.') % {"code": dimension},
            )
        if _unique(sheet, number, code, seen, plan) and code:
            per_dimension[dimension] += 1
            plan.indicators.append(
                {"code": code, "dimension": dimension, "name": name, "order": per_dimension[dimension]}
            )


def _read_options(sheet, plan):
    seen = defaultdict(dict)
    for number, record in sheet.rows:
        name = _required_text(sheet, number, record, "daftar", plan)
        value = _required_text(sheet, number, record, "nilai", plan)
        label = _required_text(sheet, number, record, "label", plan)
        score = _number(sheet, number, record, "skor", plan, Decimal(0), Decimal(4))
        if name and value and value in seen[name]:
            plan.error(
                sheet.name,
                number,
                "nilai",
                _('nilai "%(value)s" ganda dalam daftar "%(list)s" (sudah ada di baris %(row)s).')
                % {"value": value, "list": name, "row": seen[name][value]},
            )
            continue
        if name and value:
            seen[name][value] = number
        if name and value:
            plan.option_lists.setdefault(name, []).append({"value": value, "label": label, "score": score})


def _flag(sheet, number, record, column, plan, default):
    raw = record.get(column)
    if cell_text(raw) == "":
        return default
    flag = yes_no(raw)
    if flag is not None:
        return flag
    plan.error(sheet.name, number, column, _('isi "ya" atau "tidak", bukan "%(value)s".') % {"value": raw})
    return default


def _read_questions(sheet, plan, references):
    indicators = {i["code"] for i in plan.indicators}
    seen = {}
    per_indicator = Counter()
    for number, record in sheet.rows:
        code = _required_text(sheet, number, record, "kode", plan)
        _unique(sheet, number, code, seen, plan)
        indicator = _required_text(sheet, number, record, "indikator", plan)
        if indicator and indicator not in indicators:
            plan.error(
                sheet.name,
                number,
                "indikator",
                _('indikator "%(code)s" tidak ada di lembar indikator.') % {"code": indicator},
            )
        text = _required_text(sheet, number, record, "teks", plan)
        type_name = _required_text(sheet, number, record, "tipe", plan)
        answer_type = TYPE_NAMES.get(type_name.lower()) if type_name else None
        if type_name and answer_type is None:
            plan.error(
                sheet.name,
                number,
                "tipe",
                _('tipe "%(value)s" tidak dikenal; gunakan salah satu: %(allowed)s.')
                % {"value": type_name, "allowed": ", ".join(T.values)},
            )
        pillar_code = cell_text(record.get("pilar")).upper()
        pillar = references.pillars.get(pillar_code) if pillar_code else None
        if pillar_code and pillar is None:
            plan.error(
                sheet.name,
                number,
                "pilar",
                _('pilar "%(code)s" tidak dikenal; gunakan %(allowed)s.')
                % {"code": pillar_code, "allowed": ", ".join(references.pillars)},
            )
        sub_code = cell_text(record.get("subdimensi")).upper()
        subdimension = references.subdimensions.get(sub_code) if sub_code else None
        if sub_code and subdimension is None:
            plan.error(
                sheet.name, number, "subdimensi", _('sub-dimensi "%(code)s" tidak dikenal.') % {"code": sub_code}
            )
        elif subdimension is not None and pillar is not None and subdimension.pillar_id != pillar.pk:
            plan.error(
                sheet.name,
                number,
                "subdimensi",
                _('sub-dimensi "%(sub)s" bukan bagian dari pilar "%(pillar)s".')
                % {"sub": sub_code, "pillar": pillar_code},
            )
        list_name = cell_text(record.get("opsi"))
        uses_options = answer_type in {T.LEVEL, T.CHOICE}
        if uses_options and not list_name:
            plan.error(sheet.name, number, "opsi", _("wajib diisi untuk tipe level dan pilihan."))
        elif list_name and not uses_options and answer_type is not None:
            plan.error(sheet.name, number, "opsi", _("hanya untuk tipe level dan pilihan; kosongkan untuk tipe ini."))
        elif list_name and list_name not in plan.option_lists:
            plan.error(
                sheet.name, number, "opsi", _('daftar opsi "%(list)s" tidak ada di lembar opsi.') % {"list": list_name}
            )
        elif answer_type == T.LEVEL and len(plan.option_lists[list_name]) != LEVEL_COUNT:
            plan.error(
                sheet.name,
                number,
                "opsi",
                _('pertanyaan level memerlukan daftar dengan %(n)s tingkat; daftar "%(list)s" berisi %(count)s.')
                % {"n": LEVEL_COUNT, "list": list_name, "count": len(plan.option_lists[list_name])},
            )
        agencies = []
        for abbreviation in [a.strip() for a in cell_text(record.get("opd")).split(",") if a.strip()]:
            agency = references.agencies.get(abbreviation.lower())
            if agency is None:
                plan.error(
                    sheet.name, number, "opd", _('perangkat daerah "%(abbr)s" tidak dikenal.') % {"abbr": abbreviation}
                )
            elif agency not in agencies:
                agencies.append(agency)
        evidence_required = _flag(sheet, number, record, "wajib_bukti", plan, False)
        required = _flag(sheet, number, record, "wajib", plan, True)
        whole_number = _flag(sheet, number, record, "bulat", plan, False)
        if not code or seen.get(code) != number:
            continue
        per_indicator[indicator] += 1
        plan.questions.append(
            {
                "code": code,
                "indicator": indicator,
                "text": text,
                "help_text": cell_text(record.get("bantuan")),
                "answer_type": answer_type,
                "unit": cell_text(record.get("satuan")),
                "pillar": pillar,
                "subdimension": subdimension,
                "options": list_name if uses_options else "",
                "evidence_required": evidence_required,
                "required": required,
                "whole_number": whole_number and answer_type == T.NUMBER,
                "agencies": agencies,
                "order": per_indicator[indicator],
            }
        )


def _read_bands(sheet, plan):
    types = {q["code"]: q["answer_type"] for q in plan.questions}
    for number, record in sheet.rows:
        code = _required_text(sheet, number, record, "pertanyaan", plan)
        low = _number(sheet, number, record, "dari", plan)
        high = _number(sheet, number, record, "sampai", plan, required=False)
        score = _number(sheet, number, record, "skor", plan, Decimal(0), Decimal(4))
        if code and types.get(code) not in {T.NUMBER, T.PERCENT}:
            plan.error(
                sheet.name,
                number,
                "pertanyaan",
                _('pertanyaan "%(code)s" tidak ada atau bukan tipe angka/persentase.') % {"code": code},
            )
            continue
        if low is not None and high is not None and high <= low:
            plan.error(sheet.name, number, "sampai", _('harus lebih besar dari "dari".'))
            continue
        if code and low is not None and score is not None:
            plan.bands.setdefault(code, []).append({"min": low, "max": high, "score": score})


# --- saving -----------------------------------------------------------------------------
class InstrumentImportRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def refusal(period):
    """Why this period cannot take a new instrument, or None."""
    if Answer.objects.filter(submission__period=period).exists():
        return _("Periode %(period)s sudah memiliki jawaban; instrumennya tidak dapat diganti.") % {"period": period}
    return None


def existing_question_count(period):
    return Question.objects.for_period(period).count()


@transaction.atomic
def import_instrument(plan, period):
    """Replace the period's instrument with the plan's. One transaction: the old instrument goes
    only if the whole new one is saved. Refused when the period already has answers."""
    if not plan.is_valid:
        raise ValueError("the plan has errors")
    reason = refusal(period)
    if reason:
        raise InstrumentImportRefused(reason)
    Dimension.objects.filter(period=period).delete()
    dimensions = {
        d.code: d
        for d in Dimension.objects.bulk_create(
            Dimension(period=period, code=d["code"], name=d["name"], weight=d["weight"], order=d["order"])
            for d in plan.dimensions
        )
    }
    indicators = {
        i.code: i
        for i in Indicator.objects.bulk_create(
            Indicator(dimension=dimensions[i["dimension"]], code=i["code"], name=i["name"], order=i["order"])
            for i in plan.indicators
        )
    }
    questions = Question.objects.bulk_create(
        Question(
            indicator=indicators[q["indicator"]],
            code=q["code"],
            text=q["text"],
            help_text=q["help_text"],
            answer_type=q["answer_type"],
            unit=q["unit"],
            pillar=q["pillar"],
            subdimension=q["subdimension"],
            required=q["required"],
            whole_number=q["whole_number"],
            evidence_required=q["evidence_required"],
            order=q["order"],
        )
        for q in plan.questions
    )
    options, bands, assignments = [], [], []
    for question, row in zip(questions, plan.questions, strict=True):
        for order, option in enumerate(plan.option_lists.get(row["options"], []) if row["options"] else []):
            options.append(AnswerOption(question=question, order=order, **option))
        for band in plan.bands.get(row["code"], []):
            bands.append(
                ScoreBand(question=question, min_value=band["min"], max_value=band["max"], score=band["score"])
            )
        for agency in row["agencies"]:
            assignments.append(Assignment(period=period, agency=agency, question=question))
    AnswerOption.objects.bulk_create(options)
    ScoreBand.objects.bulk_create(bands)
    Assignment.objects.bulk_create(assignments)
    return plan.counts()


# --- writing ----------------------------------------------------------------------------
def _yes_no(flag):
    return "ya" if flag else "tidak"


def write_instrument(period, target):
    """The period's instrument in the import format. Identical option sets share one list,
    named after the first question that uses it."""
    questions = list(
        Question.objects.for_period(period).in_form_order().prefetch_related("options", "bands", "assignments__agency")
    )
    lists, list_of_question = {}, {}
    for question in questions:
        if not question.uses_options:
            continue
        key = tuple((o.value, o.label, o.score) for o in question.options.all())
        list_of_question[question.pk] = lists.setdefault(key, question.code)
    book = WorkbookWriter()

    sheet = book.sheet("dimensi")
    sheet.table(None, SHEETS["dimensi"], widths=[10, 50, 10])
    for dimension in period.dimensions.order_by("order", "code"):
        sheet.row([dimension.code, dimension.name, dimension.weight])
    sheet.finish()

    sheet = book.sheet("indikator")
    sheet.table(None, SHEETS["indikator"], widths=[10, 10, 60])
    for indicator in Indicator.objects.filter(dimension__period=period).select_related("dimension"):
        sheet.row([indicator.code, indicator.dimension.code, indicator.name])
    sheet.finish()

    sheet = book.sheet("pertanyaan")
    columns = SHEETS["pertanyaan"] + OPTIONAL_COLUMNS["pertanyaan"]
    sheet.table(None, columns, widths=[10, 10, 70, 50, 10, 8, 10, 12, 11, 24, 12, 8, 8])
    for q in questions:
        sheet.row(
            [
                q.code,
                q.indicator.code,
                q.text,
                q.help_text,
                q.answer_type,
                q.pillar.code if q.pillar else "",
                q.subdimension.code if q.subdimension else "",
                list_of_question.get(q.pk, ""),
                _yes_no(q.evidence_required),
                ", ".join(a.agency.abbreviation for a in q.assignments.all()),
                q.unit,
                _yes_no(q.required),
                _yes_no(q.whole_number),
            ]
        )
    sheet.finish()

    sheet = book.sheet("opsi")
    sheet.table(None, SHEETS["opsi"], widths=[12, 14, 70, 8])
    for key, name in lists.items():
        for value, label, score in key:
            sheet.row([name, value, label, score])
    sheet.finish()

    sheet = book.sheet("rentang")
    sheet.table(None, OPTIONAL_SHEETS["rentang"], widths=[12, 12, 12, 8])
    for q in questions:
        for band in q.bands.all():
            sheet.row([q.code, band.min_value, band.max_value, band.score])
    sheet.finish()
    book.save(target)
