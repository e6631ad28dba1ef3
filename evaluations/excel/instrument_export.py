"""A period's instrument written in the import format of excel/instrument.py (its sheets and
columns), so that an admin can download this year's instrument, edit it and import it as next
year's: what `write_instrument` writes, `read_instrument` reads back unchanged.
"""

from ..models import Indicator, Question, SurveyStatement
from .instrument import OPTIONAL_COLUMNS, OPTIONAL_SHEETS, SHEETS, STATEMENTS
from .writer import WorkbookWriter


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
    book = WorkbookWriter(target)
    _write_dimensions(book, period)
    _write_indicators(book, period)
    _write_questions(book, questions, list_of_question)
    _write_options(book, lists)
    _write_bands(book, questions)
    _write_statements(book, period)
    book.close()


def _write_dimensions(book, period):
    sheet = book.sheet("dimensi")
    sheet.table(None, SHEETS["dimensi"], widths=[10, 50, 10])
    for dimension in period.dimensions.order_by("order", "code"):
        sheet.row([dimension.code, dimension.name, dimension.weight])
    sheet.finish()


def _write_indicators(book, period):
    sheet = book.sheet("indikator")
    sheet.table(None, SHEETS["indikator"], widths=[10, 10, 60])
    for indicator in Indicator.objects.filter(dimension__national_id=period.national_id).select_related("dimension"):
        sheet.row([indicator.code, indicator.dimension.code, indicator.name])
    sheet.finish()


def _write_questions(book, questions, list_of_question):
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


def _write_options(book, lists):
    sheet = book.sheet("opsi")
    sheet.table(None, SHEETS["opsi"], widths=[12, 14, 70, 8])
    for key, name in lists.items():
        for value, label, score in key:
            sheet.row([name, value, label, score])
    sheet.finish()


def _write_bands(book, questions):
    sheet = book.sheet("rentang")
    sheet.table(None, OPTIONAL_SHEETS["rentang"], widths=[12, 12, 12, 8])
    for q in questions:
        for band in q.bands.all():
            sheet.row([q.code, band.min_value, band.max_value, band.score])
    sheet.finish()


def _write_statements(book, period):
    sheet = book.sheet(STATEMENTS)
    sheet.table(None, OPTIONAL_SHEETS[STATEMENTS] + OPTIONAL_COLUMNS[STATEMENTS], widths=[10, 8, 10, 90, 8])
    for statement in SurveyStatement.objects.filter(national_id=period.national_id).select_related(
        "subdimension__pillar"
    ):
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
