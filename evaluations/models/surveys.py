"""The impact survey (survei dampak, Tahap II) of one period.

How the ministry runs it (DESIGN.md, "Impact survey"): per pillar the region picks 3 programmes,
one per sub-dimension (in practice its quick wins); each sub-dimension has 3 statements about the
programme's effect (54 in all), rated on the 0–4 scale by 50 purposively chosen respondents per
pillar who can judge all 3 programmes. Where that is not possible the pillar is split into 3 forms,
one per sub-dimension, of 50 respondents each. Statement mean -> sub-dimension mean -> pillar mean.

    SurveyStatement   part of the period's instrument: sub-dimension (so pillar), code, text, order
    ImpactSurvey      one per period: open and close dates
    SurveyProgramme   the programme chosen for one sub-dimension, its owning agency, its quick win
    SurveyForm        one public link per pillar, or per sub-dimension when the pillar is split;
                      carries the target number of respondents, and may be closed to all but
                      enumerator links
    Enumerator        a tagged link of one form, handed to someone of the owning agency, so every
                      response shows who collected it

The responses, their ratings and the monitor's flags are in models/survey_responses.py; what
composes a use case (recording a response, the means, filling the impact questions, the setup and
monitor pages' work) in evaluations/surveys.py.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar

from .fields import limited_text
from .regions import region_scoped

STATEMENT_TEXT_MAX_LENGTH = 500
DEFAULT_TARGET = 50


def new_link_token():
    """An unguessable token for a public link (URL-safe, 22 characters)."""
    return secrets.token_urlsafe(16)


class SurveySetupRefused(Exception):
    """A setup change the survey's responses forbid (e.g. splitting a pillar that has responses)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class SurveyStatementManager(models.Manager):
    def get_by_natural_key(self, year, stage, code):
        return self.get(national__year=year, national__stage=stage, code=code)


class SurveyStatement(models.Model):
    """One statement of the impact survey: part of the ministry's instrument, shared by every region."""

    national = models.ForeignKey(
        "evaluations.NationalPeriod",
        on_delete=models.CASCADE,
        related_name="survey_statements",
        verbose_name=_("periode nasional"),
    )
    subdimension = models.ForeignKey(
        "pillars.SubDimension",
        on_delete=models.PROTECT,
        related_name="survey_statements",
        verbose_name=_("sub-dimensi"),
    )
    code = models.CharField(_("kode"), max_length=30)
    text = limited_text(_("pernyataan"), STATEMENT_TEXT_MAX_LENGTH)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = SurveyStatementManager()

    class Meta:
        ordering = ["subdimension__pillar__order", "subdimension__order", "order", "code"]
        verbose_name = _("pernyataan survei dampak")
        verbose_name_plural = _("pernyataan survei dampak")
        constraints = [
            models.UniqueConstraint(
                fields=["national", "code"], name="survey_statement_code_unique_in_national_period"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:60]}"

    def natural_key(self):
        return (*self.national.natural_key(), self.code)

    natural_key.dependencies = ["evaluations.nationalperiod", "pillars.subdimension"]


class ImpactSurvey(models.Model):
    period = models.OneToOneField(
        "evaluations.EvaluationPeriod",
        on_delete=models.CASCADE,
        related_name="impact_survey",
        verbose_name=_("periode"),
    )
    opens = models.DateField(_("dibuka"))
    closes = models.DateField(_("ditutup"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = region_scoped("period__region")

    class Meta:
        verbose_name = _("survei dampak")
        verbose_name_plural = _("survei dampak")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gte=models.F("opens")), name="impact_survey_closes_after_opens"),
        ]

    def __str__(self):
        return f"{_('Survei dampak')} {self.period}"

    def is_open(self, today=None):
        """Respondents may answer from the open date to the close date, both included (local time)."""
        today = today or timezone.localdate()
        return self.opens <= today <= self.closes

    # --- setup rules (surveys-setup) ---------------------------------------------------------
    @classmethod
    @transaction.atomic
    def create_for(cls, period, opens, closes):
        """The period's survey with one whole form per pillar (the ministry's default: 50
        respondents per pillar); programmes are chosen afterwards, per sub-dimension."""
        survey = cls.objects.create(period=period, opens=opens, closes=closes)
        SurveyForm.objects.bulk_create(SurveyForm(survey=survey, pillar=pillar) for pillar in Pillar.objects.all())
        return survey

    def set_split(self, pillar, split):
        """One form for the pillar, or (split) one per sub-dimension. The pillar's forms are
        recreated, which is only allowed while they have no responses: a response belongs to the
        form it was given on, and its ratings to that form's statements. Returns whether anything
        changed; raises SurveySetupRefused when responses forbid it."""
        refused = SurveySetupRefused(
            _("Pembagian formulir pilar %(pillar)s tidak dapat diubah karena sudah ada respons.") % {"pillar": pillar}
        )
        try:
            with transaction.atomic():
                # Locked, so that two coordinators changing the split one after the other end
                # with one set of forms, not two. Ordered by key: the default ordering's outer join
                # to the sub-dimension cannot be locked on PostgreSQL.
                forms = list(SurveyForm.objects.select_for_update().filter(survey=self, pillar=pillar).order_by("pk"))
                if forms and any(f.subdimension_id for f in forms) == bool(split):
                    return False
                if SurveyForm.objects.filter(pk__in=[f.pk for f in forms], responses__isnull=False).exists():
                    raise refused
                # Enumerator links of the old forms go with them: they have no responses either.
                SurveyForm.objects.filter(pk__in=[f.pk for f in forms]).delete()
                subdimensions = list(pillar.subdimensions.all()) if split else [None]
                SurveyForm.objects.bulk_create(
                    SurveyForm(survey=self, pillar=pillar, subdimension=sub) for sub in subdimensions
                )
        except ProtectedError:
            # A response arrived between the check and the delete (its form is PROTECTed).
            raise refused from None
        return True

    def set_programme(self, subdimension, name, agency, quick_win=None):
        """The programme respondents judge for one sub-dimension (one per sub-dimension), changed
        in place so that the programme uses already recorded stay attached."""
        programme, _created = SurveyProgramme.objects.update_or_create(
            survey=self, subdimension=subdimension, defaults={"name": name, "agency": agency, "quick_win": quick_win}
        )
        return programme


class SurveyProgramme(models.Model):
    survey = models.ForeignKey(ImpactSurvey, on_delete=models.CASCADE, related_name="programmes")
    subdimension = models.ForeignKey("pillars.SubDimension", on_delete=models.PROTECT, verbose_name=_("sub-dimensi"))
    name = models.CharField(_("nama program / layanan"), max_length=200)
    agency = models.ForeignKey(
        "evaluations.Agency",
        on_delete=models.PROTECT,
        related_name="survey_programmes",
        verbose_name=_("perangkat daerah pemilik"),
    )
    quick_win = models.ForeignKey(
        "evaluations.QuickWin",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_programmes",
        verbose_name=_("quick win"),
    )

    objects = region_scoped("survey__period__region")

    class Meta:
        ordering = ["subdimension__pillar__order", "subdimension__order"]
        verbose_name = _("program survei dampak")
        verbose_name_plural = _("program survei dampak")
        constraints = [
            models.UniqueConstraint(fields=["survey", "subdimension"], name="survey_programme_one_per_subdimension"),
        ]

    def __str__(self):
        return self.name


class SurveyFormQuerySet(models.QuerySet):
    def owned_by(self, agency):
        """The forms on which `agency` owns a programme: a whole pillar's form when it owns any of
        the pillar's programmes, a sub-dimension's form when it owns that sub-dimension's one."""
        owned = SurveyProgramme.objects.filter(survey=OuterRef("survey"), agency=agency)
        return self.alias(
            has_pillar_programme=Exists(owned.filter(subdimension__pillar=OuterRef("pillar"))),
            has_subdimension_programme=Exists(owned.filter(subdimension=OuterRef("subdimension"))),
        ).filter(
            Q(subdimension__isnull=True, has_pillar_programme=True)
            | Q(subdimension__isnull=False, has_subdimension_programme=True)
        )


class SurveyForm(models.Model):
    """A pillar's public form; when the pillar is split, one of its three sub-dimension forms."""

    survey = models.ForeignKey(ImpactSurvey, on_delete=models.CASCADE, related_name="forms")
    pillar = models.ForeignKey("pillars.Pillar", on_delete=models.PROTECT, verbose_name=_("pilar"))
    subdimension = models.ForeignKey(
        "pillars.SubDimension",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("sub-dimensi"),
        help_text=_("Hanya bila pilar dipecah menjadi satu formulir per sub-dimensi."),
    )
    token = models.CharField(_("token tautan"), max_length=32, unique=True, default=new_link_token, editable=False)
    target = models.PositiveSmallIntegerField(_("target responden"), default=DEFAULT_TARGET)
    # Issue 28: when the public link is being stuffed, the coordinators close it and keep the
    # enumerators' tagged links, whose every response names who collected it.
    enumerator_only = models.BooleanField(
        _("hanya lewat tautan enumerator"),
        default=False,
        help_text=_("Tautan publik ditutup; responden mengisi lewat tautan enumerator saja."),
    )

    objects = region_scoped("survey__period__region", SurveyFormQuerySet)

    class Meta:
        ordering = ["pillar__order", "subdimension__order"]
        verbose_name = _("formulir survei dampak")
        verbose_name_plural = _("formulir survei dampak")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "pillar"],
                condition=Q(subdimension__isnull=True),
                name="survey_form_one_whole_pillar_form",
            ),
            models.UniqueConstraint(
                fields=["survey", "subdimension"],
                condition=Q(subdimension__isnull=False),
                name="survey_form_one_per_subdimension",
            ),
        ]

    def __str__(self):
        return str(self.subdimension or self.pillar)

    def public_path(self):
        """The respondents' link (the public form, /s/<token>/): short enough for an SMS."""
        return f"/s/{self.token}/"

    def programmes(self):
        """The programmes respondents of this form judge: the pillar's, or the sub-dimension's."""
        if self.subdimension_id:
            return self.survey.programmes.filter(subdimension_id=self.subdimension_id)
        return self.survey.programmes.filter(subdimension__pillar_id=self.pillar_id)

    def owning_agencies(self):
        """The agencies owning this form's programmes, each once: who may get an enumerator link."""
        return list({p.agency_id: p.agency for p in self.programmes().select_related("agency")}.values())

    def add_enumerator(self, agency, name, by=None):
        """A new tagged link of this form for someone of `agency`."""
        return Enumerator.objects.create(form=self, agency=agency, name=name, created_by=by)


class Enumerator(models.Model):
    form = models.ForeignKey(SurveyForm, on_delete=models.CASCADE, related_name="enumerators")
    agency = models.ForeignKey(
        "evaluations.Agency",
        on_delete=models.PROTECT,
        related_name="survey_enumerators",
        verbose_name=_("perangkat daerah"),
    )
    name = models.CharField(_("nama enumerator"), max_length=100)
    token = models.CharField(_("token tautan"), max_length=32, unique=True, default=new_link_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = region_scoped("form__survey__period__region")

    class Meta:
        ordering = ["form", "name"]
        verbose_name = _("enumerator")
        verbose_name_plural = _("enumerator")
        constraints = [
            models.UniqueConstraint(fields=["form", "agency", "name"], name="enumerator_name_unique_in_form_agency"),
        ]

    def __str__(self):
        return self.name

    def public_path(self):
        """The form's link tagged with this enumerator, so each response shows who collected it."""
        return f"/s/{self.form.token}/{self.token}/"
