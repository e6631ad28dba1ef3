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
with the shared parsers (excel/cells.py). `compare_instrument(plan, period)` is the difference
between the file and the period's instrument (the dry run shows it), with the changes that the
period's answers forbid; `import_instrument(plan, period, by=...)` applies it in one transaction,
updating rows in place, and records it (InstrumentChange). The rule for a period with answers is
compare_instrument's docstring.
`write_instrument(period, target)` writes a period's instrument in the same format.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from pillars.models import Pillar, SubDimension

from ..models import (
    AdminChange,
    Agency,
    Answer,
    AnswerOption,
    Assignment,
    Dimension,
    EvaluationPeriod,
    Indicator,
    InstrumentChange,
    Question,
    ScoreBand,
    SurveyRating,
    SurveyStatement,
)
from ..models.instrument import format_number
from .cells import CellError, cell_text, to_decimal, yes_no
from .reader import Spreadsheet, SpreadsheetError, too_many_rows
from .writer import WorkbookWriter

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
        pillar, subdimension = _pillar_and_subdimension(sheet, number, record, plan, references)
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
        # None: the file has no such column, so the period's flag stays as it is (_impact_flag).
        from_impact_survey = (
            _flag(sheet, number, record, "survei_dampak", plan, False) if "survei_dampak" in sheet.columns else None
        )
        if from_impact_survey and pillar is None:
            plan.error(sheet.name, number, "survei_dampak", _("pertanyaan dari survei dampak memerlukan pilar."))
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
                "from_impact_survey": from_impact_survey,
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


# --- comparing with the current instrument, and saving ----------------------------------------
ADDED, CHANGED, REMOVED = AdminChange.Action.ADDED, AdminChange.Action.CHANGED, AdminChange.Action.DELETED
QUESTION_FIELDS = [
    "indicator",
    "text",
    "help_text",
    "answer_type",
    "unit",
    "pillar",
    "subdimension",
    "required",
    "evidence_required",
    "whole_number",
    "from_impact_survey",
    "order",
]
STATEMENT_FIELDS = ["subdimension", "text", "order"]


def _impact_flag(row, old):
    """The question's impact flag after the import: the file's, or, when the file has no
    survei_dampak column, the period's (False for a new question)."""
    if row["from_impact_survey"] is not None:
        return row["from_impact_survey"]
    return bool(old and old.from_impact_survey)


def _label(model, name):
    if model is Question and name == "text":
        return str(capfirst(Answer._meta.get_field("text_value").verbose_name))  # "Teks"
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _shown(value):
    """A value as the difference shows it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Ya") if value else _("Tidak"))
    if isinstance(value, Decimal | int):
        return format_number(value)
    return str(value)


@dataclass
class Change:
    """One dimension, indicator or question added, removed or changed; `fields` lists
    (label, old, new) as a person reads them."""

    model: type
    code: str
    action: str
    fields: list = field(default_factory=list)

    @property
    def kind(self):
        return capfirst(self.model._meta.verbose_name)

    @property
    def action_label(self):
        return AdminChange.Action(self.action).label

    def lines(self):
        head = f"{self.kind} {self.code}: {self.action_label}"
        if not self.fields:
            return [head]
        return [head] + [
            f"  {label}: {Truncator(old).chars(80) or '–'} → {Truncator(new).chars(80) or '–'}"
            for label, old, new in self.fields
        ]


@dataclass
class Refusal:
    """An answered question the file would orphan or reinterpret, and why."""

    code: str
    reasons: list


class _Current:
    """The period's instrument as it is, with who answered what: a fixed number of queries
    (nine) whatever the number of questions, statements and answers."""

    def __init__(self, period):
        self.dimensions = {d.code: d for d in Dimension.objects.filter(period=period)}
        self.indicators = {i.code: i for i in Indicator.objects.filter(dimension__period=period)}
        self.questions = {
            q.code: q
            for q in Question.objects.for_period(period)
            .select_related("indicator", "pillar", "subdimension")
            .prefetch_related("options", "bands")
        }
        self.question_assignments = defaultdict(dict)  # question id -> agency id -> Assignment
        self.agency_names = {}
        for assignment in Assignment.objects.filter(period=period, question__isnull=False).select_related("agency"):
            self.question_assignments[assignment.question_id][assignment.agency_id] = assignment
            self.agency_names[assignment.agency_id] = assignment.agency.abbreviation
        # The impact statements, each marked when a respondent has rated it.
        self.statements = {
            s.code: s
            for s in SurveyStatement.objects.filter(period=period)
            .select_related("subdimension")
            .annotate(rated=models.Exists(SurveyRating.objects.filter(statement=models.OuterRef("pk"))))
        }
        self.pillar_agencies = defaultdict(set)
        for pillar_id, agency_id in Assignment.objects.filter(period=period, pillar__isnull=False).values_list(
            "pillar_id", "agency_id"
        ):
            self.pillar_agencies[pillar_id].add(agency_id)
        self.answering_agencies = defaultdict(set)  # question id -> agency ids
        self.chosen_options = defaultdict(set)  # question id -> option ids
        answers = Answer.objects.filter(submission__period=period).values_list(
            "question_id", "submission__agency_id", "submission__agency__abbreviation", "option_id"
        )
        for question_id, agency_id, abbreviation, option_id in answers.distinct():
            self.answering_agencies[question_id].add(agency_id)
            self.agency_names[agency_id] = abbreviation
            if option_id is not None:
                self.chosen_options[question_id].add(option_id)

        # Positions, not the stored order numbers, are compared: the file carries only the order of
        # its rows, so orders 0, 1, 3 read back as 0, 1, 2 and are no change. An import that does
        # change something writes the file's numbers to every row, so that no old number is left
        # between new ones.
        self.positions = {}
        groups = defaultdict(list)
        for dimension in self.dimensions.values():
            groups[Dimension, None].append((dimension.order, dimension.code, dimension))
        for indicator in self.indicators.values():
            groups[Indicator, indicator.dimension_id].append((indicator.order, indicator.code, indicator))
        for question in self.questions.values():
            groups[Question, question.indicator_id].append((question.order, question.code, question))
            for option in question.options.all():
                groups[AnswerOption, question.pk].append((option.order, option.value, option))
        for (model, _parent), rows in groups.items():
            first = 0 if model is AnswerOption else 1  # as the reader numbers them
            for position, (_order, _code, instance) in enumerate(sorted(rows, key=lambda r: r[:2]), start=first):
                self.positions[model, instance.pk] = position

    def value(self, instance, name):
        """The field as compared with the file: an order is the row's position."""
        if name == "order":
            return self.positions[type(instance), instance.pk]
        return getattr(instance, name)

    def assigned_agencies(self, question_id, pillar_id, question_agency_ids):
        return self.pillar_agencies.get(pillar_id, set()) | set(question_agency_ids)


@dataclass
class InstrumentDiff:
    """What importing a plan would change in a period's instrument (compare_instrument)."""

    period: object
    plan: InstrumentPlan
    changes: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    answered_questions: int = 0
    current: _Current | None = None

    @property
    def is_empty(self):
        return not self.changes

    @property
    def is_refused(self):
        return bool(self.refusals)

    def of(self, model):
        return [c for c in self.changes if c.model is model]

    def sections(self):
        """(title, changes) per kind, for the page."""
        kinds = (Dimension, Indicator, Question, SurveyStatement)
        return [(capfirst(m._meta.verbose_name_plural), self.of(m)) for m in kinds]

    def counts(self):
        return {action: sum(1 for c in self.changes if c.action == action) for action in (ADDED, CHANGED, REMOVED)}

    def headline(self):
        counts = self.counts()
        return _("%(added)s ditambahkan, %(changed)s diubah, %(removed)s dihapus") % {
            "added": counts[ADDED],
            "changed": counts[CHANGED],
            "removed": counts[REMOVED],
        }

    def summary(self):
        return "\n".join(line for change in self.changes for line in change.lines())

    def as_result(self):
        """What the page shows of the difference, as JSON (see InstrumentPlan.as_result)."""
        return {
            "period": str(self.period),
            "is_empty": self.is_empty,
            "is_refused": self.is_refused,
            "headline": str(self.headline()),
            "answered_questions": self.answered_questions,
            "refusals": [{"code": r.code, "reasons": [str(reason) for reason in r.reasons]} for r in self.refusals],
            "sections": [
                [
                    str(title),
                    [
                        {
                            "code": c.code,
                            "action_label": str(c.action_label),
                            "fields": [[str(label), _text(old), _text(new)] for label, old, new in c.fields],
                        }
                        for c in changes
                    ],
                ]
                for title, changes in self.sections()
            ],
        }


def _text(value):
    return "" if value is None else str(value)


def _option_rows(plan, row):
    return [
        {**option, "order": order}
        for order, option in enumerate(plan.option_lists.get(row["options"], []) if row["options"] else [])
    ]


def _band_key(bands):
    return sorted((b["min"], b["max"], b["score"]) for b in bands)


def _compare_options(question, new_options, fields, reasons, chosen, current):
    old = {o.value: o for o in question.options.all()}
    new = {o["value"]: o for o in new_options}
    option_label = capfirst(AnswerOption._meta.verbose_name)
    for value, option in old.items():
        if value not in new:
            fields.append((f'{option_label} "{value}"', f"{option.label} ({_shown(option.score)})", ""))
            if option.pk in chosen:
                reasons.append(_('opsi "%(value)s" dihapus, padahal dipilih dalam jawaban') % {"value": value})
            continue
        wanted = new[value]
        for name, attribute in (("label", "label"), ("score", "score"), ("order", "order")):
            before, after = current.value(option, attribute), wanted[attribute]
            if before != after:
                fields.append(
                    (f'{option_label} "{value}": {_label(AnswerOption, name)}', _shown(before), _shown(after))
                )
        if option.score != wanted["score"] and option.pk in chosen:
            reasons.append(
                _('skor opsi "%(value)s" diubah (%(old)s → %(new)s), padahal dipilih dalam jawaban')
                % {"value": value, "old": _shown(option.score), "new": _shown(wanted["score"])}
            )
    for value, option in new.items():
        if value not in old:
            fields.append((f'{option_label} "{value}"', "", f"{option['label']} ({_shown(option['score'])})"))


def _band_text(bands):
    return "; ".join(f"[{_shown(low)}, {_shown(high) or '∞'}) → {_shown(score)}" for low, high, score in bands)


def compare_instrument(plan, period):
    """The difference between a valid plan and the period's instrument, and what the period's
    answers refuse of it. Rows are matched by code (options by value within their question).

    The rule, also shown on the instrument page: a change is accepted when it leaves every existing
    answer attached to the same question and meaning the same. Accepted: texts, help texts, units,
    option labels (level descriptors), orders, the evidence and required flags, dimension names
    and weights, indicators, new questions and options, and removing questions or options nobody
    answered or chose. Refused, for a question that has answers: removing it, changing its answer
    type, removing or re-scoring an option an answer chose (its stored self score was derived from
    it), changing its score bands (the same), and taking it away from an agency that answered it
    (a pillar or "opd" change). One refusal refuses the whole file (import_instrument), listing the
    questions: applying half of it would leave an instrument that matches neither the file nor the
    old one.

    Reads a fixed number of queries (_Current), never one per question or answer."""
    current = _Current(period)
    diff = InstrumentDiff(period=period, plan=plan, current=current)
    diff.answered_questions = len(current.answering_agencies)

    for row in plan.dimensions:
        old = current.dimensions.get(row["code"])
        if old is None:
            diff.changes.append(Change(Dimension, row["code"], ADDED))
            continue
        fields = [
            (_label(Dimension, name), _shown(current.value(old, name)), _shown(row[name]))
            for name in ("name", "weight", "order")
            if current.value(old, name) != row[name]
        ]
        if fields:
            diff.changes.append(Change(Dimension, row["code"], CHANGED, fields))
    planned = {row["code"] for row in plan.dimensions}
    diff.changes += [Change(Dimension, code, REMOVED) for code in current.dimensions if code not in planned]

    dimension_codes = {d.pk: code for code, d in current.dimensions.items()}
    for row in plan.indicators:
        old = current.indicators.get(row["code"])
        if old is None:
            diff.changes.append(Change(Indicator, row["code"], ADDED))
            continue
        fields = [
            (_label(Indicator, name), _shown(before), _shown(row[name]))
            for name, before in (
                ("dimension", dimension_codes[old.dimension_id]),
                ("name", old.name),
                ("order", current.value(old, "order")),
            )
            if before != row[name]
        ]
        if fields:
            diff.changes.append(Change(Indicator, row["code"], CHANGED, fields))
    planned = {row["code"] for row in plan.indicators}
    diff.changes += [Change(Indicator, code, REMOVED) for code in current.indicators if code not in planned]

    for row in plan.questions:
        old = current.questions.get(row["code"])
        if old is None:
            diff.changes.append(Change(Question, row["code"], ADDED))
            continue
        fields, reasons = _compare_question(old, row, plan, current)
        if fields:
            diff.changes.append(Change(Question, row["code"], CHANGED, fields))
        if reasons:
            diff.refusals.append(Refusal(row["code"], reasons))
    planned = {row["code"] for row in plan.questions}
    for code, old in current.questions.items():
        if code in planned:
            continue
        diff.changes.append(Change(Question, code, REMOVED))
        if old.pk in current.answering_agencies:
            diff.refusals.append(Refusal(code, [_("dihapus, padahal sudah dijawab")]))
    if plan.statements is not None:
        _compare_statements(plan, current, diff)
    diff.refusals.sort(key=lambda refusal: refusal.code)
    return diff


def _compare_statements(plan, current, diff):
    """Statements are matched by code. A rated statement may change its text or order, never its
    sub-dimension nor go away: its ratings would count for another programme, or be orphaned."""
    for row in plan.statements:
        old = current.statements.get(row["code"])
        if old is None:
            diff.changes.append(Change(SurveyStatement, row["code"], ADDED))
            continue
        fields = [
            (_label(SurveyStatement, name), _shown(before), _shown(after))
            for name, before, after in (
                ("subdimension", old.subdimension.code, row["subdimension"].code),
                ("text", old.text, row["text"]),
                ("order", old.order, row["order"]),
            )
            if before != after
        ]
        if fields:
            diff.changes.append(Change(SurveyStatement, row["code"], CHANGED, fields))
        if old.rated and old.subdimension_id != row["subdimension"].pk:
            diff.refusals.append(
                Refusal(row["code"], [_("dipindah ke sub-dimensi lain, padahal sudah dinilai responden")])
            )
    planned = {row["code"] for row in plan.statements}
    for code, old in current.statements.items():
        if code not in planned:
            diff.changes.append(Change(SurveyStatement, code, REMOVED))
            if old.rated:
                diff.refusals.append(Refusal(code, [_("dihapus, padahal sudah dinilai responden")]))


def _compare_question(old, row, plan, current):
    """(fields changed, reasons to refuse) for one question in both the file and the period."""
    fields, reasons = [], []
    answered = old.pk in current.answering_agencies
    before = {
        "indicator": old.indicator.code,
        "pillar": old.pillar.code if old.pillar else "",
        "subdimension": old.subdimension.code if old.subdimension else "",
    }
    after = {
        "from_impact_survey": _impact_flag(row, old),
        "indicator": row["indicator"],
        "pillar": row["pillar"].code if row["pillar"] else "",
        "subdimension": row["subdimension"].code if row["subdimension"] else "",
    }
    for name in QUESTION_FIELDS:
        old_value = before[name] if name in before else current.value(old, name)
        new_value = after[name] if name in after else row[name]
        if old_value != new_value:
            if name == "answer_type":
                old_value, new_value = T(old_value).label, T(new_value).label
            fields.append((_label(Question, name), _shown(old_value), _shown(new_value)))
    if answered and old.answer_type != row["answer_type"]:
        reasons.append(
            _("jenis jawaban diubah (%(old)s → %(new)s), padahal sudah dijawab")
            % {"old": T(old.answer_type).label, "new": T(row["answer_type"]).label}
        )
    chosen = current.chosen_options.get(old.pk, set())
    _compare_options(old, _option_rows(plan, row), fields, reasons, chosen, current)
    old_bands = _band_key({"min": b.min_value, "max": b.max_value, "score": b.score} for b in old.bands.all())
    new_bands = _band_key(plan.bands.get(row["code"], []))
    if old_bands != new_bands:
        fields.append((capfirst(ScoreBand._meta.verbose_name_plural), _band_text(old_bands), _band_text(new_bands)))
        if answered and old.uses_bands:
            reasons.append(_("rentang skor diubah, padahal skor jawaban yang ada dihitung darinya"))
    old_agencies = set(current.question_assignments.get(old.pk, {}))
    new_agencies = {agency.pk for agency in row["agencies"]}
    if old_agencies != new_agencies:
        names = {**current.agency_names, **{a.pk: a.abbreviation for a in row["agencies"]}}
        fields.append(
            (
                capfirst(Assignment._meta.get_field("agency").verbose_name),
                ", ".join(sorted(names[a] for a in old_agencies)),
                ", ".join(sorted(names[a] for a in new_agencies)),
            )
        )
    if answered:
        was = current.assigned_agencies(old.pk, old.pillar_id, old_agencies)
        will_be = current.assigned_agencies(old.pk, row["pillar"].pk if row["pillar"] else None, new_agencies)
        left_out = (current.answering_agencies[old.pk] & was) - will_be
        if left_out:
            reasons.append(
                _("%(agencies)s sudah menjawab, tetapi tidak lagi ditugasi pertanyaan ini")
                % {"agencies": ", ".join(sorted(current.agency_names[a] for a in left_out))}
            )
    return fields, reasons


class InstrumentImportRefused(Exception):
    """The file would orphan or reinterpret answers; `diff.refusals` lists the questions."""

    def __init__(self, diff):
        super().__init__(
            _("Perubahan instrumen ditolak: %(n)s pertanyaan yang sudah dijawab terdampak.") % {"n": len(diff.refusals)}
        )
        self.diff = diff
        self.message = str(self)


def import_instrument(plan, period, by=None, file_name=""):
    """Bring the period's instrument in line with a valid plan and record the change
    (InstrumentChange). Returns the InstrumentDiff applied (empty when the file changes nothing:
    then nothing is written). Raises InstrumentImportRefused when answers forbid it (the rule
    above).

    One transaction, and rows are updated in place, matched by code (options by value within
    their question), so answers stay attached to the same primary keys; the period row is locked
    so that two imports into one period run one after the other."""
    if not plan.is_valid:
        raise ValueError("the plan has errors")
    with transaction.atomic():
        list(EvaluationPeriod.objects.select_for_update().filter(pk=period.pk))
        diff = compare_instrument(plan, period)
        if diff.is_refused:
            raise InstrumentImportRefused(diff)
        if diff.is_empty:
            return diff
        _apply(plan, period, diff.current)
        InstrumentChange.objects.create(
            period=period, actor=by, file_name=file_name[:200], headline=diff.headline(), summary=diff.summary()
        )
    return diff


def _differs(instance, name, value):
    """Whether a field must be written; a related row is compared by key, without loading it."""
    field = instance._meta.get_field(name)
    if field.is_relation:
        return getattr(instance, field.attname) != (None if value is None else value.pk)
    return getattr(instance, name) != value


def _save(model, existing, wanted, names):
    """Update `existing` (code -> instance) from `wanted` (code -> values) in place, create the
    missing ones; returns code -> instance. Two queries at most."""
    changed, created = [], []
    for code, values in wanted.items():
        instance = existing.get(code)
        if instance is None:
            created.append(model(code=code, **values))
            continue
        if any(_differs(instance, name, values[name]) for name in names):
            for name in names:
                setattr(instance, name, values[name])
            changed.append(instance)
    if changed:
        model.objects.bulk_update(changed, names)
    saved = {code: existing[code] for code in wanted if code in existing}
    saved.update({instance.code: instance for instance in model.objects.bulk_create(created)})
    return saved


def _apply(plan, period, current):
    dimensions = _save(
        Dimension,
        current.dimensions,
        {
            d["code"]: {"period": period, "name": d["name"], "weight": d["weight"], "order": d["order"]}
            for d in plan.dimensions
        },
        ["name", "weight", "order"],
    )
    indicators = _save(
        Indicator,
        current.indicators,
        {
            i["code"]: {"dimension": dimensions[i["dimension"]], "name": i["name"], "order": i["order"]}
            for i in plan.indicators
        },
        ["dimension", "name", "order"],
    )
    question_values = {}
    for q in plan.questions:
        question_values[q["code"]] = {
            "indicator": indicators[q["indicator"]],
            **{name: q[name] for name in QUESTION_FIELDS if name != "indicator"},
            "from_impact_survey": _impact_flag(q, current.questions.get(q["code"])),
        }
    questions = _save(Question, current.questions, question_values, QUESTION_FIELDS)

    options_changed, options_created, options_removed = [], [], []
    bands_replaced, bands_created = [], []
    assignments_created, assignments_removed = [], []
    for row in plan.questions:
        question = questions[row["code"]]
        old_question = current.questions.get(row["code"])
        old_options = {o.value: o for o in old_question.options.all()} if old_question else {}
        new_options = {o["value"]: o for o in _option_rows(plan, row)}
        for value, option in old_options.items():
            if value not in new_options:
                options_removed.append(option.pk)
                continue
            wanted = new_options[value]
            if (option.label, option.score, option.order) != (wanted["label"], wanted["score"], wanted["order"]):
                option.label, option.score, option.order = wanted["label"], wanted["score"], wanted["order"]
                options_changed.append(option)
        options_created += [
            AnswerOption(question=question, **option)
            for value, option in new_options.items()
            if value not in old_options
        ]
        old_bands = (
            _band_key({"min": b.min_value, "max": b.max_value, "score": b.score} for b in old_question.bands.all())
            if old_question
            else []
        )
        new_bands = plan.bands.get(row["code"], [])
        if old_bands != _band_key(new_bands):
            if old_question:
                bands_replaced.append(question.pk)
            bands_created += [
                ScoreBand(question=question, min_value=b["min"], max_value=b["max"], score=b["score"])
                for b in new_bands
            ]
        old_assignments = current.question_assignments.get(question.pk, {}) if old_question else {}
        new_agencies = {agency.pk: agency for agency in row["agencies"]}
        assignments_removed += [a.pk for agency_id, a in old_assignments.items() if agency_id not in new_agencies]
        assignments_created += [
            Assignment(period=period, agency=agency, question=question)
            for agency_id, agency in new_agencies.items()
            if agency_id not in old_assignments
        ]
    # Removed before the new ones are created: an option's value is unique within its question.
    AnswerOption.objects.filter(pk__in=options_removed).delete()
    AnswerOption.objects.bulk_update(options_changed, ["label", "score", "order"])
    AnswerOption.objects.bulk_create(options_created)
    ScoreBand.objects.filter(question_id__in=bands_replaced).delete()
    ScoreBand.objects.bulk_create(bands_created)
    Assignment.objects.filter(pk__in=assignments_removed).delete()
    Assignment.objects.bulk_create(assignments_created)

    # Last, once questions have moved to their new indicators and indicators to their new dimensions.
    Question.objects.filter(pk__in=[q.pk for code, q in current.questions.items() if code not in questions]).delete()
    Indicator.objects.filter(pk__in=[i.pk for code, i in current.indicators.items() if code not in indicators]).delete()
    Dimension.objects.filter(pk__in=[d.pk for code, d in current.dimensions.items() if code not in dimensions]).delete()

    if plan.statements is not None:
        statements = _save(
            SurveyStatement,
            current.statements,
            {
                s["code"]: {"period": period, "subdimension": s["subdimension"], "text": s["text"], "order": s["order"]}
                for s in plan.statements
            },
            STATEMENT_FIELDS,
        )
        # Only unrated ones can be missing from the file (a rated one refuses the import).
        SurveyStatement.objects.filter(
            pk__in=[s.pk for code, s in current.statements.items() if code not in statements]
        ).delete()


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
    sheet.table(None, columns, widths=[10, 10, 70, 50, 10, 8, 10, 12, 11, 24, 12, 8, 8, 13])
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
                _yes_no(q.from_impact_survey),
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

    sheet = book.sheet(STATEMENTS)
    sheet.table(None, OPTIONAL_SHEETS[STATEMENTS] + OPTIONAL_COLUMNS[STATEMENTS], widths=[10, 8, 10, 90, 8])
    for statement in SurveyStatement.objects.filter(period=period).select_related("subdimension__pillar"):
        sheet.row(
            [
                statement.code,
                statement.subdimension.pillar.code,
                statement.subdimension.code,
                statement.text,
                statement.order,
            ]
        )
    sheet.finish()
    book.save(target)
