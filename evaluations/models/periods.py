from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import scoring
from .agencies import Assignment
from .instrument import Question
from .submissions import Answer, Submission

CENT = Decimal("0.01")


class PeriodQuerySet(models.QuerySet):
    def chosen(self, pk=None, among=None):
        """The period a page shows: the one asked for (?periode=) if it exists, else the open one,
        else the most recent; None when there is none. A bad or unknown value is not an error: the
        page's period chooser shows the period actually displayed. `among` is the list of periods
        the page has already read (newest first), so that choosing costs no query."""
        periods = list(self.order_by("-year", "-stage")) if among is None else among
        wanted = int(pk) if str(pk or "").strip().isdigit() else None
        return (
            next((p for p in periods if p.pk == wanted), None)
            or next((p for p in periods if p.is_open()), None)
            or (periods[0] if periods else None)
        )

    def current(self):
        """The period users work on now: the open one, else the most recent one."""
        return self.chosen()


class PeriodManager(models.Manager.from_queryset(PeriodQuerySet)):
    def get_by_natural_key(self, year, stage):
        return self.get(year=year, stage=stage)


class EvaluationPeriod(models.Model):
    class Stage(models.TextChoices):
        TAHAP_1 = "1", _("Tahap I")
        TAHAP_2 = "2", _("Tahap II")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        OPEN = "open", _("Dibuka")
        CLOSED = "closed", _("Ditutup")

    year = models.PositiveSmallIntegerField(_("tahun"))
    stage = models.CharField(_("tahap"), max_length=1, choices=Stage.choices)
    name = models.CharField(_("nama"), max_length=150)
    opens = models.DateField(_("dibuka"))
    closes = models.DateField(_("batas akhir"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    objects = PeriodManager()

    class Meta:
        # Granted to the role groups (evaluations.roles.ROLE_PERMISSIONS).
        permissions = [("manage_periods", _("Mengelola periode, instrumen dan penugasan"))]
        ordering = ["-year", "-stage"]
        verbose_name = _("periode evaluasi")
        verbose_name_plural = _("periode evaluasi")
        constraints = [
            models.UniqueConstraint(fields=["year", "stage"], name="period_unique_year_stage"),
            models.CheckConstraint(condition=models.Q(closes__gte=models.F("opens")), name="period_closes_after_opens"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.year, self.stage)

    def clean(self):
        if self.opens and self.closes and self.closes < self.opens:
            raise ValidationError({"closes": _("Batas akhir tidak boleh sebelum tanggal dibuka.")})

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
        dimensions = list(self.dimensions.all())
        if not dimensions:
            return [_("Periode belum memiliki dimensi evaluasi.")]
        errors = []
        total = sum((d.weight for d in dimensions), Decimal(0))
        if total != Decimal(100):
            total = f"{total.normalize():f}"  # 60, not 6E+1
            errors.append(_("Jumlah bobot dimensi harus 100, sekarang %(total)s.") % {"total": total})
        if not Question.objects.filter(indicator__dimension__period=self).exists():
            errors.append(_("Periode belum memiliki pertanyaan."))
        return errors

    def open(self):
        errors = self.weight_errors()
        if errors:
            raise ValidationError(errors)
        self.status = self.Status.OPEN
        self.save(update_fields=["status"])

    @transaction.atomic
    def close(self):
        """Lock every submission of the period: a submission the admin had reopened is locked
        again too (status and flags change together)."""
        self.status = self.Status.CLOSED
        self.save(update_fields=["status"])
        self.submissions.filter(reopened=True).update(reopened=False)

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
        weights = dict(self.dimensions.values_list("code", "weight"))
        return scoring.evaluate_tallies(questions, tallies, weights)

    def _answer_tallies(self):
        """One row per answered question: scoring.Tally's sums and counts, added up by the database
        over the period's handed-in answers (drafts left out), so that the work in Python grows with
        the number of questions, not of answers."""
        status = Submission.Status
        score = Coalesce("verified_score", "self_score")
        # Wide enough for a sum over every agency (an answer's field holds one score: 4 digits).
        total = models.DecimalField(max_digits=12, decimal_places=2)
        approved = models.Q(submission__status=status.APPROVED)

        def summed(value, only=None):
            return models.Sum(value, filter=only, default=0, output_field=total)

        return (
            Answer.objects.filter(submission__period=self)
            .exclude(submission__status=status.DRAFT)
            .values("question_id")
            .order_by()
            .annotate(
                official_sum=summed(score, approved),
                official_count=models.Count(score, filter=approved),
                provisional_sum=summed(score),
                provisional_count=models.Count(score),
                self_sum=summed("self_score"),
                self_count=models.Count("self_score"),
                answered=models.Count("id"),
                submitted=models.Count(
                    "id", filter=models.Q(submission__status__in=(status.SUBMITTED, status.APPROVED))
                ),
                approved=models.Count("id", filter=approved),
                verified=models.Count("verified_score"),
                approved_self=models.Count("id", filter=approved & models.Q(verified_score__isnull=True)),
            )
        )
