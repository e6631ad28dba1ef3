"""The region's evaluation report (Laporan Hasil Evaluasi, DESIGN §3): what the ministry's letter to
each region holds, from the regency's own evaluation, plus the per-question table and the Kekuatan /
Kelemahan / Rekomendasi that people write on the report notes page.

    data = report_data(period, generated_by="Rina")   # a fixed number of queries
    pdf.report.write_report(data, "laporan.pdf")       # the A4 document (WeasyPrint)

Every figure comes from results.for_index, the very function behind /hasil/, so the report and the
results page cannot disagree. A figure that nothing counts towards is "belum ada data", never a
zero: the ministry's rule counts an unanswered question as 0 inside a mean, but a pillar with no
approved answer at all has no official score to report.

Suggestions (`suggestions`) are starting points computed from the same data (the strongest and
weakest sub-dimensions, unanswered questions, late agencies). They are shown beside the fields of
the notes page; the report prints only what a person saved (models.ReportNote).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pillars.models import Pillar, SubDimension

from . import charts, national, scoring
from .completion import agency_completion
from .models import Answer, EvaluationPeriod, Question, QuickWin, Region, ReportNote, ReviewComment, Submission
from .results import for_index
from .scoring import Coverage

HANDED_IN = [Submission.Status.SUBMITTED, Submission.Status.APPROVED]
# A question answered by many agencies: its most frequent answers and notes, then how many more.
ANSWERS_SHOWN = 3
NOTES_SHOWN = 3
INSTRUMENT_ORDER = ["indicator__dimension__order", "indicator__dimension__code", "indicator__order", "order", "code"]
KINDS = ("official", "provisional", "self")
# The scope of the notes that is not a pillar: the region as a whole.
OVERALL = "UMUM"


def region_rank(period):
    """The rank of the period's region by official index among the regions of its province and of
    the nation evaluated in the same national period (national.region_rows: ties share a rank), as
    {"province": (rank, count), "nation": (rank, count)}, counting the ranked regions. None where
    there is nothing to rank against (a single-region deployment) or the region has no official
    index yet: the report then leaves the rank out."""
    if Region.objects.evaluated().count() < 2:
        return None
    rows = national.region_rows(period.national, Region.objects.evaluated())
    ranked = [row for row in rows if row.national_rank is not None]
    own = next((row for row in ranked if row.region.pk == period.region_id), None)
    if own is None:
        return None
    in_province = [row for row in ranked if row.region.province_id == own.region.province_id]
    return {"province": (own.province_rank, len(in_province)), "nation": (own.national_rank, len(ranked))}


@dataclass
class Scope:
    """One block of Kekuatan / Kelemahan / Rekomendasi: a pillar, or the region as a whole."""

    key: str  # pillar code, or OVERALL
    name: str
    pillar: object = None
    notes: dict = field(default_factory=dict)  # kind -> the newest ReportNote
    suggestions: dict = field(default_factory=dict)  # kind -> suggested text


def report_data(period, generated_by="", today=None):
    """Everything the report shows, read with a fixed number of queries whatever the size of the
    period (the answers are read as plain values, once)."""
    periods = list(EvaluationPeriod.objects.all())
    figures = for_index(period, periods)
    result = figures["result"]
    questions = _question_rows(period, result)
    completion = agency_completion(period)
    pillars = [row["pillar"] for row in figures["pillar_rows"]]
    subdimensions = _subdimension_rows(pillars, questions, result)
    scopes = notes_scopes(period, pillars, questions, subdimensions, completion, today)
    coverage = figures["coverage"]
    before = figures["before"]
    dimension_rows = [_counted_row(row) for row in figures["dimension_rows"]]
    previous_final = before.official.final if before and before.coverage.total.approved else None
    return {
        **figures,
        "region_name": region_name(period),
        "finals": {
            "official": counted(result.official.final, coverage.approved),
            "provisional": counted(result.provisional.final, coverage.answered),
            "self": counted(result.self.final, coverage.answered),
        },
        "previous_final": previous_final,
        "change": scoring.change(result.official.final, previous_final) if coverage.approved else None,
        "dimension_rows": dimension_rows,
        **_charts(dimension_rows, subdimensions),
        "survey_rows": _counted_survey_rows(figures["survey_rows"], subdimensions),
        "note_kinds": ReportNote.Kind.choices,
        "generated_at": timezone.now(),
        "generated_by": generated_by,
        "rank": region_rank(period),
        "has_approved": coverage.approved > 0,
        "coverage_sentences": coverage_sentences(coverage),
        "pillar_blocks": subdimensions,
        "questions": questions,
        "quick_wins": _quick_wins(period, pillars),
        "scopes": scopes,
        "late_agencies": [row for row in completion if row.is_overdue(period, today)],
    }


def region_name(period):
    """The name of the period's region, as the report's cover and footer show it."""
    return period.region.name


def _counted_row(row):
    """A row of results.for_index (a dimension's) with "belum ada data" where nothing counts."""
    coverage = row["coverage"]
    return {
        **row,
        "official": counted(row["official"], coverage.approved),
        "provisional": counted(row["provisional"], coverage.answered),
        "self": counted(row["self"], coverage.answered),
    }


def _charts(dimension_rows, blocks):
    """The bars per evaluation dimension (three indexes) and per pillar (official and provisional),
    with nothing drawn ("–") where nothing counts."""
    names = [_("Indeks resmi"), _("Indeks sementara"), _("Penilaian mandiri")]
    return {
        "dimension_chart": charts.bar_chart(
            [f"{row['dimension'].code}. {row['dimension'].name}" for row in dimension_rows],
            [
                charts.Series(name, [row[kind] for row in dimension_rows])
                for name, kind in zip(names, KINDS, strict=True)
            ],
            title=_("Skor per dimensi evaluasi"),
        ),
        "pillar_chart": charts.bar_chart(
            [block["pillar"].name for block in blocks],
            [
                charts.Series(name, [block[kind] for block in blocks])
                for name, kind in zip(names[:2], KINDS[:2], strict=True)
            ],
            title=_("Indeks resmi dan sementara per pilar"),
        ),
    }


def _counted_survey_rows(rows, blocks):
    """The survey table's rows of results.for_index, with the official and self scores of the same
    pillar or sub-dimension as the report's tables show them."""
    shown = {}
    for block in blocks:
        shown[block["pillar"].name] = block
        for row in block["subdimensions"]:
            shown[row["subdimension"].name] = row
    counted_rows = []
    for row in rows:
        figures = shown.get(row["name"])
        counted_rows.append({**row, "official": figures["official"], "self": figures["self"]} if figures else row)
    return counted_rows


def coverage_sentences(coverage):
    """What each index is computed from, as the ministry's letter says it."""
    return {
        "official": _("dihitung dari %(n)s dari %(of)s pertanyaan yang disetujui")
        % {"n": coverage.approved, "of": coverage.assigned},
        "provisional": _("dihitung dari %(n)s dari %(of)s pertanyaan yang dijawab")
        % {"n": coverage.answered, "of": coverage.assigned},
        "self": _("dihitung dari %(n)s dari %(of)s pertanyaan yang dijawab")
        % {"n": coverage.answered, "of": coverage.assigned},
    }


def counted(value, count):
    """A score, or None when nothing counts towards it (the report then says "belum ada data")."""
    return value if count else None


# --- per question ------------------------------------------------------------------------------
def _question_rows(period, result):
    """Every question of the instrument in questionnaire order with its consolidated answer (the
    handed-in answers grouped by value, the most frequent first), its official and self scores
    and the verifiers' notes the agencies may read. Three queries."""
    answers, notes = defaultdict(Counter), defaultdict(list)
    rows = Answer.objects.filter(submission__period=period, submission__status__in=HANDED_IN).values_list(
        "question_id", "option__label", "bool_value", "number_value", "text_value", "date_value", "revision_note"
    )
    for qid, label, boolean, number, text, day, revision_note in rows.iterator(chunk_size=2000):
        value = _answer_text(label, boolean, number, text, day)
        if value:
            answers[qid][value] += 1
        if revision_note:
            notes[qid].append(revision_note)
    comments = ReviewComment.objects.filter(
        answer__submission__period=period,
        answer__submission__status__in=HANDED_IN,
        visibility=ReviewComment.Visibility.AGENCY,
    ).order_by("created_at", "pk")
    for qid, body in comments.values_list("answer__question_id", "body"):
        notes[qid].append(body)
    questions = []
    for question in (
        Question.objects.for_period(period)
        .order_by(*INSTRUMENT_ORDER)
        .values("id", "code", "text", "pillar__code", "subdimension__code", "answer_type")
    ):
        qid = question["id"]
        tally = result.tallies.get(qid)
        common = answers[qid].most_common()
        questions.append(
            {
                **question,
                "answers": common[:ANSWERS_SHOWN],
                "more_answers": sum(n for _value, n in common[ANSWERS_SHOWN:]),
                "official": counted(result.official.questions.get(qid), tally and tally.official_count),
                "self": counted(result.self.questions.get(qid), tally and tally.self_count),
                "approved": tally.approved if tally else 0,
                "answered": tally.answered if tally else 0,
                "notes": notes[qid][:NOTES_SHOWN],
                "more_notes": max(0, len(notes[qid]) - NOTES_SHOWN),
            }
        )
    return questions


def _answer_text(label, boolean, number, text, day):
    if label is not None:
        return label
    if boolean is not None:
        return _("Ya") if boolean else _("Tidak")
    if number is not None:
        return formats.number_format(number.normalize(), use_l10n=True, force_grouping=True)
    if day is not None:
        return formats.date_format(day, "j F Y")
    return (text or "").strip()


# --- per pillar and sub-dimension --------------------------------------------------------------
def _subdimension_rows(pillars, questions, result):
    """Per pillar its three sub-dimensions, each with the three scores, or None where none of its
    questions has an answer counting in that index."""
    approved, answered = Counter(), Counter()
    for question in questions:
        approved[question["subdimension__code"]] += bool(question["approved"])
        answered[question["subdimension__code"]] += bool(question["answered"])
    by_pillar = defaultdict(list)
    for sub in SubDimension.objects.select_related("pillar").order_by("pillar__order", "order", "code"):
        by_pillar[sub.pillar_id].append(
            {
                "subdimension": sub,
                "official": counted(result.official.subdimensions.get(sub.code), approved[sub.code]),
                "provisional": counted(result.provisional.subdimensions.get(sub.code), answered[sub.code]),
                "self": counted(result.self.subdimensions.get(sub.code), answered[sub.code]),
            }
        )
    blocks = []
    for pillar in pillars:
        coverage = result.coverage.pillars.get(pillar.code) or Coverage()
        blocks.append(
            {
                "pillar": pillar,
                "official": counted(result.official.pillars.get(pillar.code), coverage.approved),
                "provisional": counted(result.provisional.pillars.get(pillar.code), coverage.answered),
                "self": counted(result.self.pillars.get(pillar.code), coverage.answered),
                "coverage": coverage,
                "subdimensions": by_pillar[pillar.pk],
            }
        )
    return blocks


def _quick_wins(period, pillars):
    """The period's established quick wins (the regency agreed on them) per pillar, with status and
    achievement. One query."""
    by_pillar = defaultdict(list)
    rows = (
        QuickWin.objects.established()
        .filter(period=period)
        .select_related("agency", "subdimension")
        .order_by("pillar__order", "name")
    )
    for quick_win in rows:
        by_pillar[quick_win.pillar_id].append(quick_win)
    return [{"pillar": pillar, "quick_wins": by_pillar[pillar.pk]} for pillar in pillars]


# --- Kekuatan, Kelemahan, Rekomendasi -----------------------------------------------------------
def notes_scopes(period, pillars, questions, blocks, completion, today=None):
    """The overall scope and one per pillar, each with its newest saved notes and the suggestions
    computed from the data."""
    current = ReportNote.objects.current(period)
    late = [row for row in completion if row.is_overdue(period, today)]
    unanswered = [q for q in questions if not q["answered"]]
    scopes = [Scope(key=OVERALL, name=_("Umum (seluruh daerah)"))]
    scopes += [Scope(key=pillar.code, name=pillar.name, pillar=pillar) for pillar in pillars]
    for scope in scopes:
        pillar_id = scope.pillar.pk if scope.pillar else None
        scope.notes = {kind: note for (pid, kind), note in current.items() if pid == pillar_id and note.text}
        scope.suggestions = suggestions(scope, blocks, unanswered, late)
    return scopes


def suggestions(scope, blocks, unanswered, late):
    """Starting points for one scope, from the official scores (strongest and weakest
    sub-dimensions), the questions nobody answered and the agencies past the deadline."""
    code = scope.key if scope.pillar else None
    subs = [
        (row["official"], row["subdimension"])
        for block in blocks
        if code in (None, block["pillar"].code)
        for row in block["subdimensions"]
        if row["official"] is not None
    ]
    subs.sort(key=lambda item: (item[0], item[1].code))
    open_questions = [q["code"] for q in unanswered if code in (None, q["pillar__code"])]
    late_names = [row.agency.name for row in late if code is None or code in row.pillars]
    texts = {}
    if subs:
        best, worst = subs[-1], subs[0]
        texts[ReportNote.Kind.STRENGTH] = _("Sub-dimensi terkuat: %(name)s (skor resmi %(score)s).") % {
            "name": best[1].name,
            "score": _score(best[0]),
        }
        texts[ReportNote.Kind.WEAKNESS] = _("Sub-dimensi terlemah: %(name)s (skor resmi %(score)s).") % {
            "name": worst[1].name,
            "score": _score(worst[0]),
        }
    else:
        texts[ReportNote.Kind.WEAKNESS] = _("Belum ada jawaban yang disetujui, sehingga belum ada skor resmi.")
    weakness, advice = [texts.get(ReportNote.Kind.WEAKNESS, "")], []
    if open_questions:
        weakness.append(
            _("%(n)s pertanyaan belum dijawab: %(codes)s.") % {"n": len(open_questions), "codes": _list(open_questions)}
        )
        advice.append(_("Lengkapi jawaban dan bukti dukung pertanyaan yang belum dijawab."))
    if late_names:
        weakness.append(
            _("%(n)s perangkat daerah melewati batas akhir: %(names)s.")
            % {"n": len(late_names), "names": _list(late_names)}
        )
        advice.append(_("Dampingi perangkat daerah yang terlambat sampai pengisiannya dikirim."))
    if subs:
        advice.insert(0, _("Prioritaskan program pada sub-dimensi %(name)s.") % {"name": subs[0][1].name})
    texts[ReportNote.Kind.WEAKNESS] = " ".join(filter(None, weakness))
    texts[ReportNote.Kind.RECOMMENDATION] = " ".join(advice)
    return {kind: text for kind, text in texts.items() if text}


def _score(value):
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def _list(items, limit=10):
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += " " + _("(dan %(n)s lainnya)") % {"n": len(items) - limit}
    return shown


def notes_page(period, today=None):
    """The report notes page: each scope with its newest notes and suggestions, and the history of
    every version written."""
    periods = list(EvaluationPeriod.objects.all())
    figures = for_index(period, periods)
    result = figures["result"]
    questions = _question_rows(period, result)
    pillars = list(Pillar.objects.order_by("order", "code"))
    blocks = _subdimension_rows(pillars, questions, result)
    scopes = notes_scopes(period, pillars, questions, blocks, agency_completion(period), today)
    return {"period": period, "scopes": scopes, "history": list(ReportNote.objects.history(period))}


def scope_pillar(key):
    """The pillar a scope key names (None for OVERALL); Pillar.DoesNotExist for anything else."""
    return None if key == OVERALL else Pillar.objects.get(code=key)


def save_scope(period, key, texts, seen, by):
    """Save one scope's texts (forms.reports.ScopeForm's cleaned data); TransitionError when a
    colleague saved one meanwhile, nothing saved then."""
    return ReportNote.write_scope(period, scope_pillar(key), texts, seen, by)
