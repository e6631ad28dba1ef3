"""File checks shared by every upload of supporting evidence (answers, quick wins).

`validate_evidence_file(uploaded_file)` raises ValidationError with a message an operator
understands; it never trusts the browser's content type: the extension must be allowed and the
bytes must be what the extension says. An Office file (a zip) is also refused when it would
unpack to far more than its size, by the data sets' limits (excel/reader.py), or when it carries
code that Office could run on the reviewer's computer (see ACTIVE_PARTS).
"""

import os
import re
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .excel.reader import MAX_PART_FACTOR, MAX_PARTS, MAX_RATIO, MAX_UNPACKED_FACTOR, RATIO_GRACE
from .filesizes import size_and_limit

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
# What Office may run when a coordinator opens the file, by part name (any folder, any case) and
# by the content types [Content_Types].xml declares. Macros: VBA (vbaProject.bin, vbaData.xml; the
# .xlsm/.docm content types) and Excel 4.0 macro sheets, which need no VBA at all. ActiveX controls
# and OLE objects: an OLE object can carry any program (a "Package") or an old Equation Editor
# exploit, and opens with a double click. Evidence never needs either: a PDF or a plain .docx or
# .xlsx shows the same. A chart's data, an .xlsx package in word/embeddings/, is neither.
MACRO_PART = re.compile(
    r"(^|/)(vbaproject\.bin|vbadata\.xml|vbaprojectsignature\.bin)$|(^|/)macrosheets/", re.IGNORECASE
)
MACRO_TYPE = re.compile(rb"macroEnabled|vbaProject|vbaData|macrosheet", re.IGNORECASE)
ACTIVE_PART = re.compile(r"(^|/)activex/|(^|/)oleobject[^/]*$", re.IGNORECASE)
ACTIVE_TYPE = re.compile(rb"activeX|oleObject", re.IGNORECASE)
# [Content_Types].xml lists a few dozen types; reading more of it than this proves nothing more.
CONTENT_TYPES_BYTES = 256 * 1024


def _shown(name):
    return Truncator(os.path.basename(name or "")).chars(NAME_SHOWN_CHARS)


def evidence_accept_attribute():
    """For <input type=file accept=...>: a hint to the browser; the server still checks."""
    return ",".join(EVIDENCE_TYPES)


def _error(message, code, name, **params):
    return ValidationError(message, code=code, params={"name": _shown(name), **params})


def _check_office_zip(uploaded_file, ext):
    name = uploaded_file.name
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            part = OFFICE_PART[ext]
            if "[Content_Types].xml" not in names or not any(n.startswith(part) for n in names):
                raise _error(
                    _("Isi berkas %(name)s tidak sesuai dengan ekstensi %(ext)s."),
                    "mismatch",
                    name,
                    ext=ext[1:].upper(),
                )
            _check_inflation(infos, name)
            with archive.open("[Content_Types].xml") as types:
                content_types = types.read(CONTENT_TYPES_BYTES)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise _error(
            _("Berkas %(name)s rusak atau bukan dokumen %(ext)s yang sah."), "corrupt", name, ext=ext[1:].upper()
        ) from exc
    _check_active_content(names, content_types, name)


def _check_inflation(infos, name):
    """The data sets' limits on what a zip unpacks to, applied to the sizes its directory declares
    (Python's zip reader never unpacks a part beyond them): the parts together, each part, and a
    large part's ratio to its packed size. Nothing is unpacked to check."""
    limit = settings.EVIDENCE_MAX_BYTES
    unpacked = sum(info.file_size for info in infos)
    too_big = (
        len(infos) > MAX_PARTS
        or unpacked > MAX_UNPACKED_FACTOR * limit
        or any(
            info.file_size > MAX_PART_FACTOR * limit
            or (info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * max(info.compress_size, 1))
            for info in infos
        )
    )
    if too_big:
        raise _error(
            _(
                "Isi berkas %(name)s terlalu besar bila dibuka (%(unpacked)s setelah diekstrak). "
                "Simpan ulang dari Word atau Excel, atau unggah sebagai PDF."
            ),
            "inflates",
            name,
            unpacked=filesizeformat(unpacked),
        )


def _check_active_content(names, content_types, name):
    if any(MACRO_PART.search(n) for n in names) or MACRO_TYPE.search(content_types):
        raise _error(
            _(
                "Berkas %(name)s berisi makro, yang dapat menjalankan program di komputer pemeriksa. "
                "Simpan ulang sebagai .docx atau .xlsx biasa (tanpa makro) atau sebagai PDF, lalu unggah lagi."
            ),
            "macros",
            name,
        )
    if any(ACTIVE_PART.search(n) for n in names) or ACTIVE_TYPE.search(content_types):
        raise _error(
            _(
                "Berkas %(name)s berisi objek ActiveX atau OLE, yang dapat menjalankan program di komputer "
                "pemeriksa. Hapus objek itu atau simpan ulang sebagai PDF, lalu unggah lagi."
            ),
            "active_content",
            name,
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
    if uploaded_file.size > settings.EVIDENCE_MAX_BYTES:
        size, limit = size_and_limit(uploaded_file.size, settings.EVIDENCE_MAX_BYTES)
        raise _error(
            _("Berkas %(name)s terlalu besar (%(size)s). Batasnya %(limit)s."), "too_big", name, size=size, limit=limit
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
