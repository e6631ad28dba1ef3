"""The evaluation workbook's impact-survey sheets (excel/workbook.py lists the sheets): Survei
Dampak (the means per pillar, sub-dimension and statement) and Responden (one row per response),
and what they read of the period, never contact data or hashes.
"""

from collections import defaultdict

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import ProgrammeUse, SurveyRating, SurveyResponse
from ..scoring import round_score
from ..surveys import survey_results
from .writer import SCORE_FORMAT, columns_and_widths

# Responses are streamed in chunks of this size, so they are never all in memory.
RESPONSE_CHUNK = 2000


def survey_data(period):
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
    sheet.table(data.title(gettext("Survei Dampak")), *columns_and_widths(SURVEY_COLUMNS))
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
    sheet.table(data.title(gettext("Responden")), headers, widths)
    age_bands = dict(SurveyResponse.AgeBand.choices)
    occupations = dict(SurveyResponse.Occupation.choices)
    never = gettext("belum pernah")
    for number, row in enumerate(data.responses.iterator(chunk_size=RESPONSE_CHUNK), start=1):
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
