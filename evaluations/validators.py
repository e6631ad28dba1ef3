"""File checks shared by every upload of supporting evidence (answers, quick wins).

`validate_evidence_file(uploaded_file)` raises ValidationError with a message an operator
understands; it never trusts the browser's content type: the extension must be allowed and the
bytes must be what the extension says.
"""

import os
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

# extension -> the MIME types that `filetype` may report for a real file of that kind.
# Office files are zip archives: filetype recognises some by their first entry, others only as zip,
# so the zip's own table of contents decides (see _check_office_zip).
EVIDENCE_TYPES = {
    ".pdf": {"application/pdf"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png"},
    ".docx": {"application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xlsx": {"application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}
OFFICE_PART = {".docx": "word/", ".xlsx": "xl/"}
ALLOWED_LABEL = "PDF, JPG, PNG, DOCX, XLSX"
# A file name in a message (which may end up in a flash message) is cut to this length.
NAME_SHOWN_CHARS = 80


def _shown(name):
    return Truncator(os.path.basename(name or "")).chars(NAME_SHOWN_CHARS)


def evidence_accept_attribute():
    """For <input type=file accept=...>: a hint to the browser; the server still checks."""
    return ",".join(EVIDENCE_TYPES)


def _check_office_zip(uploaded_file, ext):
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(
            _("Berkas %(name)s rusak atau bukan dokumen %(ext)s yang sah."),
            code="corrupt",
            params={"name": _shown(uploaded_file.name), "ext": ext[1:].upper()},
        ) from exc
    part = OFFICE_PART[ext]
    if "[Content_Types].xml" not in names or not any(name.startswith(part) for name in names):
        raise ValidationError(
            _("Isi berkas %(name)s tidak sesuai dengan ekstensi %(ext)s."),
            code="mismatch",
            params={"name": _shown(uploaded_file.name), "ext": ext[1:].upper()},
        )


def validate_evidence_file(uploaded_file):
    """Raise ValidationError unless the file is an allowed type, within the size limit, and its
    content matches its extension. Leaves the file positioned at its start."""
    name = os.path.basename(uploaded_file.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(
            _("Jenis berkas %(name)s tidak diizinkan. Gunakan %(allowed)s."),
            code="extension",
            params={"name": _shown(name), "allowed": ALLOWED_LABEL},
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if uploaded_file.size > limit:
        raise ValidationError(
            _("Berkas %(name)s terlalu besar (%(size)s). Batasnya %(limit)s."),
            code="too_big",
            params={"name": _shown(name), "size": filesizeformat(uploaded_file.size), "limit": filesizeformat(limit)},
        )
    if uploaded_file.size == 0:
        raise ValidationError(_("Berkas %(name)s kosong."), code="empty", params={"name": _shown(name)})
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES[ext]:
        raise ValidationError(
            _("Isi berkas %(name)s tidak sesuai dengan ekstensi %(ext)s."),
            code="mismatch",
            params={"name": _shown(name), "ext": ext[1:].upper()},
        )
    if ext in OFFICE_PART:
        _check_office_zip(uploaded_file, ext)
    uploaded_file.seek(0)
