"""The evaluation workbook handed to the ministry: plain functions over one prefetched read.

    data = load(period, generated_by="Rina Koordinator")   # a fixed number of queries
    write_workbook(data, "evaluasi.xlsx")                  # or a file object

`load()` reads everything the sheets need with a fixed number of queries whatever the size of the
period (the answers are streamed with `.iterator()`, so they are never all in memory). Each sheet
is one function `(data, sheet)` that writes rows through a `SheetWriter`; `SHEETS` lists them in
workbook order.

Adding a sheet (the lead adds Quick Wins and the four data-set sheets this way):
1. add a field to `EvaluationData` and fill it in `load()` with ONE query (a `.values()` /
   `.iterator()` queryset for big tables, so memory stays flat);
2. write `def quick_wins(data, sheet): sheet.table(title_text(data, "Quick Wins"), columns, widths);
   for row in data.quick_wins: sheet.row([...])` (see `jawaban_per_opd`) — strings are made safe by the writer, numbers
   and dates become typed cells, use `SCORE_FORMAT`/`PERCENT_FORMAT` for `formats=`;
3. append `(_("Quick Wins"), quick_wins)` to `SHEETS`;
4. bump the pinned count in tests/test_exports.py (`EXPORT_QUERIES`) by one per new query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar

from ..datasets import SPECS
from ..models import (
    Answer,
    Assignment,
    Evidence,
    ProgrammeUse,
    Question,
    QuickWin,
    QuickWinEvidence,
    ReviewComment,
    Submission,
    SurveyRating,
    SurveyResponse,
)
from ..progress import NOT_STARTED, agency_progress
from ..scoring import Coverage, round_score
from ..surveys import survey_results
from .writer import DATETIME_FORMAT, PERCENT_FORMAT, SCORE_FORMAT, WorkbookWriter

ANSWER_CHUNK = 2000


@dataclass
class EvaluationData:
    period: object
    generated_at: datetime
    generated_by: str
    dimensions: list = field(default_factory=list)
    pillars: list = field(default_factory=list)
    results: object = None
    progress: list = field(default_factory=list)
    questions: list = field(default_factory=list)  # the instrument in order, as dicts with "assigned"
    answers: object = None  # lazy: a queryset of dicts, streamed by the Jawaban per OPD sheet
    evidence: dict = field(default_factory=dict)  # answer id -> ["title (link)", ...]
    comments: dict = field(default_factory=dict)  # answer id -> ["agency-visible comment", ...]
    quick_wins: list = field(default_factory=list)
    supporting: dict = field(default_factory=dict)  # quick win id -> ["abbreviation", ...]
    quick_win_evidence: dict = field(default_factory=dict)  # quick win id -> ["title (file)", ...]
    datasets: dict = field(default_factory=dict)  # kind -> lazy queryset of the data set's rows
    survey: object = None  # survey_scoring.SurveyResult of the impact survey
    responses: object = None  # lazy: a queryset of response dicts (never contact data or hashes)
    ratings: dict = field(default_factory=dict)  # response id -> {statement id: score or None (never used)}
    uses: dict = field(default_factory=dict)  # response id -> ["programme: frequency", ...]


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


def load(period, generated_by=""):
    """Everything the workbook shows, from a fixed number of queries."""
    evidence = defaultdict(list)
    for item in (
        Evidence.objects.live()
        .filter(answer__submission__period=period, answer__submission__status__in=HANDED_IN)
        .values("answer_id", "title", "url", "original_name")
    ):
        link = item["url"] or item["original_name"]
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
        progress=agency_progress(period),
        questions=question_rows(period),
        answers=answer_rows(period),
        evidence=evidence,
        comments=comments,
        **_quick_win_data(period),
        datasets={kind: spec.model.objects.filter(period=period) for kind, spec in SPECS.items()},
        **_survey_data(period),
    )


def _quick_win_data(period):
    """The period's agreed quick wins (set, running, continued, stopped) in three queries.
    Proposals and rejected ones are the agencies' drafts: they are not handed to the ministry."""
    quick_wins = list(
        QuickWin.objects.filter(period=period, status__in=QuickWin.SET_STATUSES)
        .select_related("pillar", "subdimension", "agency")
        .order_by("pillar__order", "name")
    )
    supporting = defaultdict(list)
    through = QuickWin.supporting_agencies.through
    agreed = {"period": period, "status__in": QuickWin.SET_STATUSES}
    for item in through.objects.filter(**{f"quickwin__{k}": v for k, v in agreed.items()}).values(
        "quickwin_id", "agency__abbreviation"
    ):
        supporting[item["quickwin_id"]].append(item["agency__abbreviation"])
    evidence = defaultdict(list)
    for item in (
        QuickWinEvidence.objects.live()
        .filter(**{f"quick_win__{k}": v for k, v in agreed.items()})
        .values("quick_win_id", "title", "original_name")
    ):
        evidence[item["quick_win_id"]].append(f"{item['title']} ({item['original_name']})")
    return {"quick_wins": quick_wins, "supporting": supporting, "quick_win_evidence": evidence}


def _survey_data(period):
    """The impact survey: its means and respondents (survey_results, two queries) and its
    responses, their ratings and programme use (three queries, whatever the number of responses).
    Only what the Responden sheet shows is read: never the contact or device hashes."""
    ratings = defaultdict(dict)
    for response_id, statement_id, score in SurveyRating.objects.filter(
        response__form__survey__period=period
    ).values_list("response_id", "statement_id", "score"):
        ratings[response_id][statement_id] = score
    frequencies = dict(ProgrammeUse.Frequency.choices)
    uses = defaultdict(list)
    for response_id, programme, frequency in (
        ProgrammeUse.objects.filter(response__form__survey__period=period)
        .order_by("programme__subdimension__order", "programme__name")
        .values_list("response_id", "programme__name", "frequency")
    ):
        uses[response_id].append(f"{programme}: {frequencies.get(frequency, frequency)}")
    responses = (
        SurveyResponse.objects.filter(form__survey__period=period)
        .order_by("form__pillar__order", "form__subdimension__order", "submitted_at", "pk")
        .values(*RESPONSE_FIELDS)
    )
    return {"survey": survey_results(period), "responses": responses, "ratings": ratings, "uses": uses}


# What the Responden sheet reads of a response: no contact_hash, no device_hash, no nonce.
RESPONSE_FIELDS = (
    "id",
    "form__pillar__code",
    "form__pillar__name",
    "form__subdimension__code",
    "form__subdimension__name",
    "enumerator__name",
    "enumerator__agency__name",
    "submitted_at",
    "started_at",
    "age_band",
    "occupation",
    "kecamatan__name",
    "excluded_at",
    "exclusion_reason",
)


# --- sheets --------------------------------------------------------------------------
def status_label(status):
    if status == NOT_STARTED:
        return gettext("Belum mulai")
    return str(Submission.Status(status).label) if status else ""


def title_text(data, sheet_name):
    generated = timezone.localtime(data.generated_at).strftime("%d-%m-%Y %H:%M")
    return gettext("%(sheet)s — %(period)s — dibuat %(when)s") % {
        "sheet": sheet_name,
        "period": data.period.name,
        "when": generated,
    }


def columns_and_widths(columns):
    return [str(name) for name, _width in columns], [width for _name, width in columns]


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
    sheet.widths([34, 42, 14, 14, 14, 14, 12, 12, 12, 12, 12, 12, 12, 12, 12])
    sheet.title(title_text(data, gettext("Ringkasan")))
    sheet.row([gettext("Periode"), data.period.name])
    sheet.row([gettext("Dibuat pada"), data.generated_at], formats={1: DATETIME_FORMAT})
    sheet.row([gettext("Dibuat oleh"), data.generated_by])
    sheet.blank()

    # The same three indexes and coverage as the results page, from the same period.results().
    results = data.results
    total = results.coverage.total
    sheet.section(gettext("Indeks pencapaian"))
    sheet.row(["", gettext("Indeks"), None, gettext("Nilai")])
    for label, scores in [
        (gettext("Indeks resmi (disetujui, skor verifikasi)"), results.official),
        (gettext("Indeks sementara (semua yang dikirim)"), results.provisional),
        (gettext("Indeks penilaian mandiri"), results.self),
    ]:
        sheet.row(["", label, None, round_score(scores.final)], formats={3: SCORE_FORMAT})
    sheet.blank()

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
    sheet.blank()

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
            *_coverage_cells(total),
        ],
        formats=SCORE_ROW_FORMATS,
    )
    sheet.blank()

    sheet.section(gettext("Pilar"))
    sheet.row([gettext("Kode"), gettext("Pilar"), None, *_score_headers()])
    for pillar in data.pillars:
        sheet.row(
            [pillar.code, pillar.name, None, *_score_cells(results, "pillars", pillar.code)],
            formats=SCORE_ROW_FORMATS,
        )
    sheet.blank()

    sheet.section(gettext("Pengisian perangkat daerah menurut status"))
    sheet.row([gettext("Status"), gettext("Jumlah perangkat daerah")])
    counts = defaultdict(int)
    for row in data.progress:
        counts[row.status] += 1
    for status in [NOT_STARTED, *Submission.Status.values]:
        sheet.row([status_label(status), counts[status]])
    sheet.row([gettext("Jumlah"), len(data.progress)])


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
    sheet.table(title_text(data, gettext("Kuesioner")), *columns_and_widths(KUESIONER_COLUMNS))
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
    sheet.table(title_text(data, gettext("Jawaban per OPD")), *columns_and_widths(JAWABAN_COLUMNS))
    formats = {8: SCORE_FORMAT, 9: SCORE_FORMAT}
    revision = gettext("Perlu perbaikan")
    for row in data.answers.iterator(chunk_size=ANSWER_CHUNK):
        notes = [row["revision_note"]] if row["revision_note"] else []
        notes += data.comments.get(row["id"], [])
        status = revision if row["needs_revision"] else status_label(row["submission__status"])
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
                "\n".join(data.evidence.get(row["id"], [])),
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
    (_("Hari terlambat"), 10),
]


def progres_opd(data, sheet):
    sheet.table(title_text(data, gettext("Progres OPD")), *columns_and_widths(PROGRES_COLUMNS))
    for row in data.progress:
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
                row.days_late(data.period),
            ]
        )


QUICK_WIN_COLUMNS = [
    (_("Pilar"), 18),
    (_("Sub-dimensi"), 26),
    (_("Nama program"), 36),
    (_("Deskripsi"), 50),
    (_("Permasalahan RPJMD"), 40),
    (_("Perangkat daerah pengampu"), 24),
    (_("Perangkat daerah pendukung"), 24),
    (_("Status"), 14),
    (_("Tahun mulai"), 10),
    (_("Baru / lanjutan"), 12),
    (_("Target (%)"), 10),
    (_("Capaian (%)"), 10),
    (_("Anggaran (Rp)"), 18),
    (_("Sumber anggaran"), 14),
    (_("Mitra"), 30),
    (_("Pengguna / penerima manfaat"), 14),
    (_("Tautan"), 30),
    (_("Risiko"), 36),
    (_("Mitigasi"), 36),
    (_("Rencana keberlanjutan"), 36),
    (_("Bukti dukung"), 40),
    (_("Catatan penilai"), 40),
]
RUPIAH_FORMAT = "#,##0"


def quick_wins_sheet(data, sheet):
    sheet.table(title_text(data, gettext("Quick Wins")), *columns_and_widths(QUICK_WIN_COLUMNS))
    for qw in data.quick_wins:
        sheet.row(
            [
                qw.pillar.name,
                qw.subdimension.name if qw.subdimension else None,
                qw.name,
                qw.description,
                qw.rpjmd_problem,
                qw.agency.name,
                ", ".join(sorted(data.supporting.get(qw.pk, []))),
                qw.get_status_display(),
                qw.start_year,
                gettext("Baru") if qw.is_new else gettext("Lanjutan"),
                qw.target_pct,
                qw.achievement_pct,
                qw.budget,
                qw.get_budget_source_display(),
                qw.partners,
                qw.users_reached,
                qw.url,
                qw.risks,
                qw.mitigation,
                qw.sustainability_plan,
                "\n".join(data.quick_win_evidence.get(qw.pk, [])),
                qw.assessor_notes,
            ],
            formats={12: RUPIAH_FORMAT},
        )


def dataset_sheet(kind):
    """The sheet of one data set: its rows with the columns of its upload template, then the
    derived figures of its page (e.g. jalan mantap km and %)."""
    spec = SPECS[kind]
    labels = {c.field: dict(c.choices.choices) for c in spec.columns if c.type == "choice"}

    def write(data, sheet):
        rows = data.datasets[kind]
        headers = [gettext("Perangkat daerah"), *(c.header for c in spec.columns)]
        widths = [22, *(max(12, min(40, len(c.header) + 4)) for c in spec.columns)]
        sheet.table(title_text(data, str(spec.label)), headers, widths)
        fields = [c.field if c.type != "kecamatan" else "kecamatan__name" for c in spec.columns]
        for row in rows.order_by("agency__name", "pk").values("agency__abbreviation", *fields).iterator():
            values = [row["agency__abbreviation"]]
            for column, name in zip(spec.columns, fields, strict=True):
                value = row[name]
                if column.type == "choice":
                    value = str(labels[column.field].get(value, value))
                elif column.type == "bool" and value is not None:
                    value = gettext("Ya") if value else gettext("Tidak")
                values.append(value)
            sheet.row(values)
        for figure in spec.figures(rows):
            sheet.blank()
            sheet.section(figure["title"])
            sheet.row([str(h) for h in figure["headers"]])
            for figure_row in figure["rows"]:
                sheet.row(list(figure_row))

    return write


SURVEY_COLUMNS = [
    (_("Tingkat"), 12),
    (_("Pilar"), 18),
    (_("Sub-dimensi"), 30),
    (_("Kode"), 10),
    (_("Pernyataan"), 60),
    (_("Rata-rata (0–4)"), 11),
    (_("Rata-rata sebelum pengecualian"), 13),
    (_("Responden dihitung"), 11),
    (_("Responden semua"), 11),
    (_("Responden dikeluarkan"), 12),
    (_("Memberi nilai"), 10),
    (_("Belum pernah menggunakan"), 12),
]
SURVEY_FORMATS = {5: SCORE_FORMAT, 6: SCORE_FORMAT}


def survei_dampak(data, sheet):
    """The impact survey's aggregates: each pillar, its sub-dimensions and their statements with
    the mean after exclusions (and before, to show what cleaning changed) and the respondents
    before and after exclusions; for a statement, who scored it and who never used the programme
    (after exclusions). The same numbers as the results page (surveys.survey_results)."""
    sheet.table(title_text(data, gettext("Survei Dampak")), *columns_and_widths(SURVEY_COLUMNS))
    survey = data.survey
    names = {p.code: p.name for p in data.pillars}

    def group_row(level, pillar, sub, group):
        sheet.row(
            [
                level,
                pillar,
                sub,
                group.code,
                None,
                round_score(group.mean),
                round_score(group.mean_before),
                group.respondents.kept,
                group.respondents.total,
                group.respondents.excluded,
                None,
                None,
            ],
            formats=SURVEY_FORMATS,
        )

    for code, pillar in survey.pillars.items():
        pillar_name = names.get(code) or pillar.name
        group_row(gettext("Pilar"), pillar_name, None, pillar)
        for sub in pillar.subdimensions:
            group_row(gettext("Sub-dimensi"), pillar_name, sub.name, sub)
            for statement in sub.statements:
                tally = statement.tally
                kept = tally.kept_scored + tally.kept_never
                total = tally.all_scored + tally.all_never
                sheet.row(
                    [
                        gettext("Pernyataan"),
                        pillar_name,
                        sub.name,
                        tally.code,
                        tally.text,
                        round_score(statement.mean),
                        round_score(statement.mean_before),
                        kept,
                        total,
                        total - kept,
                        tally.kept_scored,
                        tally.kept_never,
                    ],
                    formats=SURVEY_FORMATS,
                )


RESPONDEN_COLUMNS = [
    (_("No."), 7),
    (_("Formulir"), 10),
    (_("Pilar"), 18),
    (_("Sub-dimensi"), 28),
    (_("Enumerator"), 20),
    (_("Perangkat daerah enumerator"), 26),
    (_("Dikirim pada"), 18),
    (_("Durasi (detik)"), 10),
    (_("Usia"), 16),
    (_("Pekerjaan"), 26),
    (_("Kecamatan"), 18),
    (_("Penggunaan program"), 44),
    (_("Dikeluarkan"), 11),
    (_("Alasan dikeluarkan"), 36),
]


def responden(data, sheet):
    """One row per response, in form order: where it came from, the respondent's profile and
    programme use, every statement's score ("belum pernah" for "never used", empty when the
    statement is not on the response's form), and the coordinator's exclusion. No contact data:
    the app stores none in clear, and its keyed hashes are left out too."""
    statements = data.survey.statements
    headers, widths = columns_and_widths(RESPONDEN_COLUMNS)
    headers += [s.tally.code for s in statements]
    widths += [9] * len(statements)
    sheet.table(title_text(data, gettext("Responden")), headers, widths)
    age_bands = dict(SurveyResponse.AgeBand.choices)
    occupations = dict(SurveyResponse.Occupation.choices)
    never = gettext("belum pernah")
    for number, row in enumerate(data.responses.iterator(chunk_size=ANSWER_CHUNK), start=1):
        ratings = data.ratings.get(row["id"], {})
        scores = []
        for statement in statements:
            if statement.tally.id not in ratings:
                scores.append(None)
            else:
                score = ratings[statement.tally.id]
                scores.append(never if score is None else score)
        excluded = row["excluded_at"] is not None
        sheet.row(
            [
                number,
                row["form__subdimension__code"] or row["form__pillar__code"],
                row["form__pillar__name"],
                row["form__subdimension__name"],
                row["enumerator__name"],
                row["enumerator__agency__name"],
                row["submitted_at"],
                round((row["submitted_at"] - row["started_at"]).total_seconds()),
                str(age_bands.get(row["age_band"], row["age_band"])),
                str(occupations.get(row["occupation"], row["occupation"])),
                row["kecamatan__name"],
                "; ".join(data.uses.get(row["id"], [])),
                gettext("Ya") if excluded else gettext("Tidak"),
                row["exclusion_reason"] if excluded else None,
                *scores,
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
        book = WorkbookWriter()
        for done, (name, write_sheet) in enumerate(SHEETS):
            if progress:
                progress(done, len(SHEETS) + 1, str(name))
            sheet = book.sheet(name)
            write_sheet(data, sheet)
            sheet.finish()
        if progress:
            progress(len(SHEETS), len(SHEETS) + 1, gettext("Menyimpan berkas"))
        book.save(target)


def export_period(period, target, generated_by="", progress=None):
    write_workbook(load(period, generated_by), target, progress)


def workbook_filename(period):
    return f"evaluasi-smart-city-{period.year}-tahap-{period.stage}.xlsx"


__all__ = ["SHEETS", "EvaluationData", "export_period", "load", "workbook_filename", "write_workbook"]
