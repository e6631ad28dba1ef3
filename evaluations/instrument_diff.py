"""What importing an instrument file would change in a period (the dry run's difference), and
the period's instrument as it is, which the difference is measured against.

`compare_instrument` (instrument.py) fills an InstrumentDiff: a Change per dimension, indicator,
question or impact statement added, changed or removed, and a Refusal per answered question (or
rated statement) the file would orphan or reinterpret. The job that runs a dry run stores
`InstrumentDiff.as_result()`, and the instrument page is rendered from that later.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from .excel.instrument import InstrumentPlan
from .models import (
    AdminChange,
    Answer,
    AnswerOption,
    Assignment,
    Dimension,
    Indicator,
    Question,
    SurveyRating,
    SurveyStatement,
)

ADDED, CHANGED, REMOVED = AdminChange.Action.ADDED, AdminChange.Action.CHANGED, AdminChange.Action.DELETED


@dataclass
class Change:
    """One dimension, indicator or question added, removed or changed; `fields` lists
    (label, old, new) as a person reads them."""

    model: type
    code: str
    action: str
    fields: list = field(default_factory=list)

    @property
    def kind(self):
        return capfirst(self.model._meta.verbose_name)

    @property
    def action_label(self):
        return AdminChange.Action(self.action).label

    def lines(self):
        head = f"{self.kind} {self.code}: {self.action_label}"
        if not self.fields:
            return [head]
        return [head] + [
            f"  {label}: {Truncator(old).chars(80) or '–'} → {Truncator(new).chars(80) or '–'}"
            for label, old, new in self.fields
        ]


@dataclass
class Refusal:
    """An answered question the file would orphan or reinterpret, and why."""

    code: str
    reasons: list


class CurrentInstrument:
    """The period's instrument as it is, with who answered what: a fixed number of queries
    (nine) whatever the number of questions, statements and answers."""

    def __init__(self, period):
        national = period.national_id
        self.dimensions = {d.code: d for d in Dimension.objects.filter(national_id=national)}
        self.indicators = {i.code: i for i in Indicator.objects.filter(dimension__national_id=national)}
        self.questions = {
            q.code: q
            for q in Question.objects.for_period(period)
            .select_related("indicator", "pillar", "subdimension")
            .prefetch_related("options", "bands")
        }
        self.question_assignments = defaultdict(dict)  # question id -> agency id -> Assignment
        self.agency_names = {}
        for assignment in Assignment.objects.filter(period=period, question__isnull=False).select_related("agency"):
            self.question_assignments[assignment.question_id][assignment.agency_id] = assignment
            self.agency_names[assignment.agency_id] = assignment.agency.abbreviation
        # The impact statements, each marked when a respondent has rated it.
        self.statements = {
            s.code: s
            for s in SurveyStatement.objects.filter(national_id=national)
            .select_related("subdimension")
            .annotate(
                rated=models.Exists(SurveyRating.objects.with_scopes_disabled().filter(statement=models.OuterRef("pk")))
            )
        }
        self.pillar_agencies = defaultdict(set)
        for pillar_id, agency_id in Assignment.objects.filter(period=period, pillar__isnull=False).values_list(
            "pillar_id", "agency_id"
        ):
            self.pillar_agencies[pillar_id].add(agency_id)
        self.answering_agencies = defaultdict(set)  # question id -> agency ids
        self.chosen_options = defaultdict(set)  # question id -> option ids
        # The instrument is every region's: an answer in any region refuses a change, and the dry
        # run names the other regions' agencies with their region.
        answers = (
            Answer.objects.with_scopes_disabled()
            .filter(submission__period__national_id=national)
            .values_list(
                "question_id",
                "submission__agency_id",
                "submission__agency__abbreviation",
                "submission__period__region_id",
                "submission__period__region__name",
                "option_id",
            )
        )
        for question_id, agency_id, abbreviation, region_id, region_name, option_id in answers.distinct():
            self.answering_agencies[question_id].add(agency_id)
            self.agency_names[agency_id] = (
                abbreviation if region_id == period.region_id else f"{abbreviation} ({region_name})"
            )
            if option_id is not None:
                self.chosen_options[question_id].add(option_id)

        # Positions, not the stored order numbers, are compared: the file carries only the order of
        # its rows, so orders 0, 1, 3 read back as 0, 1, 2 and are no change. An import that does
        # change something writes the file's numbers to every row, so that no old number is left
        # between new ones.
        self.positions = {}
        groups = defaultdict(list)
        for dimension in self.dimensions.values():
            groups[Dimension, None].append((dimension.order, dimension.code, dimension))
        for indicator in self.indicators.values():
            groups[Indicator, indicator.dimension_id].append((indicator.order, indicator.code, indicator))
        for question in self.questions.values():
            groups[Question, question.indicator_id].append((question.order, question.code, question))
            for option in question.options.all():
                groups[AnswerOption, question.pk].append((option.order, option.value, option))
        for (model, _parent), rows in groups.items():
            first = 0 if model is AnswerOption else 1  # as the reader numbers them
            for position, (_order, _code, instance) in enumerate(sorted(rows, key=lambda r: r[:2]), start=first):
                self.positions[model, instance.pk] = position

    def value(self, instance, name):
        """The field as compared with the file: an order is the row's position."""
        if name == "order":
            return self.positions[type(instance), instance.pk]
        return getattr(instance, name)

    def assigned_agencies(self, question_id, pillar_id, question_agency_ids):
        return self.pillar_agencies.get(pillar_id, set()) | set(question_agency_ids)


@dataclass
class InstrumentDiff:
    """What importing a plan would change in a period's instrument (compare_instrument)."""

    period: object
    plan: InstrumentPlan
    changes: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    answered_questions: int = 0
    current: CurrentInstrument | None = None

    @property
    def is_empty(self):
        return not self.changes

    @property
    def is_refused(self):
        return bool(self.refusals)

    def of(self, model):
        return [c for c in self.changes if c.model is model]

    def sections(self):
        """(title, changes) per kind, for the page."""
        kinds = (Dimension, Indicator, Question, SurveyStatement)
        return [(capfirst(m._meta.verbose_name_plural), self.of(m)) for m in kinds]

    def counts(self):
        return {action: sum(1 for c in self.changes if c.action == action) for action in (ADDED, CHANGED, REMOVED)}

    def headline(self):
        counts = self.counts()
        return _("%(added)s ditambahkan, %(changed)s diubah, %(removed)s dihapus") % {
            "added": counts[ADDED],
            "changed": counts[CHANGED],
            "removed": counts[REMOVED],
        }

    def summary(self):
        return "\n".join(line for change in self.changes for line in change.lines())

    def as_result(self):
        """What the page shows of the difference, as JSON (see InstrumentPlan.as_result)."""
        return {
            "period": str(self.period),
            "is_empty": self.is_empty,
            "is_refused": self.is_refused,
            "headline": str(self.headline()),
            "answered_questions": self.answered_questions,
            "refusals": [{"code": r.code, "reasons": [str(reason) for reason in r.reasons]} for r in self.refusals],
            "sections": [
                [
                    str(title),
                    [
                        {
                            "code": c.code,
                            "action_label": str(c.action_label),
                            "fields": [[str(label), _text(old), _text(new)] for label, old, new in c.fields],
                        }
                        for c in changes
                    ],
                ]
                for title, changes in self.sections()
            ],
        }


def _text(value):
    return "" if value is None else str(value)
