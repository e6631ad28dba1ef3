"""The evidence package: one .zip with the period's workbook and every evidence file it lists, so
that whoever holds the workbook (the ministry's assessors) can open the files it names. What is in
it is what the workbook lists: drafts, proposed quick wins and removed files are not.

    bukti/<agency>/<question code>/<file name>      each live evidence file of a handed-in answer
    bukti/<agency>/quick-win/<quick win>/<file name>  each live evidence file of an agreed quick win
    evaluasi-smart-city-2024-tahap-1.xlsx           the workbook; each evidence cell links to its file

Opening the workbook from the unzipped folder opens the PDF: the links are relative
(excel/writer.Link). No name inside comes from an upload as it was typed: each folder and file
name is rebuilt from ASCII letters, digits, ".", "_" and "-" (`safe_name`), and two files that
would share a name (also differing only in case: Windows and macOS do not tell them apart) get
"-2", "-3", ….

The package is written file by file into a file object (the job's temporary file): each evidence
file is copied from the storage in chunks, never whole in memory, and ZIP64 lets the archive pass
4 GB. Files that are already compressed are stored as they are; deflating them again would cost
time and save nothing.
"""

import os
import posixpath
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from .excel.workbook import export_period, handed_in_evidence, workbook_filename
from .excel.workbook_quickwins import agreed_quick_win_evidence
from .models import Evidence

FOLDER = "bukti"
CHUNK = 1024 * 1024
# Formats that are compressed already (PDF streams, images, Office files and archives are zips).
ALREADY_COMPRESSED = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
    ".zip",
    ".rar",
    ".7z",
    ".gz",
    ".mp4",
}
# An entry whose size is unknown or large is written with ZIP64 sizes from the start: zipfile
# cannot add them once the entry is written.
ZIP64_FROM = 1024**3
# Names Windows refuses for a file, whatever the extension.
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 80
# The job's page is written at most this often while files are copied (a heartbeat too).
PROGRESS_SECONDS = 1.0


def package_filename(period):
    return f"paket-bukti-{period.year}-tahap-{period.stage}.zip"


def safe_name(text, fallback, max_length=MAX_NAME):
    """`text` as one safe path component: accents dropped to ASCII, every run of anything but
    letters, digits, ".", "_" and "-" made one "_", no leading or trailing dot, "_" or "-" (so
    never "." or "..", never hidden), at most `max_length` characters, never a Windows device
    name; `fallback` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    name = UNSAFE.sub("_", ascii_text).strip("._-")[:max_length].rstrip("._-")
    if name.split(".")[0].upper() in WINDOWS_RESERVED:
        name = f"_{name}"
    return name or fallback


def file_name(original_name, stored_name, fallback):
    """The name of an evidence file in the package: the last part of the name it was uploaded
    under (after any "/" or "\\": no path from an upload is kept), made safe, with the stored
    file's extension (the one the upload was checked for)."""
    base = re.split(r"[/\\]", original_name or "")[-1]
    stem = os.path.splitext(base)[0]
    extension = safe_name(os.path.splitext(stored_name)[1].lower(), "", max_length=10)
    stem = safe_name(stem, fallback)
    return f"{stem}.{extension}" if extension else stem


@dataclass
class PackageFile:
    evidence_id: int
    stored_name: str
    path: str  # inside the package
    size: int
    uploaded_at: object
    quick_win: bool = False  # a quick win's evidence (QuickWinEvidence), else an answer's (Evidence)


class _Names:
    """Hands out names in a folder that no earlier one takes there, compared without case."""

    def __init__(self):
        self.taken = set()

    def claim(self, folder, name):
        stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
        candidate, number = name, 1
        while posixpath.join(folder, candidate).lower() in self.taken:
            number += 1
            candidate = f"{stem}-{number}{dot}{extension}"
        self.taken.add(posixpath.join(folder, candidate).lower())
        return posixpath.join(folder, candidate)


class _Layout:
    """The package's folders: one per agency, in it one per question code and a "quick-win" folder
    with one per quick win; each claimed once, so two codes or names that make the same safe name
    still get two folders."""

    def __init__(self):
        self.names = _Names()
        self.folders = {}

    def _folder(self, key, parent, name):
        if key not in self.folders:
            self.folders[key] = self.names.claim(parent, name)
        return self.folders[key]

    def agency(self, agency_id, abbreviation, name):
        slug = slugify(abbreviation or name)[:MAX_NAME].strip("-")
        return self._folder(("agency", agency_id), FOLDER, slug or f"opd-{agency_id}")

    def question(self, agency_folder, code):
        return self._folder(("question", agency_folder, code), agency_folder, safe_name(code, "tanpa-kode"))

    def quick_win(self, agency_folder, quick_win_id, name):
        quick_wins = self._folder(("quick-wins", agency_folder), agency_folder, "quick-win")
        return self._folder(("quick-win", quick_win_id), quick_wins, safe_name(name, f"quick-win-{quick_win_id}"))

    def file(self, folder, original_name, stored_name, fallback):
        return self.names.claim(folder, file_name(original_name, stored_name, fallback))


def package_files(period):
    """The files of the package, each with its path inside: the live evidence files of the
    handed-in answers and of the agreed quick wins (the evidence the workbook lists), by agency,
    question code (then quick win), then upload time. Two queries."""
    answers = (
        handed_in_evidence(period)
        .exclude(file="")
        .order_by(
            "answer__submission__agency__abbreviation",
            "answer__submission__agency_id",
            "answer__question__code",
            "uploaded_at",
            "id",
        )
        .values_list(
            "id",
            "file",
            "original_name",
            "size",
            "uploaded_at",
            "answer__submission__agency_id",
            "answer__submission__agency__abbreviation",
            "answer__submission__agency__name",
            "answer__question__code",
        )
    )
    quick_wins = (
        agreed_quick_win_evidence(period)
        .exclude(file="")
        .order_by(
            "quick_win__agency__abbreviation",
            "quick_win__agency_id",
            "quick_win__name",
            "quick_win_id",
            "uploaded_at",
            "id",
        )
        .values_list(
            "id",
            "file",
            "original_name",
            "size",
            "uploaded_at",
            "quick_win__agency_id",
            "quick_win__agency__abbreviation",
            "quick_win__agency__name",
            "quick_win_id",
            "quick_win__name",
        )
    )
    layout, files = _Layout(), []
    for pk, stored, original, size, uploaded_at, agency_id, abbreviation, agency_name, code in answers:
        folder = layout.question(layout.agency(agency_id, abbreviation, agency_name), code)
        path = layout.file(folder, original, stored, f"bukti-{pk}")
        files.append(PackageFile(pk, stored, path, size, uploaded_at))
    for pk, stored, original, size, uploaded_at, agency_id, abbreviation, agency_name, qw_id, qw_name in quick_wins:
        folder = layout.quick_win(layout.agency(agency_id, abbreviation, agency_name), qw_id, qw_name)
        path = layout.file(folder, original, stored, f"bukti-{pk}")
        files.append(PackageFile(pk, stored, path, size, uploaded_at, quick_win=True))
    return files


@dataclass
class PackageResult:
    files: int
    bytes: int
    missing: list  # paths of the files the storage no longer has

    def as_result(self):
        return {"files": self.files, "bytes": self.bytes, "missing": self.missing}


def _entry(path, when, extension):
    info = zipfile.ZipInfo(path, date_time=timezone.localtime(when).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if extension in ALREADY_COMPRESSED else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # a plain file, readable by all once unpacked
    return info


def _copy_into(archive, info, source, size):
    with archive.open(info, "w", force_zip64=not size or size >= ZIP64_FROM) as target:
        shutil.copyfileobj(source, target, CHUNK)


def write_package(period, handle, generated_by="", progress=None, storage=None):
    """Write the period's evidence package into `handle` (a seekable binary file object).
    `progress(done, total, step)` counts files (the workbook is the last one); it may raise to
    stop. Returns a PackageResult."""
    storage = storage or Evidence._meta.get_field("file").storage
    files = package_files(period)
    total = len(files) + 1
    report = progress or (lambda done, total, step: None)
    copying = gettext("Menyalin berkas bukti")
    paths, quick_win_paths, missing, written = {}, {}, [], 0
    last_report = None
    with zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
        for done, item in enumerate(files):
            now = time.monotonic()
            if last_report is None or now - last_report >= PROGRESS_SECONDS:
                report(done, total, copying)
                last_report = now
            try:
                source = storage.open(item.stored_name, "rb")
            except FileNotFoundError:
                missing.append(item.path)
                continue
            info = _entry(item.path, item.uploaded_at, _extension(item.path))
            with source:
                _copy_into(archive, info, source, item.size)
            (quick_win_paths if item.quick_win else paths)[item.evidence_id] = item.path
            written += info.file_size
        report(len(files), total, gettext("Menulis workbook"))
        with tempfile.TemporaryFile() as workbook:
            export_period(
                period,
                workbook,
                generated_by=generated_by,
                progress=lambda _done, _total, step: report(len(files), total, step),
                evidence_paths=paths,
                quick_win_evidence_paths=quick_win_paths,
            )
            size = workbook.tell()
            workbook.seek(0)
            _copy_into(archive, _entry(workbook_filename(period), timezone.now(), ".xlsx"), workbook, size)
    return PackageResult(files=len(paths) + len(quick_win_paths), bytes=written, missing=missing)


def _extension(path):
    return os.path.splitext(path)[1].lower()
