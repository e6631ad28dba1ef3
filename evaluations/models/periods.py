import copy
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .. import scoring
from .agencies import Agency, Assignment
from .answering import Answer
from .audit import AdminChange
from .instrument import AnswerOption, Dimension, Indicator, Question, ScoreBand
from .regions import NationalPeriod, Region, region_scoped
from .submissions import Submission
from .surveys import SurveyStatement

CENT = Decimal("0.01")


class PeriodQuerySet(models.QuerySet):
    def chosen(self, pk=None, among=None):
        """The period a page shows: the one asked for (?periode=) if it exists, else the open one,
        else the most recent; None when there is none. A bad or unknown value is not an error: the
        page's period chooser shows the period actually displayed. `among` is the list of periods
        the page has already read (newest first), so that choosing costs no query."""
        periods = list(self.order_by("-year", "-stage")) if among is None else among
        asked = str(pk or "").strip()
        # ASCII digits only: str.isdigit() also accepts '²', which int() refuses.
        wanted = int(asked) if asked.isascii() and asked.isdigit() else None
        return (
            next((p for p in periods if p.pk == wanted), None)
            or next((p for p in periods if p.is_open()), None)
            or (periods[0] if periods else None)
        )

    def current(self):
        """The period users work on now: the open one, else the most recent one."""
        return self.chosen()


class PeriodManager(models.Manager.from_queryset(PeriodQuerySet)):
    def get_by_natural_key(self, year, stage, region_code=None):
        """(year, stage) is the default region's period, as the shipped fixtures name it."""
        return self.with_scopes_disabled().get(year=year, stage=stage, region__code=region_code or settings.REGION_CODE)

    def create_copy(self, source, **fields):
        """A new national period (`fields`: year, stage, name, opens, closes) with a copy of the
        source's whole instrument (dimensions and weights, indicators, questions, options with
        their level descriptors, score bands, impact-survey statements), and a draft period for
        every evaluated region with a copy of that region's agency assignments of the source.
        Answers, submissions, quick wins and the impact survey itself (dates, programmes, links,
        responses) belong to the source's year and stay there. Returns the new period of the
        source's region."""
        return self.create_national(source.national_id, **fields)[source.region_id]

    def create_empty(self, region, **fields):
        """A new national period with no instrument yet (it is imported), and its draft periods;
        returns `region`'s."""
        return self.create_national(None, **fields)[region.pk]

    @transaction.atomic
    def create_national(self, source, **fields):
        """The national period of `fields`, a copy of national period `source`'s (an id) instrument (none
        when None), and a draft period for every evaluated region with that region's assignments
        of `source`: {region id: period}. One transaction, so a failure leaves no half-copied
        period; one read and one bulk insert per table whatever the size of the instrument and
        the number of regions (SQLite splits an insert every 999 parameters, PostgreSQL never)."""
        national = NationalPeriod.objects.create(**fields)
        question_map = copy_instrument(source, national) if source else {}
        periods = self.with_scopes_disabled().bulk_create(
            EvaluationPeriod(region=region, national=national, status=EvaluationPeriod.Status.DRAFT, **fields)
            for region in Region.objects.evaluated()
        )
        by_region = {p.region_id: p for p in periods}
        source_assignments = (
            Assignment.objects.with_scopes_disabled().filter(period__national_id=source).select_related("period")
            if source
            else []
        )
        Assignment.objects.bulk_create(
            Assignment(
                period=by_region[a.period.region_id],
                agency_id=a.agency_id,
                pillar_id=a.pillar_id,
                question=None if a.question_id is None else question_map[a.question_id],
            )
            for a in source_assignments
            if a.period.region_id in by_region
        )
        return by_region


def copy_instrument(source_national_id, national):
    """Copy a national period's instrument into `national`; returns {old question id: new question}."""
    dimensions = list(Dimension.objects.filter(national_id=source_national_id))
    new_dimensions = Dimension.objects.bulk_create(
        Dimension(national=national, code=d.code, name=d.name, weight=d.weight, order=d.order) for d in dimensions
    )
    dimension_map = {old.pk: new for old, new in zip(dimensions, new_dimensions, strict=True)}
    indicators = list(Indicator.objects.filter(dimension__national_id=source_national_id))
    new_indicators = Indicator.objects.bulk_create(
        Indicator(dimension=dimension_map[i.dimension_id], code=i.code, name=i.name, order=i.order) for i in indicators
    )
    indicator_map = {old.pk: new for old, new in zip(indicators, new_indicators, strict=True)}
    questions = list(Question.objects.for_national(source_national_id))
    copied = ("code", "text", "help_text", "answer_type", "unit", "whole_number", "pillar_id", "subdimension_id")
    new_questions = Question.objects.bulk_create(
        Question(
            indicator=indicator_map[q.indicator_id],
            required=q.required,
            evidence_required=q.evidence_required,
            from_impact_survey=q.from_impact_survey,
            order=q.order,
            **{name: getattr(q, name) for name in copied},
        )
        for q in questions
    )
    question_map = {old.pk: new for old, new in zip(questions, new_questions, strict=True)}
    in_source = {"question__indicator__dimension__national_id": source_national_id}
    AnswerOption.objects.bulk_create(
        AnswerOption(question=question_map[o.question_id], value=o.value, label=o.label, score=o.score, order=o.order)
        for o in AnswerOption.objects.filter(**in_source)
    )
    ScoreBand.objects.bulk_create(
        ScoreBand(question=question_map[b.question_id], min_value=b.min_value, max_value=b.max_value, score=b.score)
        for b in ScoreBand.objects.filter(**in_source)
    )
    SurveyStatement.objects.bulk_create(
        SurveyStatement(national=national, subdimension_id=s.subdimension_id, code=s.code, text=s.text, order=s.order)
        for s in SurveyStatement.objects.filter(national_id=source_national_id)
    )
    return question_map


class AssignmentConflict(Exception):
    """Someone else changed the period's assignments since the grid was shown."""


class EvaluationPeriod(models.Model):
    """A region's evaluation in one national period: its own calendar (opens, deadline, status,
    reopening) within the national one, its assignments, and everything its agencies fill in.
    Year, stage and name are the national period's, kept on the row so that lists sort and show
    without a join."""

    class Stage(models.TextChoices):
        FIRST = "1", _("Tahap I")
        SECOND = "2", _("Tahap II")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        OPEN = "open", _("Dibuka")
        CLOSED = "closed", _("Ditutup")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="periods", verbose_name=_("wilayah"))
    national = models.ForeignKey(
        NationalPeriod, on_delete=models.PROTECT, related_name="periods", verbose_name=_("periode nasional")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    stage = models.CharField(_("tahap"), max_length=1, choices=Stage.choices)
    name = models.CharField(_("nama"), max_length=150)
    opens = models.DateField(_("dibuka"))
    closes = models.DateField(_("batas akhir"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped by every change of the assignments: a grid saved from an older version is refused
    # instead of silently undoing a colleague's changes.
    assignments_version = models.PositiveIntegerField(_("versi penugasan"), default=0, editable=False)
    # Four eyes (issue 27): an approval waits for a second coordinator's confirmation before the
    # submission counts as approved. Off by default, as approvals were before.
    second_signoff = models.BooleanField(
        _("persetujuan kedua"),
        default=False,
        help_text=_("Persetujuan satu koordinator baru berlaku setelah dikonfirmasi oleh koordinator lain."),
    )

    objects = region_scoped("region", PeriodManager)

    class Meta:
        # Granted to the role groups (evaluations.roles.ROLE_PERMISSIONS).
        permissions = [("manage_periods", _("Mengelola periode, instrumen dan penugasan"))]
        ordering = ["-year", "-stage"]
        verbose_name = _("periode evaluasi")
        verbose_name_plural = _("periode evaluasi")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "stage"],
                name="period_unique_region_year_stage",
                violation_error_message=_("Sudah ada periode dengan tahun dan tahap ini."),
            ),
            models.CheckConstraint(condition=models.Q(closes__gte=models.F("opens")), name="period_closes_after_opens"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.year, self.stage, self.region.code)

    natural_key.dependencies = ["evaluations.region", "evaluations.nationalperiod"]

    def clean(self):
        if self.opens and self.closes and self.closes < self.opens:
            raise ValidationError({"closes": _("Batas akhir tidak boleh sebelum tanggal dibuka.")})
        # Within the national calendar where the ministry keeps one; a single-region deployment's
        # admin is its own ministry, and its region's deadline is the national one.
        national = self.national if self.national_id and Region.objects.evaluated().count() > 1 else None
        if national and self.closes and self.closes > national.closes:
            raise ValidationError(
                {
                    "closes": _("Batas akhir wilayah tidak boleh melewati batas akhir nasional (%(date)s).")
                    % {"date": date_format(national.closes)}
                }
            )

    # --- the instrument, which is the national period's ------------------------------
    @property
    def dimensions(self):
        return Dimension.objects.filter(national_id=self.national_id)

    @property
    def survey_statements(self):
        return SurveyStatement.objects.filter(national_id=self.national_id)

    @property
    def instrument_changes(self):
        return self.national.instrument_changes.all()

    # --- state -----------------------------------------------------------------
    def is_open(self):
        return self.status == self.Status.OPEN

    def is_past_deadline(self, today=None):
        today = today or timezone.localdate()
        return today > self.closes

    def accepts_edits(self, today=None):
        """Agencies may edit answers: the period is open and its close date has not passed."""
        return self.is_open() and not self.is_past_deadline(today)

    def days_left(self, today=None):
        today = today or timezone.localdate()
        return (self.closes - today).days

    def previous(self, among=None):
        """The period evaluated just before this one (for carry forward and comparisons). `among`
        is the list of periods a page has already read, so that finding it costs no query."""
        if among is not None:
            earlier = [p for p in among if (p.year, p.stage) < (self.year, self.stage)]
            return max(earlier, key=lambda p: (p.year, p.stage), default=None)
        return (
            EvaluationPeriod.objects.filter(
                models.Q(year__lt=self.year) | models.Q(year=self.year, stage__lt=self.stage)
            )
            .order_by("-year", "-stage")
            .first()
        )

    def weight_errors(self):
        """Why the instrument is not ready to open, as messages; empty when it is."""
        dimensions = list(Dimension.objects.filter(national_id=self.national_id))
        if not dimensions:
            return [_("Periode belum memiliki dimensi evaluasi.")]
        errors = []
        total = sum((d.weight for d in dimensions), Decimal(0))
        if total != Decimal(100):
            total = f"{total.normalize():f}"  # 60, not 6E+1
            errors.append(_("Jumlah bobot dimensi harus 100, sekarang %(total)s.") % {"total": total})
        if not Question.objects.for_period(self).exists():
            errors.append(_("Periode belum memiliki pertanyaan."))
        return errors

    def unassigned_questions(self):
        """Codes of the questions no agency answers (neither through its pillar nor by name), in
        form order: one query."""
        assignments = Assignment.objects.filter(period=self)
        return list(
            Question.objects.for_period(self)
            .filter(
                ~models.Exists(assignments.filter(question=models.OuterRef("pk"))),
                ~models.Exists(assignments.filter(pillar=models.OuterRef("pillar"))),
            )
            .order_by("indicator__dimension__order", "indicator__order", "order", "code")
            .values_list("code", flat=True)
        )

    def open_errors(self):
        """Everything that keeps the period from opening, as messages; empty when it may open."""
        errors = self.weight_errors()
        unassigned = self.unassigned_questions()
        if unassigned:
            errors.append(
                _("Pertanyaan tanpa perangkat daerah yang menjawab: %(codes)s.") % {"codes": ", ".join(unassigned)}
            )
        return errors

    def _change_status(self, to, by, allowed_from, refusal):
        if self.status not in allowed_from:
            raise ValidationError(refusal)
        before = copy.copy(self)
        self.status = to
        self.save(update_fields=["status"])
        # The period's history page in the admin shows who opened, closed or reopened it, when.
        AdminChange.record(by, AdminChange.Action.CHANGED, self, before)

    @transaction.atomic
    def open(self, by=None):
        """Draft -> open, once the instrument is complete and every question has an agency."""
        errors = self.open_errors()
        if errors:
            raise ValidationError(errors)
        self._change_status(
            self.Status.OPEN, by, {self.Status.DRAFT}, _("Hanya periode berstatus draf yang dapat dibuka.")
        )

    @transaction.atomic
    def reopen(self, by=None):
        """Closed -> open again, e.g. when the ministry extends a stage; the same checks as opening."""
        errors = self.open_errors()
        if errors:
            raise ValidationError(errors)
        self._change_status(
            self.Status.OPEN, by, {self.Status.CLOSED}, _("Hanya periode yang sudah ditutup yang dapat dibuka kembali.")
        )

    @transaction.atomic
    def close(self, by=None):
        """Lock every submission of the period: a submission the admin had reopened is locked
        again too (status and flags change together)."""
        self._change_status(
            self.Status.CLOSED, by, {self.Status.OPEN}, _("Hanya periode yang sedang dibuka yang dapat ditutup.")
        )
        self.submissions.filter(reopened=True).update(reopened=False)

    def is_draft(self):
        return self.status == self.Status.DRAFT

    def is_closed(self):
        return self.status == self.Status.CLOSED

    # --- assignments -----------------------------------------------------------------------
    @transaction.atomic
    def replace_assignments(self, rows, seen_version):
        """Set who answers what for the agencies in `rows` ({agency_id: (pillar_ids, question_ids)});
        other agencies keep theirs. All or nothing, and refused (AssignmentConflict) when the
        assignments changed since `seen_version` was shown. Returns (added, removed); saving what
        is already stored writes nothing."""
        current = Assignment.objects.filter(period=self, agency_id__in=rows).values_list(
            "pk", "agency_id", "pillar_id", "question_id"
        )
        wanted = {
            (agency_id, kind, target)
            for agency_id, (pillar_ids, question_ids) in rows.items()
            for kind, targets in (("pillar", pillar_ids), ("question", question_ids))
            for target in targets
        }
        stored = {
            (agency_id, "pillar" if pillar_id else "question", pillar_id or question_id): pk
            for pk, agency_id, pillar_id, question_id in current
        }
        removed = [pk for key, pk in stored.items() if key not in wanted]
        added = [
            Assignment(period=self, agency_id=agency_id, **{f"{kind}_id": target})
            for agency_id, kind, target in wanted - stored.keys()
        ]
        if not removed and not added:
            return 0, 0
        self._bump_assignments_version(seen_version)
        Assignment.objects.filter(pk__in=removed).delete()
        Assignment.objects.bulk_create(added)
        return len(added), len(removed)

    @transaction.atomic
    def assign_kind_to_pillar(self, kind, pillar, seen_version):
        """Every active agency of this kind answers the pillar (on top of what it answers already).
        Returns how many agencies were added."""
        agency_ids = set(
            Agency.objects.filter(region_id=self.region_id, kind=kind, active=True).values_list("pk", flat=True)
        )
        agency_ids -= set(
            Assignment.objects.filter(period=self, pillar=pillar, agency_id__in=agency_ids).values_list(
                "agency_id", flat=True
            )
        )
        if not agency_ids:
            return 0
        self._bump_assignments_version(seen_version)
        Assignment.objects.bulk_create(
            Assignment(period=self, agency_id=agency_id, pillar=pillar) for agency_id in sorted(agency_ids)
        )
        return len(agency_ids)

    def _bump_assignments_version(self, seen_version):
        # The conditional UPDATE is the lock: of two saves from the same version only the first
        # matches a row, the second sees 0 rows changed and is refused.
        bumped = EvaluationPeriod.objects.filter(pk=self.pk, assignments_version=seen_version).update(
            assignments_version=models.F("assignments_version") + 1
        )
        if not bumped:
            raise AssignmentConflict
        self.assignments_version = seen_version + 1

    def results(self):
        """The official, provisional and self-assessment indexes of this period with their coverage
        (evaluations.scoring), from three queries whatever the number of agencies and answers:
        questions (with whether any agency is assigned to them), the answers' tallies per question
        (summed in SQL, drafts left out), dimension weights."""
        assignments = Assignment.objects.filter(period=self)
        questions = [
            scoring.QuestionInfo(
                id=q["id"],
                dimension=q["indicator__dimension__code"],
                pillar=q["pillar__code"],
                subdimension=q["subdimension__code"],
                scorable=Question.type_is_scorable(q["answer_type"], q["band_count"]),
                assigned=q["is_assigned"],
            )
            for q in Question.objects.for_period(self)
            .annotate(
                band_count=models.Count("bands"),
                is_assigned=models.Exists(assignments.filter(question=models.OuterRef("pk")))
                | models.Exists(assignments.filter(pillar=models.OuterRef("pillar"))),
            )
            .values(
                "id",
                "indicator__dimension__code",
                "pillar__code",
                "subdimension__code",
                "answer_type",
                "band_count",
                "is_assigned",
            )
        ]
        tallies = {}
        for row in self._answer_tallies():
            question_id = row.pop("question_id")
            for name in ("official_sum", "provisional_sum", "self_sum"):
                # SQLite adds the scores as floats; scores are in cents, so their sums are exactly
                # in cents too: rounding there drops the float noise, whatever the sum's size.
                row[name] = row[name].quantize(CENT)
            tallies[question_id] = scoring.Tally(**row)
        weights = dict(Dimension.objects.filter(national_id=self.national_id).values_list("code", "weight"))
        return scoring.evaluate_tallies(questions, tallies, weights)

    def _answer_tallies(self):
        """One row per answered question: scoring.Tally's sums and counts, added up by the database
        over the period's handed-in answers (drafts left out), so that the work in Python grows with
        the number of questions, not of answers."""
        return answer_tallies(Answer.objects.filter(submission__period=self), "question_id")


def answer_tallies(answers, *group):
    """scoring.Tally's sums and counts of `answers` (drafts left out), one row per `group` (e.g.
    the question, or the period and the question for many regions at once)."""
    status = Submission.Status
    score = Coalesce("verified_score", "self_score")
    # Wide enough for a sum over every agency (an answer's field holds one score: 4 digits).
    total = models.DecimalField(max_digits=12, decimal_places=2)
    approved = models.Q(submission__status=status.APPROVED)

    def summed(value, only=None):
        return models.Sum(value, filter=only, default=0, output_field=total)

    return (
        answers.exclude(submission__status=status.DRAFT)
        .values(*group)
        .order_by()
        .annotate(
            official_sum=summed(score, approved),
            official_count=models.Count(score, filter=approved),
            provisional_sum=summed(score),
            provisional_count=models.Count(score),
            self_sum=summed("self_score"),
            self_count=models.Count("self_score"),
            answered=models.Count("id"),
            submitted=models.Count("id", filter=models.Q(submission__status__in=(status.SUBMITTED, status.APPROVED))),
            approved=models.Count("id", filter=approved),
            verified=models.Count("verified_score"),
            approved_self=models.Count("id", filter=approved & models.Q(verified_score__isnull=True)),
        )
    )
