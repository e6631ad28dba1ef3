"""The evaluation workbook handed to the ministry: plain functions over one prefetched read.

    data = load(period, generated_by="Rina Koordinator")   # a fixed number of queries
    write_workbook(data, "evaluasi.xlsx")                  # or a file object

`load()` reads everything the sheets need with a fixed number of queries whatever the size of the
period (the answers are streamed with `.iterator()`, so they are never all in memory). Each sheet
is one function `(data, sheet)` that writes rows through a `SheetWriter`; `SHEETS` lists them in
workbook order. This module holds the evaluation's own sheets (Ringkasan, Kuesioner, Jawaban per
OPD, Progres OPD); the other topics' sheets and what they read are beside it:
workbook_quickwins.py, workbook_datasets.py and workbook_surveys.py.

Adding a sheet (Quick Wins, the four data-set sheets and the survey's were added this way):
1. add a field to `EvaluationData` and fill it in `load()` with ONE query (a `.values()` /
   `.iterator()` queryset for big tables, so memory stays flat);
2. write `def quick_wins(data, sheet): sheet.table(data.title("Quick Wins"), columns, widths);
   for row in data.quick_wins: sheet.row([...])` (see `jawaban_per_opd`) — strings are made safe by the writer, numbers
   and dates become typed cells, use `SCORE_FORMAT`/`PERCENT_FORMAT` for `formats=`;
3. append `(_("Quick Wins"), quick_wins)` to `SHEETS`;
4. bump the pinned count in tests/test_excel_workbook.py (`EXPORT_QUERIES`) by one per new query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar

from ..completion import NOT_STARTED, agency_completion
from ..models import Answer, Assignment, Evidence, Question, ReviewComment, Submission
from ..scoring import Coverage, round_score
from .workbook_datasets import dataset_rows, dataset_sheet
from .workbook_quickwins import quick_win_data, quick_wins_sheet
from .workbook_surveys import responden, survei_dampak, survey_data
from .writer import DATETIME_FORMAT, PERCENT_FORMAT, SCORE_FORMAT, WorkbookWriter, columns_and_widths, files_cell

ANSWER_CHUNK = 2000


@dataclass
class EvaluationData:
    period: object
    generated_at: datetime
    generated_by: str
    dimensions: list = field(default_factory=list)
    pillars: list = field(default_factory=list)
    results: object = None
    completion: list = field(default_factory=list)  # AgencyCompletion per assigned agency
    questions: list = field(default_factory=list)  # the instrument in order, as dicts with "assigned"
    answers: object = None  # lazy: a queryset of dicts, streamed by the Jawaban per OPD sheet
    evidence: dict = field(default_factory=dict)  # answer id -> ["title (link)", ...]
    # The evidence package's workbook only: answer id -> [its files' paths in the package].
    evidence_files: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)  # answer id -> ["agency-visible comment", ...]
    quick_wins: list = field(default_factory=list)
    supporting: dict = field(default_factory=dict)  # quick win id -> ["abbreviation", ...]
    quick_win_evidence: dict = field(default_factory=dict)  # quick win id -> ["title (file)", ...]
    quick_win_evidence_files: dict = field(default_factory=dict)  # as evidence_files, per quick win
    datasets: dict = field(default_factory=dict)  # kind -> lazy queryset of the data set's rows
    survey: object = None  # survey_scoring.SurveyResult of the impact survey
    responses: object = None  # lazy: a queryset of response dicts (never contact data or hashes)
    ratings: dict = field(default_factory=dict)  # response id -> {statement id: score or None (never used)}
    uses: dict = field(default_factory=dict)  # response id -> ["programme: frequency", ...]
    signers: dict = field(default_factory=dict)  # submission id -> (approver, second signer), approved ones

    def title(self, sheet_name):
        """The title row of a table sheet: the sheet, the period and when the workbook was made."""
        generated = timezone.localtime(self.generated_at).strftime("%d-%m-%Y %H:%M")
        return gettext("%(sheet)s — %(period)s — dibuat %(when)s") % {
            "sheet": sheet_name,
            "period": self.period.name,
            "when": generated,
        }


# What the regency hands the ministry answer by answer: submitted and approved submissions (issue 11).
# Drafts are still being written; a returned submission is back with its agency for revision.
HANDED_IN = [Submission.Status.SUBMITTED, Submission.Status.APPROVED]
INSTRUMENT_ORDER = ["indicator__dimension__order", "indicator__dimension__code", "indicator__order", "order", "code"]


def question_rows(period):
    """Every question of the period's instrument in questionnaire order, as flat dicts, each with
    "assigned": how many agencies are asked to answer it (by pillar or by name). Two queries."""
    by_pillar, by_question = defaultdict(set), defaultdict(set)
    for agency_id, pillar_id, question_id in Assignment.objects.filter(period=period).values_list(
        "agency_id", "pillar_id", "question_id"
    ):
        if pillar_id is not None:
            by_pillar[pillar_id].add(agency_id)
        if question_id is not None:
            by_question[question_id].add(agency_id)
    questions = list(
        Question.objects.for_period(period)
        .order_by(*INSTRUMENT_ORDER)
        .values(
            "id",
            "pillar_id",
            "indicator__dimension__code",
            "indicator__dimension__name",
            "indicator__code",
            "indicator__name",
            "code",
            "text",
            "pillar__name",
            "subdimension__name",
        )
    )
    for question in questions:
        question["assigned"] = len(by_pillar[question["pillar_id"]] | by_question[question["id"]])
    return questions


def answer_rows(period):
    """The handed-in answers of the period, in questionnaire order then by agency, as flat dicts."""
    return (
        Answer.objects.filter(submission__period=period, submission__status__in=HANDED_IN)
        .order_by(*(f"question__{key}" for key in INSTRUMENT_ORDER), "submission__agency__name")
        .values(
            "id",
            "question__indicator__dimension__code",
            "question__indicator__dimension__name",
            "question__indicator__code",
            "question__indicator__name",
            "question__code",
            "question__text",
            "question__answer_type",
            "question__pillar__name",
            "question__subdimension__name",
            "submission__agency__name",
            "submission__status",
            "option__label",
            "bool_value",
            "number_value",
            "text_value",
            "date_value",
            "explanation",
            "self_score",
            "verified_score",
            "needs_revision",
            "revision_note",
        )
    )


def handed_in_evidence(period):
    """The live evidence of the handed-in answers: what the workbook lists and the evidence
    package holds."""
    return Evidence.objects.live().filter(answer__submission__period=period, answer__submission__status__in=HANDED_IN)


def load(period, generated_by="", evidence_paths=None, quick_win_evidence_paths=None):
    """Everything the workbook shows, from a fixed number of queries. `evidence_paths` and
    `quick_win_evidence_paths` (the evidence package's workbook): evidence id -> its file's path in
    the package; such a file is named by that path and its answer's (quick win's) cell links to it."""
    evidence, evidence_files = defaultdict(list), defaultdict(list)
    for item in handed_in_evidence(period).values("id", "answer_id", "title", "url", "original_name"):
        path = evidence_paths.get(item["id"]) if evidence_paths else None
        if path:
            evidence_files[item["answer_id"]].append(path)
        link = path or item["url"] or item["original_name"]
        evidence[item["answer_id"]].append(f"{item['title']} ({link})" if link else item["title"])
    comments = defaultdict(list)
    # Only what the agency itself may read: internal coordinator comments never leave the app.
    for item in ReviewComment.objects.filter(
        answer__submission__period=period,
        answer__submission__status__in=HANDED_IN,
        visibility=ReviewComment.Visibility.AGENCY,
    ).values("answer_id", "body"):
        comments[item["answer_id"]].append(item["body"])
    return EvaluationData(
        period=period,
        generated_at=timezone.now(),
        generated_by=generated_by,
        dimensions=list(period.dimensions.order_by("order", "code")),
        pillars=list(Pillar.objects.order_by("order", "code")),
        results=period.results(),
        completion=agency_completion(period),
        questions=question_rows(period),
        answers=answer_rows(period),
        evidence=evidence,
        evidence_files=evidence_files,
        comments=comments,
        **quick_win_data(period, quick_win_evidence_paths),
        datasets=dataset_rows(period),
        **survey_data(period),
        signers=signers(period),
    )


def signers(period):
    """{submission id: (approver, second signer or "")} of the period's approved submissions: the
    names the Progres OPD sheet shows (completion, cached with the results, holds no users)."""
    rows = Submission.objects.filter(period=period, status=Submission.Status.APPROVED).select_related(
        "approved_by", "second_approved_by"
    )
    return {s.pk: (_signer(s.approved_by), _signer(s.second_approved_by)) for s in rows}


# --- sheets --------------------------------------------------------------------------
def status_label(status):
    if status == NOT_STARTED:
        return gettext("Belum mulai")
    return str(Submission.Status(status).label) if status else ""


# Ringkasan's score tables: three scores (D–F), then coverage counts and % of assigned (G–O).
SCORE_ROW_FORMATS = {
    3: SCORE_FORMAT,
    4: SCORE_FORMAT,
    5: SCORE_FORMAT,
    **{column: PERCENT_FORMAT for column in (8, 10, 12, 14)},
}


def _fraction(count, assigned):
    return count / assigned if assigned else None


def _score_headers():
    return [
        gettext("Resmi"),
        gettext("Sementara"),
        gettext("Mandiri"),
        gettext("Ditugaskan"),
        gettext("Dijawab"),
        gettext("Dijawab (%)"),
        gettext("Dikirim"),
        gettext("Dikirim (%)"),
        gettext("Disetujui"),
        gettext("Disetujui (%)"),
        gettext("Diverifikasi"),
        gettext("Diverifikasi (%)"),
    ]


def _coverage_cells(coverage):
    cells = [coverage.assigned]
    for count in (coverage.answered, coverage.submitted, coverage.approved, coverage.verified):
        cells += [count, _fraction(count, coverage.assigned)]
    return cells


def _score_cells(results, kind, code):
    """Official, provisional and self scores of one dimension or pillar, then its coverage."""
    return [
        round_score(getattr(results.official, kind).get(code)),
        round_score(getattr(results.provisional, kind).get(code)),
        round_score(getattr(results.self, kind).get(code)),
        *_coverage_cells(getattr(results.coverage, kind).get(code) or Coverage()),
    ]


def ringkasan(data, sheet):
    """Who made the workbook and when, then the indexes, the coverage, each dimension and pillar,
    and the agencies by status."""
    sheet.widths([34, 42, 14, 14, 14, 14, 12, 12, 12, 12, 12, 12, 12, 12, 12])
    sheet.title(data.title(gettext("Ringkasan")))
    sheet.row([gettext("Periode"), data.period.name])
    sheet.row([gettext("Dibuat pada"), data.generated_at], formats={1: DATETIME_FORMAT})
    sheet.row([gettext("Dibuat oleh"), data.generated_by])
    # The same three indexes and coverage as the results page, from the same period.results().
    for write_section in (_indexes, _coverage, _dimensions, _pillars, _agencies_by_status):
        sheet.blank()
        write_section(data, sheet)


def _indexes(data, sheet):
    results = data.results
    sheet.section(gettext("Indeks pencapaian"))
    sheet.row(["", gettext("Indeks"), None, gettext("Nilai")])
    for label, scores in [
        (gettext("Indeks resmi (disetujui, skor verifikasi)"), results.official),
        (gettext("Indeks sementara (semua yang dikirim)"), results.provisional),
        (gettext("Indeks penilaian mandiri"), results.self),
    ]:
        sheet.row(["", label, None, round_score(scores.final)], formats={3: SCORE_FORMAT})


def _coverage(data, sheet):
    total = data.results.coverage.total
    sheet.section(gettext("Cakupan (pertanyaan yang ditugaskan)"))
    sheet.row(["", gettext("Tahap"), None, gettext("Jumlah pertanyaan"), gettext("Persen dari yang ditugaskan")])
    sheet.row(["", gettext("Ditugaskan"), None, total.assigned])
    for label, count in [
        (gettext("Dijawab"), total.answered),
        (gettext("Dikirim"), total.submitted),
        (gettext("Disetujui"), total.approved),
        (gettext("Diverifikasi"), total.verified),
        (gettext("Disetujui, dihitung dengan skor mandiri"), total.approved_self),
    ]:
        sheet.row(["", label, None, count, _fraction(count, total.assigned)], formats={4: PERCENT_FORMAT})


def _dimensions(data, sheet):
    results = data.results
    sheet.section(gettext("Dimensi evaluasi"))
    sheet.row([gettext("Kode"), gettext("Dimensi"), gettext("Bobot (%)"), *_score_headers()])
    for dimension in data.dimensions:
        sheet.row(
            [dimension.code, dimension.name, dimension.weight, *_score_cells(results, "dimensions", dimension.code)],
            formats=SCORE_ROW_FORMATS,
        )
    sheet.row(
        [
            "",
            gettext("Indeks akhir (Nilai Final)"),
            None,
            round_score(results.official.final),
            round_score(results.provisional.final),
            round_score(results.self.final),
            *_coverage_cells(results.coverage.total),
        ],
        formats=SCORE_ROW_FORMATS,
    )


def _pillars(data, sheet):
    sheet.section(gettext("Pilar"))
    sheet.row([gettext("Kode"), gettext("Pilar"), None, *_score_headers()])
    for pillar in data.pillars:
        sheet.row(
            [pillar.code, pillar.name, None, *_score_cells(data.results, "pillars", pillar.code)],
            formats=SCORE_ROW_FORMATS,
        )


def _agencies_by_status(data, sheet):
    sheet.section(gettext("Pengisian perangkat daerah menurut status"))
    sheet.row([gettext("Status"), gettext("Jumlah perangkat daerah")])
    counts = defaultdict(int)
    for row in data.completion:
        counts[row.status] += 1
    for status in [NOT_STARTED, *Submission.Status.values]:
        sheet.row([status_label(status), counts[status]])
    sheet.row([gettext("Jumlah"), len(data.completion)])


KUESIONER_COLUMNS = [
    (_("Dimensi"), 28),
    (_("Indikator"), 32),
    (_("Kode pertanyaan"), 12),
    (_("Pertanyaan"), 60),
    (_("Pilar"), 18),
    (_("Sub-dimensi"), 26),
    (_("Skor resmi"), 10),
    (_("Skor sementara"), 10),
    (_("Skor mandiri"), 10),
    (_("OPD ditugaskan"), 11),
    (_("OPD mengirim"), 11),
    (_("OPD disetujui"), 11),
    (_("OPD diverifikasi"), 11),
    (_("Status jawaban"), 28),
]
KUESIONER_FORMATS = {6: SCORE_FORMAT, 7: SCORE_FORMAT, 8: SCORE_FORMAT}


def answers_status(tally):
    """What the ministry reads in the status column: "Belum dijawab" when no agency handed in an
    answer (drafts do not count), the status when all answers share it, else each status with its
    number of agencies."""
    statuses = tally.statuses() if tally else {}
    if not statuses:
        return gettext("Belum dijawab")
    if len(statuses) == 1:
        return status_label(next(iter(statuses)))
    parts = ", ".join(f"{status_label(status)} {n}" for status, n in statuses.items())
    return gettext("Campuran: %(statuses)s") % {"statuses": parts}


def kuesioner(data, sheet):
    """One row per question of the instrument, answered or not, with the consolidated scores of
    the three indexes (the mean over the agencies that answer it, from period.results())."""
    sheet.table(data.title(gettext("Kuesioner")), *columns_and_widths(KUESIONER_COLUMNS))
    results = data.results
    for question in data.questions:
        qid = question["id"]
        tally = results.tallies.get(qid)
        sheet.row(
            [
                f"{question['indicator__dimension__code']}. {question['indicator__dimension__name']}",
                f"{question['indicator__code']} {question['indicator__name']}",
                question["code"],
                question["text"],
                question["pillar__name"],
                question["subdimension__name"],
                round_score(results.official.questions.get(qid)),
                round_score(results.provisional.questions.get(qid)),
                round_score(results.self.questions.get(qid)),
                question["assigned"],
                tally.handed_in if tally else 0,
                tally.approved if tally else 0,
                tally.verified if tally else 0,
                answers_status(tally),
            ],
            formats=KUESIONER_FORMATS,
        )


JAWABAN_COLUMNS = [
    (_("Dimensi"), 28),
    (_("Indikator"), 32),
    (_("Kode pertanyaan"), 12),
    (_("Pertanyaan"), 60),
    (_("Pilar"), 18),
    (_("Sub-dimensi"), 26),
    (_("Perangkat daerah"), 28),
    (_("Jawaban"), 40),
    (_("Skor mandiri"), 10),
    (_("Skor verifikasi"), 10),
    (_("Penjelasan"), 50),
    (_("Bukti dukung"), 50),
    (_("Status"), 16),
    (_("Catatan verifikator"), 50),
]


def answer_value(row):
    """The answer as a typed value: numbers and dates stay numbers and dates."""
    if row["option__label"] is not None:
        return row["option__label"]
    if row["bool_value"] is not None:
        return gettext("Ya") if row["bool_value"] else gettext("Tidak")
    if row["number_value"] is not None:
        return row["number_value"]
    if row["date_value"] is not None:
        return row["date_value"]
    return row["text_value"]


def jawaban_per_opd(data, sheet):
    """One row per agency per question, for the submitted and approved submissions."""
    sheet.table(data.title(gettext("Jawaban per OPD")), *columns_and_widths(JAWABAN_COLUMNS))
    formats = {8: SCORE_FORMAT, 9: SCORE_FORMAT}
    revision = gettext("Perlu perbaikan")
    labels = {status: status_label(status) for status in HANDED_IN}
    for row in data.answers.iterator(chunk_size=ANSWER_CHUNK):
        notes = [row["revision_note"]] if row["revision_note"] else []
        notes += data.comments.get(row["id"], [])
        status = revision if row["needs_revision"] else labels[row["submission__status"]]
        sheet.row(
            [
                f"{row['question__indicator__dimension__code']}. {row['question__indicator__dimension__name']}",
                f"{row['question__indicator__code']} {row['question__indicator__name']}",
                row["question__code"],
                row["question__text"],
                row["question__pillar__name"],
                row["question__subdimension__name"],
                row["submission__agency__name"],
                answer_value(row),
                row["self_score"],
                row["verified_score"],
                row["explanation"],
                files_cell(data.evidence.get(row["id"], []), data.evidence_files.get(row["id"])),
                status,
                "\n".join(notes),
            ],
            formats=formats,
        )


PROGRES_COLUMNS = [
    (_("Perangkat daerah"), 36),
    (_("Singkatan"), 16),
    (_("Pilar"), 16),
    (_("Dijawab"), 10),
    (_("Ditugaskan"), 11),
    (_("Selesai (%)"), 10),
    (_("Status"), 16),
    (_("Dikirim pada"), 18),
    (_("Disetujui pada"), 18),
    (_("Disetujui oleh"), 22),
    (_("Persetujuan kedua oleh"), 22),
    (_("Hari terlambat"), 10),
]


def _signer(user):
    return (user.get_full_name() or user.username) if user else ""


def progres_opd(data, sheet):
    sheet.table(data.title(gettext("Progres OPD")), *columns_and_widths(PROGRES_COLUMNS))
    for row in data.completion:
        submission = row.submission
        sheet.row(
            [
                row.agency.name,
                row.agency.abbreviation,
                ", ".join(code for code in sorted(row.pillars) if code),
                row.answered,
                row.assigned,
                row.percent,
                status_label(row.status),
                submission.submitted_at if submission else None,
                submission.approved_at if submission else None,
                *data.signers.get(submission.pk if submission else None, ("", "")),
                row.days_late(data.period),
            ]
        )


# (sheet name, function) in workbook order. Names are the ones the ministry expects (DESIGN §4).
SHEETS = [
    ("Ringkasan", ringkasan),
    ("Kuesioner", kuesioner),
    ("Jawaban per OPD", jawaban_per_opd),
    ("Progres OPD", progres_opd),
    ("Quick Wins", quick_wins_sheet),
    ("Kondisi Jalan", dataset_sheet("jalan")),
    ("Sarana Pendidikan", dataset_sheet("pendidikan")),
    ("Sarana Kesehatan", dataset_sheet("kesehatan")),
    ("Sarana Transportasi", dataset_sheet("transportasi")),
    ("Survei Dampak", survei_dampak),
    ("Responden", responden),
]


def write_workbook(data, target, progress=None):
    """Write every sheet of SHEETS to `target` (a path or a binary file object). The workbook is
    for the ministry, so it is always in Indonesian whatever the user's language.
    `progress(done, total, sheet_name)` is called before each sheet and once at the end (a job's
    progress and heartbeat, a terminal's progress bar)."""
    with translation.override("id"):
        book = WorkbookWriter(target)
        for done, (name, write_sheet) in enumerate(SHEETS):
            if progress:
                progress(done, len(SHEETS) + 1, str(name))
            sheet = book.sheet(name)
            write_sheet(data, sheet)
            sheet.finish()
        if progress:
            progress(len(SHEETS), len(SHEETS) + 1, gettext("Menyimpan berkas"))
        book.close()


def export_period(period, target, generated_by="", progress=None, evidence_paths=None, quick_win_evidence_paths=None):
    write_workbook(load(period, generated_by, evidence_paths, quick_win_evidence_paths), target, progress)


def workbook_filename(period):
    return f"evaluasi-smart-city-{period.year}-tahap-{period.stage}.xlsx"


__all__ = ["SHEETS", "EvaluationData", "export_period", "load", "workbook_filename", "write_workbook"]
