"""Shared helpers for the questionnaire (agency filling) tests: small real files of each allowed
type, where the running test's private media folder is, and a post builder for section forms."""

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.answering import load_section, state_of
from evaluations.forms.answering import initial_value
from evaluations.models import Submission

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 32
)
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def office_zip(part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{part}/document.xml", "<doc/>")
    return buffer.getvalue()


DOCX = office_zip("word")
XLSX = office_zip("xl")
FILES = {"pdf": PDF, "png": PNG, "jpg": JPG, "jpeg": JPG, "docx": DOCX, "xlsx": XLSX}


def upload(name, content=None):
    ext = name.rsplit(".", 1)[-1].lower()
    return SimpleUploadedFile(name, FILES[ext] if content is None else content)


def media_root():
    """The private media folder of the running test (see conftest's private_media)."""

    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def submission_of(period, agency):
    return Submission.objects.get_or_create(period=period, agency=agency)[0]


def section_post(submission, key, values=None, **extra):
    """The POST a browser sends for the section as rendered now, with `values` typed in:
    {question: {"value": ..., "explanation": ..., ...}}."""
    page = load_section(submission, key)
    data = {}
    for question in page.section.questions:
        answer = page.answers.get(question.id)
        prefix = f"q{question.pk}"
        data[f"{prefix}-version"] = answer.version if answer else 0
        data[f"{prefix}-seen"] = state_of(answer)
        data[f"{prefix}-explanation"] = answer.explanation if answer else ""
        if answer is not None and answer.is_answered:
            current = initial_value(question, answer)
            data[f"{prefix}-value"] = "" if current is None else str(current)
    for question, fields in (values or {}).items():
        for name, value in fields.items():
            data[f"q{question.pk}-{name}"] = value
    data.update(extra)
    return data
