"""The instrument of one national period, shared by every region:
dimension (weighted) -> indicator -> question -> options.

The national instrument changes every year, so it is data: shipped as a fixture for 2024 Tahap I
and imported from a spreadsheet for later periods.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ..scoring import round_score
from .agencies import Assignment
from .fields import limited_text

SCORE_MIN = Decimal(0)
SCORE_MAX = Decimal(4)
score_validators = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
# The longest texts of the instrument (the import refuses longer cells).
QUESTION_TEXT_MAX_LENGTH = 2000
HELP_TEXT_MAX_LENGTH = 5000
OPTION_LABEL_MAX_LENGTH = 2000


def format_score(value):
    """A score as people read it everywhere (pages, charts, the review timeline): rounded half up to
    2 decimals in the active language's style (3,41); – when there is none."""
    if value is None or value == "":
        return "–"
    return number_format(round_score(value), 2)


def format_number(value):
    """A stored number as people read and type it in the active language: thousands grouped, no
    trailing zeros (1.250 and 1.234,5 in Indonesian; 1,250 and 1,234.5 in English). The answer
    form reads this back unchanged (evaluations.excel.cells.parse_number)."""
    value = Decimal(value).normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))  # 1.25E+3 -> 1250
    return number_format(value, use_l10n=True, force_grouping=True)


def score_in_range(field, name):
    return models.CheckConstraint(condition=Q(**{f"{field}__gte": 0, f"{field}__lte": 4}), name=name)


class DimensionManager(models.Manager):
    def get_by_natural_key(self, year, stage, code):
        return self.get(national__year=year, national__stage=stage, code=code)


class Dimension(models.Model):
    national = models.ForeignKey(
        "evaluations.NationalPeriod",
        on_delete=models.CASCADE,
        related_name="dimensions",
        verbose_name=_("periode nasional"),
    )
    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama"), max_length=200)
    weight = models.DecimalField(
        _("bobot (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = DimensionManager()

    class Meta:
        ordering = ["national_id", "order", "code"]
        verbose_name = _("dimensi evaluasi")
        verbose_name_plural = _("dimensi evaluasi")
        constraints = [
            models.UniqueConstraint(fields=["national", "code"], name="dimension_code_unique_in_national_period"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="dimension_weight_0_100"),
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"

    def natural_key(self):
        return (*self.national.natural_key(), self.code)

    natural_key.dependencies = ["evaluations.nationalperiod"]


class IndicatorManager(models.Manager):
    def get_by_natural_key(self, year, stage, dimension_code, code):
        return self.get(
            dimension__national__year=year, dimension__national__stage=stage, dimension__code=dimension_code, code=code
        )


class Indicator(models.Model):
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("dimensi")
    )
    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama"), max_length=300)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = IndicatorManager()

    class Meta:
        ordering = ["dimension__order", "order", "code"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="indicator_code_unique_in_dimension"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (*self.dimension.natural_key(), self.code)

    natural_key.dependencies = ["evaluations.dimension"]


class QuestionQuerySet(models.QuerySet):
    def for_period(self, period):
        """The questions of a region's period: its national period's instrument."""
        return self.for_national(period.national_id)

    def for_national(self, national):
        return self.filter(indicator__dimension__national=national)

    def assigned_to(self, agency, period):
        """The questions this agency answers in this period: its pillars' questions plus any
        question assigned to it by name."""
        return self.filter(self.assigned_q(agency, period))

    @staticmethod
    def assigned_q(agency, period):
        """assigned_to's condition, for a query that combines it with others."""
        # No region filter of their own (and its join): the period is its region's, so are its assignments.
        assignments = Assignment.objects.with_scopes_disabled().filter(period=period, agency=agency)
        pillar_ids = assignments.filter(pillar__isnull=False).values("pillar_id")
        question_ids = assignments.filter(question__isnull=False).values("question_id")
        return Q(indicator__dimension__national=period.national_id) & (
            Q(pillar_id__in=pillar_ids) | Q(id__in=question_ids)
        )

    def with_scorable(self):
        """Each question with `has_bands` (a subquery, not a join), so that `is_scorable` needs no
        further query."""
        return self.annotate(has_bands=models.Exists(ScoreBand.objects.filter(question=models.OuterRef("pk"))))

    def in_form_order(self):
        return self.in_sections().select_related("subdimension")

    def in_sections(self):
        """In form order with what the agency's pages group them by (answering.build_sections): the
        indicator, dimension and pillar, without the subdimension they do not show."""
        return self.select_related("indicator__dimension", "pillar").order_by(
            "indicator__dimension__order", "indicator__order", "order", "code"
        )


class QuestionManager(models.Manager.from_queryset(QuestionQuerySet)):
    def get_by_natural_key(self, year, stage, code):
        return self.get(
            indicator__dimension__national__year=year, indicator__dimension__national__stage=stage, code=code
        )


class Question(models.Model):
    class AnswerType(models.TextChoices):
        LEVEL = "level", _("Level 0–4")
        YES_NO = "yesno", _("Ya/Tidak")
        CHOICE = "choice", _("Pilihan tunggal")
        NUMBER = "number", _("Angka")
        PERCENT = "percent", _("Persentase")
        TEXT = "text", _("Teks bebas")
        DATE = "date", _("Tanggal")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="questions", verbose_name=_("indikator")
    )
    code = models.CharField(_("kode"), max_length=30)
    text = limited_text(_("pertanyaan"), QUESTION_TEXT_MAX_LENGTH)
    help_text = limited_text(_("bantuan / bukti yang diminta"), HELP_TEXT_MAX_LENGTH, blank=True)
    answer_type = models.CharField(_("jenis jawaban"), max_length=10, choices=AnswerType.choices)
    unit = models.CharField(_("satuan"), max_length=40, blank=True)
    whole_number = models.BooleanField(
        _("bilangan bulat"), default=False, help_text=_("Jawaban angka tanpa pecahan, mis. jumlah.")
    )
    pillar = models.ForeignKey(
        "pillars.Pillar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("pilar"),
    )
    subdimension = models.ForeignKey(
        "pillars.SubDimension",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("sub-dimensi"),
    )
    required = models.BooleanField(_("wajib dijawab"), default=True)
    evidence_required = models.BooleanField(_("wajib bukti dukung"), default=False)
    # An impact question: its answer is the impact survey's mean (0–4) of the question's
    # sub-dimension, or of its pillar when it has none (evaluations/surveys.py, fill_impact_answers).
    from_impact_survey = models.BooleanField(
        _("diisi dari survei dampak"),
        default=False,
        help_text=_("Jawaban diisi dengan rata-rata survei dampak sub-dimensi (atau pilar) pertanyaan ini."),
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = QuestionManager()

    class Meta:
        ordering = ["indicator__dimension__order", "indicator__order", "order", "code"]
        verbose_name = _("pertanyaan")
        verbose_name_plural = _("pertanyaan")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "code"], name="question_code_unique_in_indicator"),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:60]}"

    def natural_key(self):
        national = self.indicator.dimension.national
        return (national.year, national.stage, self.code)

    natural_key.dependencies = ["evaluations.indicator", "pillars.subdimension"]

    @classmethod
    def type_is_scorable(cls, answer_type, band_count):
        """Text and date are never scored; number and percentage only when score bands exist."""
        if answer_type in {cls.AnswerType.TEXT, cls.AnswerType.DATE}:
            return False
        if answer_type in {cls.AnswerType.NUMBER, cls.AnswerType.PERCENT}:
            return band_count > 0
        return True

    @classmethod
    def scorable_q(cls, prefix=""):
        """The database side of type_is_scorable, for `prefix` (e.g. "question__") questions."""
        bands = ScoreBand.objects.filter(question=models.OuterRef(f"{prefix}pk"))
        T = cls.AnswerType
        return Q(**{f"{prefix}answer_type__in": [T.LEVEL, T.YES_NO, T.CHOICE]}) | (
            Q(**{f"{prefix}answer_type__in": [T.NUMBER, T.PERCENT]}) & Q(models.Exists(bands))
        )

    @property
    def is_scorable(self):
        """Needs `has_bands` from QuestionQuerySet.with_scorable()."""
        return self.type_is_scorable(self.answer_type, 1 if self.has_bands else 0)

    @property
    def uses_options(self):
        return self.answer_type in {self.AnswerType.LEVEL, self.AnswerType.CHOICE}

    @property
    def uses_bands(self):
        return self.answer_type in {self.AnswerType.NUMBER, self.AnswerType.PERCENT}


class AnswerOptionManager(models.Manager):
    def get_by_natural_key(self, year, stage, question_code, value):
        return self.get(
            question__indicator__dimension__national__year=year,
            question__indicator__dimension__national__stage=stage,
            question__code=question_code,
            value=value,
        )


class AnswerOption(models.Model):
    """One choice of a level (0–4, label = the level's descriptor) or single-choice question."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("pertanyaan")
    )
    value = models.CharField(_("nilai"), max_length=30)
    label = limited_text(_("label / deskriptor"), OPTION_LABEL_MAX_LENGTH)
    score = models.DecimalField(_("skor"), max_digits=4, decimal_places=2, validators=score_validators)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = AnswerOptionManager()

    class Meta:
        ordering = ["question", "order", "value"]
        verbose_name = _("opsi jawaban")
        verbose_name_plural = _("opsi jawaban")
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="option_value_unique_in_question"),
            score_in_range("score", "option_score_0_4"),
        ]

    def __str__(self):
        return f"{self.value}: {self.label[:60]}"

    def natural_key(self):
        return (*self.question.natural_key(), self.value)

    natural_key.dependencies = ["evaluations.question"]


class ScoreBand(models.Model):
    """Scores a number or percentage answer: min_value <= value < max_value gives score
    (max_value empty means no upper bound)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bands", verbose_name=_("pertanyaan"))
    min_value = models.DecimalField(_("dari"), max_digits=14, decimal_places=2)
    max_value = models.DecimalField(
        _("sampai (tidak termasuk)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("skor"), max_digits=4, decimal_places=2, validators=score_validators)

    class Meta:
        ordering = ["question", "min_value"]
        verbose_name = _("rentang skor")
        verbose_name_plural = _("rentang skor")
        constraints = [
            score_in_range("score", "band_score_0_4"),
            models.CheckConstraint(
                condition=Q(max_value__isnull=True) | Q(max_value__gt=models.F("min_value")), name="band_max_gt_min"
            ),
        ]

    def __str__(self):
        upper = self.max_value if self.max_value is not None else "∞"
        return f"[{self.min_value}, {upper}) → {self.score}"

    def contains(self, value):
        return value >= self.min_value and (self.max_value is None or value < self.max_value)


class InstrumentChangeQuerySet(models.QuerySet):
    def for_page(self):
        """The instrument page's history: one query."""
        return self.select_related("national", "actor")


class InstrumentChange(models.Model):
    """One import that changed a period's instrument: who, when, from which file, and the
    difference it applied, as a person reads it (one line per change). Written in the same
    transaction as the change, so a change never goes unrecorded."""

    national = models.ForeignKey(
        "evaluations.NationalPeriod",
        on_delete=models.CASCADE,
        related_name="instrument_changes",
        verbose_name=_("periode nasional"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    file_name = models.CharField(_("berkas"), max_length=200, blank=True)
    headline = models.CharField(_("ringkasan"), max_length=200)
    summary = models.TextField(_("perubahan"))

    objects = InstrumentChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("perubahan instrumen")
        verbose_name_plural = _("perubahan instrumen")

    def __str__(self):
        return f"{self.national} · {self.headline}"

    def summary_lines(self):
        return self.summary.splitlines()
