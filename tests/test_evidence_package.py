"""The evidence package (evaluations/evidence_package.py): the .zip the ministry's assessors
unpack, with the workbook whose evidence cells open the files beside it."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations import evidence_package
from evaluations.evidence_package import file_name, package_files, safe_name, write_package
from evaluations.excel.workbook import export_period
from evaluations.models import Answer, Evidence, Question, QuickWinEvidence, Submission

from .excel_helpers import header_index, open_workbook
from .factories import make_agency, make_question, make_quick_win, make_region, make_submission, open_period
from .filling import PDF, PNG

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

WORKBOOK = "evaluasi-smart-city-2024-tahap-1.xlsx"
AGENCY_FOLDER = "bukti/diskominfo-staper"


def handed_in(period, agency, status=Submission.Status.SUBMITTED, questions=2):
    """`agency`'s submission in `status` with its first `questions` assigned questions answered."""
    submission = make_submission(period, agency, status=status)
    assigned = Question.objects.assigned_to(agency, period).order_by("code")[:questions]
    return [Answer.objects.create(submission=submission, question=q, text_value="Ada") for q in assigned]


def attach(answer, original_name, content=PDF, stored_as="bukti.pdf", title="Bukti"):
    return Evidence.objects.create(
        answer=answer, title=title, file=SimpleUploadedFile(stored_as, content), original_name=original_name
    )


def build(period, **kwargs):
    handle = io.BytesIO()
    result = write_package(period, handle, generated_by="Rina", **kwargs)
    handle.seek(0)
    return zipfile.ZipFile(handle), result


def evidence_cells(archive):
    """The evidence column of Jawaban per OPD in the package's workbook: (text, link target) per row."""
    sheet = open_workbook(io.BytesIO(archive.read(WORKBOOK)))["Jawaban per OPD"]
    column = header_index(sheet)["Bukti dukung"] + 1
    cells = [sheet.cell(row=row, column=column) for row in range(3, sheet.max_row + 1)]
    return [(cell.value, cell.hyperlink.target if cell.hyperlink else None) for cell in cells]


# --- names ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("uploaded_as", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\rina\\Desktop\\SK Tim.pdf", "SK_Tim.pdf"),
        ("laporan/2024/akhir.pdf", "akhir.pdf"),
        ("Surat Keputusan – Ñoño №5.pdf", "Surat_Keputusan_Nono_No5.pdf"),
        ("Ключ.pdf", "bukti-7.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("", "bukti-7.pdf"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
        ('sk "final"; rm -rf *.pdf', "sk_final_rm_-rf.pdf"),
    ],
)
def test_a_file_is_named_by_the_last_part_of_its_upload_name_made_safe(uploaded_as, expected):
    assert file_name(uploaded_as, "evidence/0f3a.pdf", "bukti-7") == expected


def test_the_extension_is_the_stored_files_not_the_one_typed():
    assert file_name("laporan.pdf.exe", "evidence/0f3a.pdf", "bukti-7") == "laporan.pdf.pdf"


@pytest.mark.parametrize("text", ["..", ".", "/", "\\", "...", "   "])
def test_no_component_is_ever_a_path_step(text):
    assert safe_name(text, "x") == "x"


def test_files_are_in_folders_by_agency_and_question_code(period, agency_a):
    first, second = handed_in(period, agency_a)
    attach(first, "sk.pdf")
    attach(second, "foto.png", PNG, stored_as="f.png")
    paths = [item.path for item in package_files(period)]
    assert paths == [
        f"{AGENCY_FOLDER}/{first.question.code}/sk.pdf",
        f"{AGENCY_FOLDER}/{second.question.code}/foto.png",
    ]


def test_two_files_of_the_same_name_differing_only_in_case_are_told_apart(period, agency_a):
    (answer,) = handed_in(period, agency_a, questions=1)
    for name in ("sk.pdf", "SK.pdf", "sk.pdf"):
        attach(answer, name)
    folder = f"{AGENCY_FOLDER}/{answer.question.code}"
    assert [item.path for item in package_files(period)] == [
        f"{folder}/sk.pdf",
        f"{folder}/SK-2.pdf",
        f"{folder}/sk-3.pdf",
    ]


def test_two_agencies_whose_names_make_the_same_folder_get_two_folders(period):
    one, two = make_agency("Dinas PU Uji", "Dinas PU Uji"), make_agency("Dinas P.U. Uji", "Dinas-PU-Uji")
    question = Question.objects.for_period(period).order_by("code").first()
    for agency in (one, two):
        submission = make_submission(period, agency, status=Submission.Status.SUBMITTED)
        attach(Answer.objects.create(submission=submission, question=question, text_value="Ada"), "sk.pdf")
    folders = {item.path.split("/")[1] for item in package_files(period)}
    assert folders == {"dinas-pu-uji", "dinas-pu-uji-2"}


def test_two_question_codes_that_make_the_same_folder_get_two_folders(period, agency_a):
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    for code in ("GOV 9", "GOV/9"):
        question = make_question(period, code=code)
        attach(Answer.objects.create(submission=submission, question=question, text_value="Ada"), "sk.pdf")
    assert [item.path for item in package_files(period)] == [
        f"{AGENCY_FOLDER}/GOV_9/sk.pdf",
        f"{AGENCY_FOLDER}/GOV_9-2/sk.pdf",
    ]


def quick_win_file(quick_win, original_name, title="Laporan"):
    return QuickWinEvidence.objects.create(
        quick_win=quick_win, title=title, file=SimpleUploadedFile("q.pdf", PDF), original_name=original_name
    )


def test_the_files_of_agreed_quick_wins_are_in_a_folder_per_quick_win(period, agency_a):
    running = make_quick_win(period, agency_a, status="berjalan", name="Portal Satu Data / Kutim")
    quick_win_file(running, "../laporan.pdf")
    quick_win_file(make_quick_win(period, agency_a, status="usulan", name="Masih usulan"), "usulan.pdf")
    assert [item.path for item in package_files(period)] == [
        f"{AGENCY_FOLDER}/quick-win/Portal_Satu_Data_Kutim/laporan.pdf"
    ]


def test_the_quick_wins_sheet_links_to_its_files(period, agency_a):
    running = make_quick_win(period, agency_a, status="berjalan", name="Madu Kelulut")
    quick_win_file(running, "laporan.pdf", title="Laporan")
    archive, result = build(period)
    target = f"{AGENCY_FOLDER}/quick-win/Madu_Kelulut/laporan.pdf"
    assert target in archive.namelist() and result.files == 1
    sheet = open_workbook(io.BytesIO(archive.read(WORKBOOK)))["Quick Wins"]
    cell = sheet.cell(row=3, column=header_index(sheet)["Bukti dukung"] + 1)
    assert (cell.value, cell.hyperlink.target) == (f"Laporan ({target})", target)


# --- the archive ---------------------------------------------------------------------------------
def test_the_package_holds_the_workbook_and_every_live_evidence_file_of_handed_in_answers(period, agency_a, agency_b):
    first, second = handed_in(period, agency_a, status=Submission.Status.APPROVED)
    attach(first, "../../etc/passwd", stored_as="p.pdf")
    attach(first, "laporan\\akhir.pdf")
    attach(second, "Ñoño.png", PNG, stored_as="n.png")
    removed = attach(second, "lama.pdf")
    removed.removed_at = timezone.now()
    removed.save()
    Evidence.objects.create(answer=second, title="Tautan", url="https://kutaitimurkab.go.id/sk")
    # A draft is still being written: none of it goes to the ministry.
    (draft,) = handed_in(period, agency_b, status=Submission.Status.DRAFT, questions=1)
    attach(draft, "draf.pdf")
    archive, result = build(period)
    assert sorted(archive.namelist()) == sorted(
        [
            f"{AGENCY_FOLDER}/{first.question.code}/passwd.pdf",
            f"{AGENCY_FOLDER}/{first.question.code}/akhir.pdf",
            f"{AGENCY_FOLDER}/{second.question.code}/Nono.png",
            WORKBOOK,
        ]
    )
    assert archive.read(f"{AGENCY_FOLDER}/{first.question.code}/passwd.pdf") == PDF
    assert archive.testzip() is None
    assert (result.files, result.bytes, result.missing) == (3, 2 * len(PDF) + len(PNG), [])


def test_no_evidence_of_another_region_is_ever_in_the_package(period, agency_a):
    region_b = make_region("64.72", "Kota Samarinda")
    period_b = open_period(
        type(period).objects.create(
            region=region_b,
            national=period.national,
            year=period.year,
            stage=period.stage,
            name=period.name,
            opens=period.opens,
            closes=period.closes,
        )
    )
    agency_b = make_agency("Diskominfo Staper", "Diskominfo Staper", region=region_b)
    question = Question.objects.for_period(period).order_by("code").first()
    submission_b = make_submission(period_b, agency_b, status=Submission.Status.SUBMITTED)
    attach(Answer.objects.create(submission=submission_b, question=question, text_value="Ada"), "samarinda.pdf")
    (answer,) = handed_in(period, agency_a, questions=1)
    attach(answer, "kutim.pdf")
    archive, _result = build(period)
    assert [name for name in archive.namelist() if name.startswith("bukti/")] == [
        f"{AGENCY_FOLDER}/{answer.question.code}/kutim.pdf"
    ]


def test_compressed_formats_are_stored_and_others_deflated(period, agency_a):
    (answer,) = handed_in(period, agency_a, questions=1)
    attach(answer, "sk.pdf")
    attach(answer, "catatan.txt", b"catatan " * 1000, stored_as="c.txt")
    archive, _result = build(period)
    methods = {Path(info.filename).suffix: info.compress_type for info in archive.infolist()}
    assert methods == {".pdf": zipfile.ZIP_STORED, ".xlsx": zipfile.ZIP_STORED, ".txt": zipfile.ZIP_DEFLATED}


def test_every_name_in_the_package_is_relative_and_safe(period, agency_a):
    (answer,) = handed_in(period, agency_a, questions=1)
    for name in ("../../etc/passwd", "/etc/shadow", "C:\\boot.ini", "a/../../b.pdf", "..", "\x1b[31mnul.pdf"):
        attach(answer, name)
    archive, _result = build(period)
    for name in archive.namelist():
        parts = name.split("/")
        assert not name.startswith("/") and "\\" not in name and ":" not in name
        assert all(part and not part.startswith(".") for part in parts)


# --- the workbook inside -----------------------------------------------------------------------
def test_each_evidence_cell_links_to_its_file_in_the_package(period, agency_a):
    first, second = handed_in(period, agency_a)
    attach(first, "../../etc/passwd", title="SK Tim")
    attach(second, "foto.png", PNG, stored_as="f.png", title="Foto")
    archive, _result = build(period)
    cells = [cell for cell in evidence_cells(archive) if cell[0]]
    assert cells == [
        (
            f"SK Tim ({AGENCY_FOLDER}/{first.question.code}/passwd.pdf)",
            f"{AGENCY_FOLDER}/{first.question.code}/passwd.pdf",
        ),
        (f"Foto ({AGENCY_FOLDER}/{second.question.code}/foto.png)", f"{AGENCY_FOLDER}/{second.question.code}/foto.png"),
    ]
    assert all(target in archive.namelist() for _text, target in cells)


def test_an_answer_with_several_files_links_to_their_folder(period, agency_a):
    (answer,) = handed_in(period, agency_a, questions=1)
    attach(answer, "sk.pdf", title="SK")
    attach(answer, "notulen.pdf", title="Notulen")
    Evidence.objects.create(answer=answer, title="Situs", url="https://kutaitimurkab.go.id/")
    archive, _result = build(period)
    folder = f"{AGENCY_FOLDER}/{answer.question.code}/"
    (cell,) = [cell for cell in evidence_cells(archive) if cell[0]]
    assert cell == (
        f"SK ({folder}sk.pdf)\nNotulen ({folder}notulen.pdf)\nSitus (https://kutaitimurkab.go.id/)",
        folder,
    )
    assert all(name.startswith(folder) for name in archive.namelist() if name.startswith("bukti/"))


def test_a_title_typed_as_a_formula_stays_text_in_a_linked_cell(period, agency_a):
    (answer,) = handed_in(period, agency_a, questions=1)
    attach(answer, "sk.pdf", title='=HYPERLINK("http://jahat.example")')
    archive, _result = build(period)
    sheet = open_workbook(io.BytesIO(archive.read(WORKBOOK)))["Jawaban per OPD"]
    cell = sheet.cell(row=3, column=header_index(sheet)["Bukti dukung"] + 1)
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.hyperlink.target == f"{AGENCY_FOLDER}/{answer.question.code}/sk.pdf"


def test_a_file_gone_from_the_storage_is_named_as_missing_and_not_linked(period, agency_a):
    (answer,) = handed_in(period, agency_a, questions=1)
    evidence = attach(answer, "sk.pdf", title="SK")
    evidence.file.storage.delete(evidence.file.name)
    archive, result = build(period)
    assert archive.namelist() == [WORKBOOK]
    assert result.missing == [f"{AGENCY_FOLDER}/{answer.question.code}/sk.pdf"]
    assert [cell for cell in evidence_cells(archive) if cell[0]] == [("SK (sk.pdf)", None)]


def test_the_plain_workbook_has_no_links(period, agency_a):
    (answer,) = handed_in(period, agency_a, questions=1)
    attach(answer, "sk.pdf", title="SK")
    handle = io.BytesIO()
    export_period(period, handle)
    sheet = open_workbook(handle)["Jawaban per OPD"]
    cell = sheet.cell(row=3, column=header_index(sheet)["Bukti dukung"] + 1)
    assert (cell.value, cell.hyperlink) == ("SK (sk.pdf)", None)


# --- streaming ---------------------------------------------------------------------------------
class CountingStorage(FileSystemStorage):
    """Records the largest read asked of any file it opens."""

    largest_read = 0

    def open(self, name, mode="rb"):
        return CountedFile(super().open(name, mode))


class CountedFile(io.RawIOBase):
    def __init__(self, handle):
        self.handle = handle

    def read(self, size=-1):
        CountingStorage.largest_read = max(CountingStorage.largest_read, size if size >= 0 else 1 << 62)
        return self.handle.read(size)

    def close(self):
        self.handle.close()
        super().close()


def test_files_are_copied_in_chunks_never_read_whole(period, agency_a, private_media):
    (answer,) = handed_in(period, agency_a, questions=1)
    attach(answer, "besar.pdf", PDF + b"\0" * (3 * evidence_package.CHUNK))
    archive, _result = build(period, storage=CountingStorage(location=str(private_media)))
    assert 0 < CountingStorage.largest_read <= evidence_package.CHUNK
    assert (
        len(archive.read(f"{AGENCY_FOLDER}/{answer.question.code}/besar.pdf")) == len(PDF) + 3 * evidence_package.CHUNK
    )


@pytest.mark.parametrize("size", [10_000, 0])
def test_an_entry_past_zip64s_limit_or_of_unknown_size_is_written_with_zip64_sizes(monkeypatch, size):
    # The real limits (4 GB an entry, ZIP64 from 1 GB) scaled down to a few KB.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4096)
    monkeypatch.setattr(evidence_package, "ZIP64_FROM", 4096)
    handle = io.BytesIO()
    with zipfile.ZipFile(handle, "w") as archive:
        info = evidence_package._entry("bukti/a/b.pdf", timezone.now(), ".pdf")
        evidence_package._copy_into(archive, info, io.BytesIO(b"x" * 10_000), size)
    archive = zipfile.ZipFile(handle)
    assert archive.testzip() is None
    assert archive.read("bukti/a/b.pdf") == b"x" * 10_000


def test_progress_counts_files_then_the_workbook(period, agency_a, monkeypatch):
    monkeypatch.setattr(evidence_package, "PROGRESS_SECONDS", 0)
    (answer,) = handed_in(period, agency_a, questions=1)
    attach(answer, "a.pdf")
    attach(answer, "b.pdf")
    steps = []
    build(period, progress=lambda done, total, step: steps.append((done, total)))
    assert steps[:3] == [(0, 3), (1, 3), (2, 3)]
    assert set(steps[3:]) == {(2, 3)}  # the workbook's sheets


def test_past_excels_limit_of_links_a_cell_keeps_its_text(monkeypatch, period, agency_a):
    monkeypatch.setattr("evaluations.excel.writer.MAX_LINKS", 1)
    first, second = handed_in(period, agency_a)
    attach(first, "a.pdf", title="A")
    attach(second, "b.pdf", title="B")
    archive, _result = build(period)
    cells = [cell for cell in evidence_cells(archive) if cell[0]]
    assert [target is not None for _text, target in cells] == [True, False]
    assert cells[1][0] == f"B ({AGENCY_FOLDER}/{second.question.code}/b.pdf)"
