"""Test data for the Excel tests: submissions with every assigned question answered."""

import io
from datetime import date
from decimal import Decimal

import openpyxl

from evaluations.models import Answer, Question, Submission


def answer_all(period, agency, text="Jawaban uji", status=Submission.Status.DRAFT, **submission_fields):
    """A submission of `agency` with every assigned question answered (bulk), typed by kind."""
    submission, _created = Submission.objects.get_or_create(
        period=period, agency=agency, defaults={"status": status, **submission_fields}
    )
    answers = []
    for question in Question.objects.assigned_to(agency, period).prefetch_related("options"):
        answer = Answer(submission=submission, question=question, explanation=f"Penjelasan {question.code}")
        kind = question.answer_type
        if question.uses_options:
            option = list(question.options.all())[-1]
            answer.option, answer.self_score = option, option.score
        elif kind == Question.AnswerType.YES_NO:
            answer.bool_value, answer.self_score = True, Decimal(4)
        elif question.uses_bands:
            answer.number_value = Decimal("12.5")
        elif kind == Question.AnswerType.DATE:
            answer.date_value = date(2024, 3, 1)
        else:
            answer.text_value = text
        answers.append(answer)
    Answer.objects.bulk_create(answers)
    return submission


def open_workbook(content):
    return openpyxl.load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)


def sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def header_index(sheet, header_row=2):
    return {cell.value: i for i, cell in enumerate(sheet[header_row]) if cell.value}
