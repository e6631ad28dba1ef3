"""The instrument as a spreadsheet (DESIGN §4), so next year's official questionnaire needs no code.

Sheets (header in row 1, one record per row, inspired by XLSForm):

    dimensi     kode, nama, bobot
    indikator   kode, dimensi, nama
    pertanyaan  kode, indikator, teks, bantuan, tipe, pilar, subdimensi, opsi, wajib_bukti, opd
                (optional: satuan, wajib, bulat: a number question takes whole numbers only;
                survei_dampak: the answer is filled from the impact survey, Question.from_impact_survey)
    opsi        daftar, nilai, label, skor
    rentang     (optional) pertanyaan, dari, sampai, skor   -- score bands of number/percent questions
    pernyataan_dampak  (optional) kode, pilar, subdimensi, teks (optional: urutan)
                -- the impact survey's statements (SurveyStatement), 3 per sub-dimension

A file without the optional sheet or the survei_dampak column (one made before the impact survey
existed) leaves the period's statements and impact flags as they are: it says nothing about them.

`read_instrument(file)` parses and validates the whole file into an `InstrumentPlan` without
touching the database except for reference look-ups (pillars, sub-dimensions, agencies);
`plan.errors` names sheet, row and column in Indonesian; a file that cannot be read at all raises
InstrumentFileError. The file is opened by the shared reader (excel/reader.py) and its cells are read
with the shared parsers (excel/cells.py). `write_instrument(period, target)` in
excel/instrument_export.py writes a period's instrument in the same format.

What a valid plan does to a period (compare it with the period's instrument, import it, and what
the period's answers refuse) is not the file's business: see evaluations/instrument.py.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from pillars.models import Pillar, SubDimension

from ..models import (
    Agency,
    AnswerOption,
    Dimension,
    Indicator,
    Question,
    SurveyStatement,
)
from .cells import CellError, cell_text, to_decimal, yes_no
from .reader import Spreadsheet, SpreadsheetError, too_many_rows

SHEETS = {
    "dimensi": ["kode", "nama", "bobot"],
    "indikator": ["kode", "dimensi", "nama"],
    "pertanyaan": ["kode", "indikator", "teks", "bantuan", "tipe", "pilar", "subdimensi", "opsi", "wajib_bukti", "opd"],
    "opsi": ["daftar", "nilai", "label", "skor"],
}
OPTIONAL_COLUMNS = {"pertanyaan": ["satuan", "wajib", "bulat", "survei_dampak"], "pernyataan_dampak": ["urutan"]}
OPTIONAL_SHEETS = {
    "rentang": ["pertanyaan", "dari", "sampai", "skor"],
    "pernyataan_dampak": ["kode", "pilar", "subdimensi", "teks"],
}
STATEMENTS = "pernyataan_dampak"
MAX_ORDER = 32767
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
    STATEMENTS: {"kode": _max_length(SurveyStatement, "code"), "teks": _max_length(SurveyStatement, "text")},
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
    # dicts: code, subdimension, text, order; None when the file has no statement sheet (left as is)
    statements: list | None = None
    errors: list = field(default_factory=list)
    previews: dict = field(default_factory=dict)  # sheet -> (columns, first rows)

    @property
    def is_valid(self):
        return not self.errors

    def error(self, sheet, row, column, message):
        self.errors.append(CellError(row, column, message, sheet=sheet))

    def counts(self):
        counts = {
            "dimensi": len(self.dimensions),
            "indikator": len(self.indicators),
            "pertanyaan": len(self.questions),
            "opsi": sum(len(options) for options in self.option_lists.values()),
            "rentang": sum(len(bands) for bands in self.bands.values()),
        }
        if self.statements is not None:
            counts[STATEMENTS] = len(self.statements)
        return counts

    def as_result(self):
        """What the page shows of the plan, as JSON for the import job's result: the page is
        rendered from it later, by another process than the one that read the file."""
        return {
            "errors": [str(error) for error in self.errors],
            "counts": self.counts(),
            "previews": {sheet: [list(columns), rows] for sheet, (columns, rows) in self.previews.items()},
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
        self.columns = set(wanted)
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
    if STATEMENTS in sheets:
        _read_statements(sheets[STATEMENTS], plan, references)
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


def _pillar_and_subdimension(sheet, number, record, plan, references):
    """The row's pillar and sub-dimension (None where empty or unknown), the sub-dimension checked
    against the pillar."""
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
        plan.error(sheet.name, number, "subdimensi", _('sub-dimensi "%(code)s" tidak dikenal.') % {"code": sub_code})
    elif subdimension is not None and pillar is not None and subdimension.pillar_id != pillar.pk:
        plan.error(
            sheet.name,
            number,
            "subdimensi",
            _('sub-dimensi "%(sub)s" bukan bagian dari pilar "%(pillar)s".') % {"sub": sub_code, "pillar": pillar_code},
        )
    return pillar, subdimension


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
        answer_type = _answer_type(sheet, number, record, plan)
        pillar, subdimension = _pillar_and_subdimension(sheet, number, record, plan, references)
        list_name = _option_list(sheet, number, record, plan, answer_type)
        agencies = _agencies(sheet, number, record, plan, references)
        flags = _question_flags(sheet, number, record, plan, answer_type, pillar)
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
                "options": list_name if answer_type in {T.LEVEL, T.CHOICE} else "",
                **flags,
                "agencies": agencies,
                "order": per_indicator[indicator],
            }
        )


def _answer_type(sheet, number, record, plan):
    """The row's answer type, None where empty or unknown."""
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
    return answer_type


def _option_list(sheet, number, record, plan, answer_type):
    """The name in the row's "opsi" cell, checked against the answer type and the opsi sheet."""
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
    return list_name


def _agencies(sheet, number, record, plan, references):
    """The agencies named in the row's "opd" cell (comma-separated abbreviations), each once."""
    agencies = []
    for abbreviation in [a.strip() for a in cell_text(record.get("opd")).split(",") if a.strip()]:
        agency = references.agencies.get(abbreviation.lower())
        if agency is None:
            plan.error(
                sheet.name, number, "opd", _('perangkat daerah "%(abbr)s" tidak dikenal.') % {"abbr": abbreviation}
            )
        elif agency not in agencies:
            agencies.append(agency)
    return agencies


def _question_flags(sheet, number, record, plan, answer_type, pillar):
    """The row's yes/no columns, each with its default where the cell is empty."""
    flags = {
        "evidence_required": _flag(sheet, number, record, "wajib_bukti", plan, False),
        "required": _flag(sheet, number, record, "wajib", plan, True),
        "whole_number": _flag(sheet, number, record, "bulat", plan, False) and answer_type == T.NUMBER,
        # None: the file has no such column, so the period's flag stays as it is (instrument._impact_flag).
        "from_impact_survey": (
            _flag(sheet, number, record, "survei_dampak", plan, False) if "survei_dampak" in sheet.columns else None
        ),
    }
    if flags["from_impact_survey"] and pillar is None:
        plan.error(sheet.name, number, "survei_dampak", _("pertanyaan dari survei dampak memerlukan pilar."))
    return flags


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


def _read_statements(sheet, plan, references):
    plan.statements = []
    seen = {}
    per_subdimension = Counter()
    for number, record in sheet.rows:
        code = _required_text(sheet, number, record, "kode", plan)
        unique = _unique(sheet, number, code, seen, plan)
        _required_text(sheet, number, record, "pilar", plan)
        _required_text(sheet, number, record, "subdimensi", plan)
        _pillar, subdimension = _pillar_and_subdimension(sheet, number, record, plan, references)
        text = _required_text(sheet, number, record, "teks", plan)
        order = None
        if cell_text(record.get("urutan")):
            order = _number(sheet, number, record, "urutan", plan, Decimal(0), Decimal(MAX_ORDER))
            if order is not None and order != order.to_integral_value():
                plan.error(sheet.name, number, "urutan", _("harus bilangan bulat."))
                order = None
        if subdimension is not None:
            per_subdimension[subdimension.pk] += 1
        if unique and code:
            plan.statements.append(
                {
                    "code": code,
                    "subdimension": subdimension,
                    "text": text,
                    # Without a number, the row's place among its sub-dimension's statements.
                    "order": int(order) if order is not None else per_subdimension[getattr(subdimension, "pk", None)],
                }
            )
