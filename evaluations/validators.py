"""Checks on uploaded evidence files (questionnaire and quick-win evidence alike).

The file's name must end in an allowed extension, its size must stay within
settings.EVIDENCE_MAX_BYTES, and its content must really be of that type: the first bytes are
sniffed with `filetype`, and Office files must be zip archives holding word/ or xl/ entries.
"""

import os
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx")
# What filetype must report for each extension.
SNIFFED = {"pdf": {"pdf"}, "jpg": {"jpg"}, "jpeg": {"jpg"}, "png": {"png"}}
OFFICE_PREFIX = {"docx": "word/", "xlsx": "xl/"}


def _office_ok(uploaded_file, ext):
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        uploaded_file.seek(0)
    return "[Content_Types].xml" in names and any(name.startswith(OFFICE_PREFIX[ext]) for name in names)


def validate_evidence_file(uploaded_file):
    """Raise ValidationError (Indonesian message) unless the file is an allowed, real document."""
    ext = os.path.splitext(uploaded_file.name or "")[1].lower().lstrip(".")
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Jenis berkas tidak diizinkan. Unggah berkas PDF, JPG, PNG, DOCX atau XLSX."), code="extension"
        )
    if uploaded_file.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("Berkas terlalu besar: %(size)s. Batasnya %(limit)s.")
            % {"size": filesizeformat(uploaded_file.size), "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
            code="size",
        )
    if uploaded_file.size == 0:
        raise ValidationError(_("Berkas kosong."), code="empty")
    if ext in OFFICE_PREFIX:
        if not _office_ok(uploaded_file, ext):
            raise ValidationError(
                _("Isi berkas bukan dokumen %(ext)s yang sah, atau berkas rusak.") % {"ext": ext.upper()},
                code="content",
            )
        return
    uploaded_file.seek(0)
    head = uploaded_file.read(2048)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in SNIFFED[ext]:
        raise ValidationError(
            _("Isi berkas tidak sesuai dengan ekstensinya (.%(ext)s). Unggah berkas asli, bukan yang diganti namanya.")
            % {"ext": ext},
            code="content",
        )
