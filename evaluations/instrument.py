"""The rules of bringing a period's instrument in line with a file: compare, import, apply.

The file itself (its sheets, columns and messages) is excel/instrument.py: `read_instrument(file)`
gives an InstrumentPlan, valid or not, without writing anything. Here:

    diff = compare_instrument(plan, period)      # the dry run: what would change, what answers refuse
    diff = import_instrument(plan, period, by=user, file_name="instrumen.xlsx")
    job = apply_dry_run(dry_run_job, by=user)    # the dry run's very file, applied by a new job

`compare_instrument` is the difference between the file and the period's instrument, with the
changes that the period's answers forbid; `import_instrument` applies it in one transaction,
updating rows in place, and records it (InstrumentChange). The rule for a period with answers is
compare_instrument's docstring.
"""

import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import jobs
from .instrument_diff import ADDED, CHANGED, REMOVED, Change, CurrentInstrument, InstrumentDiff, Refusal
from .models import (
    Answer,
    AnswerOption,
    Assignment,
    Dimension,
    Indicator,
    InstrumentChange,
    Job,
    NationalPeriod,
    Question,
    ScoreBand,
    SurveyStatement,
)
from .models.instrument import format_number

T = Question.AnswerType
QUESTION_FIELDS = [
    "indicator",
    "text",
    "help_text",
    "answer_type",
    "unit",
    "pillar",
    "subdimension",
    "required",
    "evidence_required",
    "whole_number",
    "from_impact_survey",
    "order",
]
STATEMENT_FIELDS = ["subdimension", "text", "order"]


def _impact_flag(row, old):
    """The question's impact flag after the import: the file's, or, when the file has no
    survei_dampak column, the period's (False for a new question)."""
    if row["from_impact_survey"] is not None:
        return row["from_impact_survey"]
    return bool(old and old.from_impact_survey)


def _label(model, name):
    if model is Question and name == "text":
        return str(capfirst(Answer._meta.get_field("text_value").verbose_name))  # "Teks"
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _shown(value):
    """A value as the difference shows it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Ya") if value else _("Tidak"))
    if isinstance(value, Decimal | int):
        return format_number(value)
    return str(value)


def _option_rows(plan, row):
    return [
        {**option, "order": order}
        for order, option in enumerate(plan.option_lists.get(row["options"], []) if row["options"] else [])
    ]


def _band_key(bands):
    return sorted((b["min"], b["max"], b["score"]) for b in bands)


def _bands_of(question):
    """A saved question's score bands as _band_key compares them."""
    return _band_key({"min": b.min_value, "max": b.max_value, "score": b.score} for b in question.bands.all())


def _compare_options(question, new_options, fields, reasons, chosen, current):
    old = {o.value: o for o in question.options.all()}
    new = {o["value"]: o for o in new_options}
    option_label = capfirst(AnswerOption._meta.verbose_name)
    for value, option in old.items():
        if value not in new:
            fields.append((f'{option_label} "{value}"', f"{option.label} ({_shown(option.score)})", ""))
            if option.pk in chosen:
                reasons.append(_('opsi "%(value)s" dihapus, padahal dipilih dalam jawaban') % {"value": value})
            continue
        wanted = new[value]
        for name, attribute in (("label", "label"), ("score", "score"), ("order", "order")):
            before, after = current.value(option, attribute), wanted[attribute]
            if before != after:
                fields.append(
                    (f'{option_label} "{value}": {_label(AnswerOption, name)}', _shown(before), _shown(after))
                )
        if option.score != wanted["score"] and option.pk in chosen:
            reasons.append(
                _('skor opsi "%(value)s" diubah (%(old)s → %(new)s), padahal dipilih dalam jawaban')
                % {"value": value, "old": _shown(option.score), "new": _shown(wanted["score"])}
            )
    for value, option in new.items():
        if value not in old:
            fields.append((f'{option_label} "{value}"', "", f"{option['label']} ({_shown(option['score'])})"))


def _band_text(bands):
    return "; ".join(f"[{_shown(low)}, {_shown(high) or '∞'}) → {_shown(score)}" for low, high, score in bands)


def compare_instrument(plan, period):
    """The difference between a valid plan and the period's instrument, and what the period's
    answers refuse of it. Rows are matched by code (options by value within their question).

    The rule, also shown on the instrument page: a change is accepted when it leaves every existing
    answer attached to the same question and meaning the same. Accepted: texts, help texts, units,
    option labels (level descriptors), orders, the evidence and required flags, dimension names
    and weights, indicators, new questions and options, and removing questions or options nobody
    answered or chose. Refused, for a question that has answers: removing it, changing its answer
    type, removing or re-scoring an option an answer chose (its stored self score was derived from
    it), changing its score bands (the same), and taking it away from an agency that answered it
    (a pillar or "opd" change). One refusal refuses the whole file (import_instrument), listing the
    questions: applying half of it would leave an instrument that matches neither the file nor the
    old one.

    Reads a fixed number of queries (CurrentInstrument), never one per question or answer."""
    current = CurrentInstrument(period)
    diff = InstrumentDiff(period=period, plan=plan, current=current)
    diff.answered_questions = len(current.answering_agencies)
    _compare_dimensions(plan, current, diff)
    _compare_indicators(plan, current, diff)
    _compare_questions(plan, current, diff)
    if plan.statements is not None:
        _compare_statements(plan, current, diff)
    diff.refusals.sort(key=lambda refusal: refusal.code)
    return diff


def _compare_dimensions(plan, current, diff):
    for row in plan.dimensions:
        old = current.dimensions.get(row["code"])
        if old is None:
            diff.changes.append(Change(Dimension, row["code"], ADDED))
            continue
        fields = [
            (_label(Dimension, name), _shown(current.value(old, name)), _shown(row[name]))
            for name in ("name", "weight", "order")
            if current.value(old, name) != row[name]
        ]
        if fields:
            diff.changes.append(Change(Dimension, row["code"], CHANGED, fields))
    planned = {row["code"] for row in plan.dimensions}
    diff.changes += [Change(Dimension, code, REMOVED) for code in current.dimensions if code not in planned]


def _compare_indicators(plan, current, diff):
    dimension_codes = {d.pk: code for code, d in current.dimensions.items()}
    for row in plan.indicators:
        old = current.indicators.get(row["code"])
        if old is None:
            diff.changes.append(Change(Indicator, row["code"], ADDED))
            continue
        fields = [
            (_label(Indicator, name), _shown(before), _shown(row[name]))
            for name, before in (
                ("dimension", dimension_codes[old.dimension_id]),
                ("name", old.name),
                ("order", current.value(old, "order")),
            )
            if before != row[name]
        ]
        if fields:
            diff.changes.append(Change(Indicator, row["code"], CHANGED, fields))
    planned = {row["code"] for row in plan.indicators}
    diff.changes += [Change(Indicator, code, REMOVED) for code in current.indicators if code not in planned]


def _compare_questions(plan, current, diff):
    for row in plan.questions:
        old = current.questions.get(row["code"])
        if old is None:
            diff.changes.append(Change(Question, row["code"], ADDED))
            continue
        fields, reasons = _compare_question(old, row, plan, current)
        if fields:
            diff.changes.append(Change(Question, row["code"], CHANGED, fields))
        if reasons:
            diff.refusals.append(Refusal(row["code"], reasons))
    planned = {row["code"] for row in plan.questions}
    for code, old in current.questions.items():
        if code in planned:
            continue
        diff.changes.append(Change(Question, code, REMOVED))
        if old.pk in current.answering_agencies:
            diff.refusals.append(Refusal(code, [_("dihapus, padahal sudah dijawab")]))


def _compare_statements(plan, current, diff):
    """Statements are matched by code. A rated statement may change its text or order, never its
    sub-dimension nor go away: its ratings would count for another programme, or be orphaned."""
    for row in plan.statements:
        old = current.statements.get(row["code"])
        if old is None:
            diff.changes.append(Change(SurveyStatement, row["code"], ADDED))
            continue
        fields = [
            (_label(SurveyStatement, name), _shown(before), _shown(after))
            for name, before, after in (
                ("subdimension", old.subdimension.code, row["subdimension"].code),
                ("text", old.text, row["text"]),
                ("order", old.order, row["order"]),
            )
            if before != after
        ]
        if fields:
            diff.changes.append(Change(SurveyStatement, row["code"], CHANGED, fields))
        if old.rated and old.subdimension_id != row["subdimension"].pk:
            diff.refusals.append(
                Refusal(row["code"], [_("dipindah ke sub-dimensi lain, padahal sudah dinilai responden")])
            )
    planned = {row["code"] for row in plan.statements}
    for code, old in current.statements.items():
        if code not in planned:
            diff.changes.append(Change(SurveyStatement, code, REMOVED))
            if old.rated:
                diff.refusals.append(Refusal(code, [_("dihapus, padahal sudah dinilai responden")]))


def _compare_question(old, row, plan, current):
    """(fields changed, reasons to refuse) for one question in both the file and the period."""
    fields, reasons = [], []
    answered = old.pk in current.answering_agencies
    before = {
        "indicator": old.indicator.code,
        "pillar": old.pillar.code if old.pillar else "",
        "subdimension": old.subdimension.code if old.subdimension else "",
    }
    after = {
        "from_impact_survey": _impact_flag(row, old),
        "indicator": row["indicator"],
        "pillar": row["pillar"].code if row["pillar"] else "",
        "subdimension": row["subdimension"].code if row["subdimension"] else "",
    }
    for name in QUESTION_FIELDS:
        old_value = before[name] if name in before else current.value(old, name)
        new_value = after[name] if name in after else row[name]
        if old_value != new_value:
            if name == "answer_type":
                old_value, new_value = T(old_value).label, T(new_value).label
            fields.append((_label(Question, name), _shown(old_value), _shown(new_value)))
    if answered and old.answer_type != row["answer_type"]:
        reasons.append(
            _("jenis jawaban diubah (%(old)s → %(new)s), padahal sudah dijawab")
            % {"old": T(old.answer_type).label, "new": T(row["answer_type"]).label}
        )
    chosen = current.chosen_options.get(old.pk, set())
    _compare_options(old, _option_rows(plan, row), fields, reasons, chosen, current)
    old_bands = _bands_of(old)
    new_bands = _band_key(plan.bands.get(row["code"], []))
    if old_bands != new_bands:
        fields.append((capfirst(ScoreBand._meta.verbose_name_plural), _band_text(old_bands), _band_text(new_bands)))
        if answered and old.uses_bands:
            reasons.append(_("rentang skor diubah, padahal skor jawaban yang ada dihitung darinya"))
    old_agencies = set(current.question_assignments.get(old.pk, {}))
    new_agencies = {agency.pk for agency in row["agencies"]}
    if old_agencies != new_agencies:
        names = {**current.agency_names, **{a.pk: a.abbreviation for a in row["agencies"]}}
        fields.append(
            (
                capfirst(Assignment._meta.get_field("agency").verbose_name),
                ", ".join(sorted(names[a] for a in old_agencies)),
                ", ".join(sorted(names[a] for a in new_agencies)),
            )
        )
    if answered:
        was = current.assigned_agencies(old.pk, old.pillar_id, old_agencies)
        will_be = current.assigned_agencies(old.pk, row["pillar"].pk if row["pillar"] else None, new_agencies)
        left_out = (current.answering_agencies[old.pk] & was) - will_be
        if left_out:
            reasons.append(
                _("%(agencies)s sudah menjawab, tetapi tidak lagi ditugasi pertanyaan ini")
                % {"agencies": ", ".join(sorted(current.agency_names[a] for a in left_out))}
            )
    return fields, reasons


class InstrumentImportRefused(Exception):
    """The file would orphan or reinterpret answers (`diff.refusals` lists the questions), or it
    would no longer change what its dry run showed (`message` says so)."""

    def __init__(self, diff, message=None):
        super().__init__(
            message
            or _("Perubahan instrumen ditolak: %(n)s pertanyaan yang sudah dijawab terdampak.")
            % {"n": len(diff.refusals)}
        )
        self.diff = diff
        self.message = str(self)


def fingerprint(diff):
    """What a difference changes, as a short hash: the import applied from a dry run checks that
    it applies exactly what the admin confirmed (in one language, whoever asks)."""
    with translation.override("id"):
        return hashlib.sha256(diff.summary().encode()).hexdigest()


def can_apply(diff):
    return not diff.is_empty and not diff.is_refused


def apply_dry_run(dry_run, by):
    """Queue the import of the file a finished dry run checked (kept for this, see
    tasks.import_instrument_file), expecting the difference it showed; None when there is nothing
    to apply (no changes, refused, or already applied). The dry run hands its file over with one
    conditional update, so that two clicks apply it once."""
    name = dry_run.file.name
    params = dry_run.parameters
    if not (name and dry_run.is_done and params.get("dry_run") and params.get("expected")):
        return None
    with transaction.atomic():
        if not Job.objects.filter(pk=dry_run.pk, file=name).update(file=""):
            return None
        job = Job.objects.create(
            kind=Job.Kind.INSTRUMENT_IMPORT,
            key=f"apply-{dry_run.pk}",
            file=name,
            requested_by=by,
            period=dry_run.period,
            parameters={**params, "dry_run": False, "from_dry_run": dry_run.pk},
        )
    jobs.enqueue(job)
    return job


def import_instrument(plan, period, by=None, file_name="", expected=None):
    """Bring the period's instrument in line with a valid plan and record the change
    (InstrumentChange). Returns the InstrumentDiff applied (empty when the file changes nothing:
    then nothing is written). Raises InstrumentImportRefused when answers forbid it (the rule
    above), or when `expected` (a dry run's `fingerprint`) is given and the file would now change
    something else than its dry run showed (the instrument was changed in between).

    One transaction, and rows are updated in place, matched by code (options by value within
    their question), so answers stay attached to the same primary keys; the period row is locked
    so that two imports into one period run one after the other."""
    if not plan.is_valid:
        raise ValueError("the plan has errors")
    with transaction.atomic():
        # The instrument is the national period's: two imports into it, from any region, queue.
        list(NationalPeriod.objects.select_for_update().filter(pk=period.national_id))
        diff = compare_instrument(plan, period)
        if diff.is_refused:
            raise InstrumentImportRefused(diff)
        if expected and fingerprint(diff) != expected:
            raise InstrumentImportRefused(
                diff,
                _(
                    "Instrumen periode ini berubah sejak uji coba, sehingga berkas kini mengubah hal lain dari "
                    "yang ditampilkan. Tidak ada yang disimpan. Periksa perbedaan terbaru di bawah, lalu "
                    "unggah berkas itu lagi dengan uji coba."
                ),
            )
        if diff.is_empty:
            return diff
        _apply(plan, period, diff.current)
        InstrumentChange.objects.create(
            national_id=period.national_id,
            actor=by,
            file_name=file_name[:200],
            headline=diff.headline(),
            summary=diff.summary(),
        )
    return diff


def _differs(instance, name, value):
    """Whether a field must be written; a related row is compared by key, without loading it."""
    field = instance._meta.get_field(name)
    if field.is_relation:
        return getattr(instance, field.attname) != (None if value is None else value.pk)
    return getattr(instance, name) != value


def _save(model, existing, wanted, names):
    """Update `existing` (code -> instance) from `wanted` (code -> values) in place, create the
    missing ones; returns code -> instance. Two queries at most."""
    changed, created = [], []
    for code, values in wanted.items():
        instance = existing.get(code)
        if instance is None:
            created.append(model(code=code, **values))
            continue
        if any(_differs(instance, name, values[name]) for name in names):
            for name in names:
                setattr(instance, name, values[name])
            changed.append(instance)
    if changed:
        model.objects.bulk_update(changed, names)
    saved = {code: existing[code] for code in wanted if code in existing}
    saved.update({instance.code: instance for instance in model.objects.bulk_create(created)})
    return saved


def _apply(plan, period, current):
    """Write a compared plan over the period's instrument: rows matched by code are updated in
    place, the missing ones created, the ones the file no longer has deleted."""
    dimensions = _save(
        Dimension,
        current.dimensions,
        {
            d["code"]: {
                "national_id": period.national_id,
                "name": d["name"],
                "weight": d["weight"],
                "order": d["order"],
            }
            for d in plan.dimensions
        },
        ["name", "weight", "order"],
    )
    indicators = _save(
        Indicator,
        current.indicators,
        {
            i["code"]: {"dimension": dimensions[i["dimension"]], "name": i["name"], "order": i["order"]}
            for i in plan.indicators
        },
        ["dimension", "name", "order"],
    )
    question_values = {}
    for q in plan.questions:
        question_values[q["code"]] = {
            "indicator": indicators[q["indicator"]],
            **{name: q[name] for name in QUESTION_FIELDS if name != "indicator"},
            "from_impact_survey": _impact_flag(q, current.questions.get(q["code"])),
        }
    questions = _save(Question, current.questions, question_values, QUESTION_FIELDS)
    _apply_options(plan, current, questions)
    _apply_bands(plan, current, questions)
    _apply_assignments(plan, period, current, questions)

    # Last, once questions have moved to their new indicators and indicators to their new dimensions.
    _delete_missing(Question, current.questions, questions)
    _delete_missing(Indicator, current.indicators, indicators)
    _delete_missing(Dimension, current.dimensions, dimensions)

    if plan.statements is not None:
        statements = _save(
            SurveyStatement,
            current.statements,
            {
                s["code"]: {
                    "national_id": period.national_id,
                    "subdimension": s["subdimension"],
                    "text": s["text"],
                    "order": s["order"],
                }
                for s in plan.statements
            },
            STATEMENT_FIELDS,
        )
        # Only unrated ones can be missing from the file (a rated one refuses the import).
        _delete_missing(SurveyStatement, current.statements, statements)


def _delete_missing(model, existing, kept):
    """Delete the rows of `existing` (code -> instance) whose code is not in `kept`."""
    model.objects.filter(pk__in=[instance.pk for code, instance in existing.items() if code not in kept]).delete()


def _apply_options(plan, current, questions):
    """Bring each question's options in line with its list in the file, matched by value."""
    changed, created, removed = [], [], []
    for row in plan.questions:
        old_question = current.questions.get(row["code"])
        old_options = {o.value: o for o in old_question.options.all()} if old_question else {}
        new_options = {o["value"]: o for o in _option_rows(plan, row)}
        for value, option in old_options.items():
            if value not in new_options:
                removed.append(option.pk)
                continue
            wanted = new_options[value]
            if (option.label, option.score, option.order) != (wanted["label"], wanted["score"], wanted["order"]):
                option.label, option.score, option.order = wanted["label"], wanted["score"], wanted["order"]
                changed.append(option)
        created += [
            AnswerOption(question=questions[row["code"]], **option)
            for value, option in new_options.items()
            if value not in old_options
        ]
    # Removed before the new ones are created: an option's value is unique within its question.
    AnswerOption.objects.filter(pk__in=removed).delete()
    AnswerOption.objects.bulk_update(changed, ["label", "score", "order"])
    AnswerOption.objects.bulk_create(created)


def _apply_bands(plan, current, questions):
    """Replace a question's score bands as a whole where they differ from the file's."""
    replaced, created = [], []
    for row in plan.questions:
        question = questions[row["code"]]
        old_question = current.questions.get(row["code"])
        new_bands = plan.bands.get(row["code"], [])
        if (_bands_of(old_question) if old_question else []) == _band_key(new_bands):
            continue
        if old_question:
            replaced.append(question.pk)
        created += [
            ScoreBand(question=question, min_value=b["min"], max_value=b["max"], score=b["score"]) for b in new_bands
        ]
    ScoreBand.objects.filter(question_id__in=replaced).delete()
    ScoreBand.objects.bulk_create(created)


def _apply_assignments(plan, period, current, questions):
    """The agencies named in a question's "opd" cell; assignments by pillar are not the file's."""
    created, removed = [], []
    for row in plan.questions:
        question = questions[row["code"]]
        old_question = current.questions.get(row["code"])
        old_assignments = current.question_assignments.get(question.pk, {}) if old_question else {}
        new_agencies = {agency.pk: agency for agency in row["agencies"]}
        removed += [a.pk for agency_id, a in old_assignments.items() if agency_id not in new_agencies]
        created += [
            Assignment(period=period, agency=agency, question=question)
            for agency_id, agency in new_agencies.items()
            if agency_id not in old_assignments
        ]
    Assignment.objects.filter(pk__in=removed).delete()
    Assignment.objects.bulk_create(created)
