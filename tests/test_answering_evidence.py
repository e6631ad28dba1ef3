"""Evidence files: the allowed types, the content check, the size limit, storage under a random
name, removal on record, and the access-checked download."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.models import Answer, AnswerChange, Evidence, Question, QuickWinEvidence
from evaluations.validators import validate_evidence_file

from .factories import assign, make_period, make_question, make_quick_win, period_of
from .filling import DOCX, PDF, PNG, XLSX, media_root, office_zip, section_post, submission_of, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]


@pytest.fixture
def question(agency_a):
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    return make_question(period, code="E.1", answer_type=Question.AnswerType.YES_NO)


@pytest.fixture
def submission(question, agency_a):
    return submission_of(period_of(question), agency_a)


def post_file(client, submission, question, uploaded, title="Bukti"):
    data = section_post(
        submission, "X-GOV", {question: {"value": "1", "evidence_title": title, "evidence_file": uploaded}}
    )
    return client.post(f"/opd/pengisian/{submission.pk}/bagian/X-GOV/", data)


@pytest.mark.parametrize("name", ["sk.pdf", "foto.jpg", "foto.JPEG", "layar.png", "notulen.docx", "data.xlsx"])
def test_every_allowed_type_is_saved_under_a_random_name(client_a, submission, question, name):
    response = post_file(client_a, submission, question, upload(name))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == name
    assert evidence.file.name.startswith("evidence/") and name.split(".")[0] not in evidence.file.name
    assert (media_root() / evidence.file.name).exists()
    assert evidence.answer.bool_value is True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "Jenis berkas setup.exe tidak diizinkan"),
        ("halaman.html", b"<html><script>alert(1)</script></html>", "Jenis berkas halaman.html tidak diizinkan"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Jenis berkas logo.svg tidak diizinkan"),
        ("palsu.pdf", b"MZ\x90\x00" + b"\x00" * 64, "Isi berkas palsu.pdf tidak sesuai dengan ekstensi PDF"),
        ("gambar.png", PDF, "Isi berkas gambar.png tidak sesuai dengan ekstensi PNG"),
        ("laporan.docx", XLSX, "Isi berkas laporan.docx tidak sesuai dengan ekstensi DOCX"),
        ("tabel.xlsx", office_zip("word"), "Isi berkas tabel.xlsx tidak sesuai dengan ekstensi XLSX"),
        ("kosong.pdf", b"", "kosong"),
    ],
)
def test_a_refused_file_gets_a_clear_message_and_nothing_is_saved(
    client_a, submission, question, name, content, message
):
    response = post_file(client_a, submission, question, SimpleUploadedFile(name, content))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert not Answer.objects.exists()
    assert not list(media_root().rglob("*.*"))


def test_an_oversized_file_is_refused_and_nothing_is_saved(client_a, submission, question, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    response = post_file(client_a, submission, question, upload("besar.pdf", PDF + b"0" * 2048))
    assert response.status_code == 422
    assert "terlalu besar" in response.content.decode()
    assert not Evidence.objects.exists() and not Answer.objects.exists()


def test_a_file_just_over_the_limit_shows_a_size_above_the_limit(client_a, submission, question):
    """10.03 MB against 10 MB: rounded to one decimal both would read "10,0 MB"."""
    response = post_file(client_a, submission, question, upload("besar.pdf", PDF + bytes(10_517_000 - len(PDF))))
    assert response.status_code == 422
    assert "Berkas besar.pdf terlalu besar (10,03\xa0MB). Batasnya 10,00\xa0MB." in response.content.decode()


def test_a_file_over_the_limit_by_a_few_bytes_still_shows_a_size_above_the_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(upload("besar.pdf", PDF + bytes(10 * 1024 * 1024 + 3 - len(PDF))))
    assert "(10.485.763\xa0byte). Batasnya 10.485.760\xa0byte." in error.value.messages[0]


def test_a_file_without_a_title_is_refused(client_a, submission, question):
    response = post_file(client_a, submission, question, upload("sk.pdf"), title="")
    assert response.status_code == 422
    assert "Beri judul bukti dukung" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_link_with_a_title_is_saved_as_evidence(client_a, submission, question):
    data = section_post(
        submission,
        "X-GOV",
        {question: {"evidence_title": "Portal", "evidence_url": "https://satudata.kutaitimurkab.go.id/"}},
    )
    client_a.post(f"/opd/pengisian/{submission.pk}/bagian/X-GOV/", data)
    assert Evidence.objects.get().url == "https://satudata.kutaitimurkab.go.id/"


def test_the_validator_accepts_real_office_files_and_rewinds_them():
    for name, content in (("a.docx", DOCX), ("b.xlsx", XLSX), ("c.png", PNG)):
        uploaded = upload(name, content)
        validate_evidence_file(uploaded)
        assert uploaded.tell() == 0


def test_the_validator_refuses_a_broken_zip_named_docx():
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(upload("rusak.docx", b"PK\x03\x04" + b"\x00" * 40))
    assert error.value.code in {"corrupt", "mismatch"}


# --- Office files with macros, active content or a zip bomb inside -----------------------------
def office_file(part, extra_parts=(), content_types=""):
    """A minimal .docx (part "word") or .xlsx ("xl") with `extra_parts` [(name, bytes)] and
    `content_types` added to [Content_Types].xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", f"<Types>{content_types}</Types>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{part}/document.xml", "<doc/>")
        for name, content in extra_parts:
            archive.writestr(name, content)
    return buffer.getvalue()


VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64  # an OLE compound file, as vbaProject.bin is
MACRO_XLSX_TYPE = (
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
)
MACRO_MESSAGE = "berisi makro"
ACTIVE_MESSAGE = "berisi objek ActiveX atau OLE"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tabel.xlsx", office_file("xl", [("xl/vbaProject.bin", VBA)]), MACRO_MESSAGE),
        ("notulen.docx", office_file("word", [("word/vbaProject.bin", VBA)]), MACRO_MESSAGE),
        ("tabel.xlsx", office_file("xl", [("xl/lain/VBAPROJECT.BIN", VBA)]), MACRO_MESSAGE),
        ("tabel.xlsx", office_file("xl", content_types=MACRO_XLSX_TYPE), MACRO_MESSAGE),
        ("tabel.xlsx", office_file("xl", [("xl/macrosheets/sheet1.xml", b"<xm:macrosheet/>")]), MACRO_MESSAGE),
        ("notulen.docx", office_file("word", [("word/activeX/activeX1.xml", b"<ax:ocx/>")]), ACTIVE_MESSAGE),
        ("notulen.docx", office_file("word", [("word/embeddings/oleObject1.bin", VBA)]), ACTIVE_MESSAGE),
    ],
    ids=["xlsx-vba", "docx-vba", "vba-elsewhere", "xlsm-content-type", "excel4-macrosheet", "activex", "ole-object"],
)
def test_an_office_file_with_macros_or_active_content_is_refused_and_nothing_is_saved(
    client_a, submission, question, name, content, message
):
    response = post_file(client_a, submission, question, SimpleUploadedFile(name, content))
    assert response.status_code == 422
    assert f"Berkas {name} {message}" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not list(media_root().rglob("*.*"))


def test_a_docx_with_a_chart_s_embedded_workbook_is_accepted(client_a, submission, question):
    """Word keeps a chart's data as an .xlsx package in word/embeddings/: no code, no OLE object."""
    content = office_file("word", [("word/embeddings/Microsoft_Excel_Worksheet.xlsx", XLSX)])
    response = post_file(client_a, submission, question, SimpleUploadedFile("grafik.docx", content))
    assert response.status_code == 302
    assert Evidence.objects.get().original_name == "grafik.docx"


def zip_bomb(part, megabytes, name="document.xml"):
    """An Office file one of whose parts unpacks to `megabytes` MiB of zeros (about 1,000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(f"{part}/{name}", "w", force_zip64=True) as target:
            zeros = bytes(1024 * 1024)
            for _ in range(megabytes):
                target.write(zeros)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "part", "megabytes"),
    [
        ("bom.docx", "word", 120),  # one part beyond 10x the 10 MB limit
        ("bom.xlsx", "xl", 9),  # 9 MiB packed 1,000:1, beyond the 100:1 allowed past 8 MiB
    ],
    ids=["part-too-large", "ratio"],
)
def test_an_office_file_that_unpacks_to_far_more_than_its_size_is_refused(
    client_a, submission, question, name, part, megabytes
):
    response = post_file(client_a, submission, question, SimpleUploadedFile(name, zip_bomb(part, megabytes)))
    assert response.status_code == 422
    assert f"Isi berkas {name} terlalu besar bila dibuka" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not list(media_root().rglob("*.*"))


def test_quick_win_evidence_refuses_a_macro_workbook_and_saves_nothing(client, operator_a, period, agency_a):
    quick_win = make_quick_win(period, agency_a)
    client.force_login(operator_a)
    content = office_file("xl", [("xl/vbaProject.bin", VBA)])
    response = client.post(
        f"/quick-wins/{quick_win.pk}/bukti/",
        {"title": "Rekap", "file": SimpleUploadedFile("rekap.xlsx", content)},
        follow=True,
    )
    assert "Berkas rekap.xlsx berisi makro" in response.content.decode()
    assert not QuickWinEvidence.objects.exists()


def test_removing_evidence_keeps_the_row_with_who_and_when(client_a, operator_a, submission, question):
    post_file(client_a, submission, question, upload("sk.pdf"), title="SK lama")
    evidence = Evidence.objects.get()
    data = section_post(submission, "X-GOV", {question: {"remove_evidence": [str(evidence.pk)]}})
    client_a.post(f"/opd/pengisian/{submission.pk}/bagian/X-GOV/", data)
    evidence.refresh_from_db()
    assert evidence.removed_at is not None and evidence.removed_by == operator_a
    assert AnswerChange.objects.filter(field="evidence", old_value="SK lama", new_value="").exists()
    assert client_a.get(f"/opd/bukti/{evidence.pk}/unduh/").status_code == 404


def test_the_download_is_an_attachment_with_nosniff(client_a, submission, question):
    post_file(client_a, submission, question, upload("sk.pdf"))
    response = client_a.get(f"/opd/bukti/{Evidence.objects.get().pk}/unduh/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="sk.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_an_operator_of_another_agency_gets_404_for_the_download(client, client_a, operator_b, submission, question):
    post_file(client_a, submission, question, upload("sk.pdf"))
    evidence_id = Evidence.objects.get().pk
    client.force_login(operator_b)
    assert client.get(f"/opd/bukti/{evidence_id}/unduh/").status_code == 404


def test_a_coordinator_can_download_any_agencys_evidence(client, client_a, coordinator, submission, question):
    post_file(client_a, submission, question, upload("sk.pdf"))
    evidence_id = Evidence.objects.get().pk
    client.force_login(coordinator)
    assert client.get(f"/opd/bukti/{evidence_id}/unduh/").status_code == 200
