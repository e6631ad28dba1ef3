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
                      carries the target number of respondents
    Enumerator        a tagged link of one form, handed to someone of the owning agency, so every
                      response shows who collected it
    SurveyResponse    one respondent's submission: profile, keyed hashes (never contact data in
                      clear), timing, and the coordinator's exclusion (kept, never deleted)
    ProgrammeUse      which of the form's programmes the respondent used, and how often
    SurveyRating      one statement's rating, or "never used this programme" (kept out of scores)
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, ExpressionWrapper, F, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.deletion import ProtectedError
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar

from .. import survey_scoring
from ..permissions import REVIEW
from .agencies import Assignment
from .fields import limited_text
from .instrument import Question, format_score
from .submissions import Answer, AnswerChange, Submission, TransitionError

STATEMENT_TEXT_MAX_LENGTH = 500
EXCLUSION_REASON_MAX_LENGTH = 500
DEFAULT_TARGET = 50


def new_link_token():
    """An unguessable token for a public link (URL-safe, 22 characters)."""
    return secrets.token_urlsafe(16)


def keyed_hash(kind, value):
    """A keyed hash (HMAC-SHA256 with the site's secret) of `value`, so that two equal values can be
    recognised without either being stored: the same contact across pillars, the same device twice.
    `kind` keeps a contact's hash apart from a device's. Contacts are normalised first: an e-mail
    address in lower case, a phone number by its digits with 0 and +62 read alike."""
    value = (value or "").strip()
    if not value:
        return ""
    if kind == "contact":
        if "@" in value:
            value = value.lower()
        else:
            digits = re.sub(r"\D", "", value)
            value = re.sub(r"^(62|0)", "", digits)
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class SurveySetupRefused(Exception):
    """A setup change the survey's responses forbid (e.g. splitting a pillar that has responses)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class SurveyStatementManager(models.Manager):
    def get_by_natural_key(self, year, stage, code):
        return self.get(period__year=year, period__stage=stage, code=code)


class SurveyStatement(models.Model):
    period = models.ForeignKey(
        "evaluations.EvaluationPeriod",
        on_delete=models.CASCADE,
        related_name="survey_statements",
        verbose_name=_("periode"),
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
            models.UniqueConstraint(fields=["period", "code"], name="survey_statement_code_unique_in_period"),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:60]}"

    def natural_key(self):
        return (*self.period.natural_key(), self.code)

    natural_key.dependencies = ["evaluations.evaluationperiod", "pillars.subdimension"]


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
                if SurveyResponse.objects.filter(form__in=forms).exists():
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

    objects = SurveyFormQuerySet.as_manager()

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


# =============================================================================================
# Monitoring (helper "surveys-monitor"): the quality flags coordinators check before a response
# counts, the counts of the watch page, and the history of exclusions (SurveyResponseEvent, at
# the end of this module).
# =============================================================================================

DEFAULT_MIN_SECONDS_PER_STATEMENT = 3
STRAIGHT_LINE_MIN_RATED = 3


@dataclass(frozen=True)
class ResponseFlag:
    code: str  # in URLs (?tanda=) and CSS classes
    field: str  # the with_flags() annotation
    label: str
    explanation: str

    def describe(self):
        """The explanation with the current threshold filled in."""
        return str(self.explanation) % {"seconds": min_seconds_per_statement()}


RESPONSE_FLAGS = [
    ResponseFlag(
        "reuse",
        "flag_reuse",
        _("Responden dipakai ulang"),
        _(
            "Kontak yang sama juga mengisi formulir pilar lain di survei ini (atau perangkat yang sama, bila "
            "keduanya lewat tautan publik tanpa enumerator). Penilai kementerian mengurangi nilai untuk "
            "responden yang dipakai di lebih dari satu pilar."
        ),
    ),
    ResponseFlag(
        "not_used",
        "flag_not_used",
        _("Belum pernah memakai"),
        _(
            "Responden menjawab belum pernah memakai minimal satu program formulir ini, atau memilih "
            "'belum pernah menggunakan' pada suatu pernyataan. Penilai mengurangi nilai untuk "
            "responden yang tidak memakai programnya."
        ),
    ),
    ResponseFlag(
        "too_fast",
        "flag_too_fast",
        _("Terlalu cepat"),
        _(
            "Formulir diisi dalam waktu kurang dari %(seconds)s detik per pernyataan: terlalu cepat untuk "
            "membaca setiap pernyataan."
        ),
    ),
    ResponseFlag(
        "straight",
        "flag_straight",
        _("Jawaban seragam"),
        _("Semua pernyataan yang dinilai (minimal 3) diberi nilai yang sama: responden mungkin tidak membacanya."),
    ),
]
FLAGS_BY_CODE = {flag.code: flag for flag in RESPONSE_FLAGS}


def min_seconds_per_statement():
    return getattr(settings, "SURVEY_MIN_SECONDS_PER_STATEMENT", DEFAULT_MIN_SECONDS_PER_STATEMENT)


def _flag_expressions():
    """The four flags as SQL expressions on a response (fresh objects each call: an expression
    resolved into one query must not be reused in another)."""
    # Reuse: only against responses of another pillar that still count (once the coordinator
    # excluded the copy, the one left is no longer reused). A device is the same person only on
    # the public link: an enumerator hands one phone to many respondents.
    others = SurveyResponse.objects.filter(form__survey=OuterRef("form__survey"), excluded_at__isnull=True).exclude(
        form__pillar=OuterRef("form__pillar")
    )
    same_contact = others.filter(contact_hash=OuterRef("contact_hash")).exclude(contact_hash="")
    same_device = others.filter(device_hash=OuterRef("device_hash"), enumerator__isnull=True).exclude(device_hash="")
    reuse = Q(Exists(same_contact)) | (Q(enumerator__isnull=True) & Q(Exists(same_device)))
    never = ProgrammeUse.objects.filter(response=OuterRef("pk"), frequency=ProgrammeUse.Frequency.NEVER)
    never_rated = SurveyRating.objects.filter(response=OuterRef("pk"), never_used=True)
    # Too fast: the time from loading the form to sending it, against the statements it showed.
    statements = (
        SurveyRating.objects.filter(response=OuterRef("pk"))
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n")
    )
    threshold = ExpressionWrapper(
        Value(timedelta(seconds=min_seconds_per_statement()))
        * Subquery(statements, output_field=models.IntegerField()),
        output_field=models.DurationField(),
    )
    duration = ExpressionWrapper(F("submitted_at") - F("started_at"), output_field=models.DurationField())
    uniform = (
        SurveyRating.objects.filter(response=OuterRef("pk"), score__isnull=False)
        .order_by()
        .values("response")
        .annotate(n=Count("pk"), low=Min("score"), high=Max("score"))
        .filter(n__gte=STRAIGHT_LINE_MIN_RATED, low=F("high"))
    )
    return {
        "flag_reuse": ExpressionWrapper(reuse, output_field=models.BooleanField()),
        "flag_not_used": ExpressionWrapper(
            Q(Exists(never)) | Q(Exists(never_rated)), output_field=models.BooleanField()
        ),
        "flag_too_fast": ExpressionWrapper(Q(LessThan(duration, threshold)), output_field=models.BooleanField()),
        "flag_straight": Exists(uniform),
    }


def _any_flag():
    return Q(*(Q(**{flag.field: True}) for flag in RESPONSE_FLAGS), _connector=Q.OR)


class SurveyResponseQuerySet(models.QuerySet):
    def counted(self):
        """Responses that count: not excluded by a coordinator."""
        return self.filter(excluded_at__isnull=True)

    def excluded(self):
        return self.filter(excluded_at__isnull=False)

    def with_flags(self):
        """Each response with flag_reuse, flag_not_used, flag_too_fast and flag_straight (booleans
        computed in the same query: subqueries per row, no extra query)."""
        return self.annotate(**_flag_expressions())

    def _flags_available(self):
        return self if "flag_reuse" in self.query.annotations else self.alias(**_flag_expressions())

    def flagged(self, code=None):
        """Responses with any flag raised, or with the flag `code` (a ResponseFlag.code)."""
        qs = self._flags_available()
        if code:
            return qs.filter(**{FLAGS_BY_CODE[code].field: True})
        return qs.filter(_any_flag())

    def counts_per_form(self):
        """{form id: {total, counted, flagged, flagged_counted}} in one query."""
        kept = Q(excluded_at__isnull=True)
        rows = (
            self._flags_available()
            .order_by()
            .values("form")
            .annotate(
                total=Count("pk"),
                counted=Count("pk", filter=kept),
                flagged=Count("pk", filter=_any_flag()),
                flagged_counted=Count("pk", filter=_any_flag() & kept),
            )
        )
        return {row.pop("form"): row for row in rows}

    def per_day(self):
        """[{day, total, counted}] by local date of sending, oldest first: one query."""
        return list(
            self.order_by()
            .annotate(day=TruncDate("submitted_at"))
            .values("day")
            .annotate(total=Count("pk"), counted=Count("pk", filter=Q(excluded_at__isnull=True)))
            .order_by("day")
        )

    def profile_counts(self, field):
        """[(value, count)] of one profile field (age_band, occupation, kecamatan), most first."""
        return list(self.order_by().values_list(field).annotate(n=Count("pk")).order_by("-n", field))


class SurveyResponse(models.Model):
    class AgeBand(models.TextChoices):
        UNDER_20 = "<20", _("di bawah 20 tahun")
        FROM_20 = "20-29", _("20–29 tahun")
        FROM_30 = "30-39", _("30–39 tahun")
        FROM_40 = "40-49", _("40–49 tahun")
        FROM_50 = "50-59", _("50–59 tahun")
        FROM_60 = "60+", _("60 tahun ke atas")

    class Occupation(models.TextChoices):
        CIVIL_SERVANT = "asn", _("ASN / TNI / Polri")
        EMPLOYEE = "swasta", _("Karyawan swasta / BUMN")
        ENTREPRENEUR = "usaha", _("Wiraswasta / pedagang / pelaku UMKM")
        FARMER = "tani", _("Petani / pekebun / nelayan / peternak")
        LABOURER = "buruh", _("Buruh / pekerja lepas")
        STUDENT = "pelajar", _("Pelajar / mahasiswa")
        HOME = "rumah", _("Mengurus rumah tangga")
        COMMUNITY = "tokoh", _("Tokoh masyarakat / pengurus komunitas")
        OTHER = "lain", _("Lainnya")

    form = models.ForeignKey(SurveyForm, on_delete=models.PROTECT, related_name="responses")
    enumerator = models.ForeignKey(
        Enumerator, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    # The signed token's nonce: a token is good for one response (a replayed form is refused).
    nonce = models.CharField(max_length=32, unique=True, editable=False)
    started_at = models.DateTimeField(_("formulir dibuka"))
    submitted_at = models.DateTimeField(_("dikirim"), default=timezone.now, db_index=True)
    age_band = models.CharField(_("usia"), max_length=6, choices=AgeBand.choices)
    occupation = models.CharField(_("pekerjaan"), max_length=10, choices=Occupation.choices)
    kecamatan = models.ForeignKey(
        "evaluations.Kecamatan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    # Keyed hashes only (keyed_hash): the contact the respondent chose to give, the browser's cookie.
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    device_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    excluded_at = models.DateTimeField(_("dikeluarkan"), null=True, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exclusion_reason = limited_text(_("alasan dikeluarkan"), EXCLUSION_REASON_MAX_LENGTH, blank=True)

    objects = SurveyResponseQuerySet.as_manager()  # the monitor's flags and counts (below)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("respons survei dampak")
        verbose_name_plural = _("respons survei dampak")

    def __str__(self):
        return f"#{self.pk} {self.form}"

    @property
    def is_excluded(self):
        return self.excluded_at is not None

    @property
    def duration_seconds(self):
        return (self.submitted_at - self.started_at).total_seconds()

    # --- Monitoring (surveys-monitor): flags read from with_flags(), exclusion and its undo ---

    @property
    def flags(self):
        """The flags raised on this response (a response read through with_flags())."""
        return [flag for flag in RESPONSE_FLAGS if getattr(self, flag.field)]

    def _lock(self):
        """Re-read the exclusion under a row lock: two coordinators acting on the same response at
        once are served one after the other, and the second sees what the first did."""
        self.refresh_from_db(
            fields=["excluded_at", "excluded_by", "exclusion_reason"],
            from_queryset=SurveyResponse.objects.select_for_update(),
        )

    @transaction.atomic
    def exclude(self, by, reason):
        """Keep the response but leave it out of every count and score, with the coordinator's
        reason; the history keeps who did it and why."""
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        reason = (reason or "").strip()
        if not reason:
            raise TransitionError(_("Tulis alasan mengeluarkan respons ini."))
        if len(reason) > EXCLUSION_REASON_MAX_LENGTH:
            raise TransitionError(_("Alasan paling panjang %(n)s karakter.") % {"n": EXCLUSION_REASON_MAX_LENGTH})
        self._lock()
        if self.is_excluded:
            raise TransitionError(
                _(
                    "Respons ini sudah dikeluarkan oleh %(user)s pada %(at)s. "
                    "Muat ulang halaman untuk melihat keadaan terbaru."
                )
                % {"user": self.excluded_by, "at": timezone.localtime(self.excluded_at).strftime("%d-%m-%Y %H:%M")}
            )
        self.excluded_at = timezone.now()
        self.excluded_by = by
        self.exclusion_reason = reason
        self.save(update_fields=["excluded_at", "excluded_by", "exclusion_reason"])
        SurveyResponseEvent.objects.create(
            response=self, action=SurveyResponseEvent.Action.EXCLUDED, actor=by, note=reason
        )

    @transaction.atomic
    def include(self, by, note=""):
        """Undo an exclusion ("kembalikan"): the response counts again; the history keeps the
        exclusion it undid and this undo."""
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        note = (note or "").strip()
        if len(note) > EXCLUSION_REASON_MAX_LENGTH:
            raise TransitionError(_("Catatan paling panjang %(n)s karakter.") % {"n": EXCLUSION_REASON_MAX_LENGTH})
        self._lock()
        if not self.is_excluded:
            raise TransitionError(
                _(
                    "Respons ini sudah dihitung kembali oleh pengguna lain. "
                    "Muat ulang halaman untuk melihat keadaan terbaru."
                )
            )
        self.excluded_at = None
        self.excluded_by = None
        self.exclusion_reason = ""
        self.save(update_fields=["excluded_at", "excluded_by", "exclusion_reason"])
        SurveyResponseEvent.objects.create(
            response=self, action=SurveyResponseEvent.Action.INCLUDED, actor=by, note=note
        )


class ProgrammeUse(models.Model):
    class Frequency(models.TextChoices):
        NEVER = "never", _("Belum pernah")
        ONCE = "once", _("Sekali")
        SOMETIMES = "some", _("Beberapa kali")
        OFTEN = "often", _("Sering / rutin")

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="uses")
    programme = models.ForeignKey(SurveyProgramme, on_delete=models.PROTECT, related_name="uses")
    frequency = models.CharField(_("seberapa sering"), max_length=5, choices=Frequency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "programme"], name="programme_use_once_per_response"),
        ]

    def __str__(self):
        return f"{self.programme}: {self.get_frequency_display()}"

    @property
    def used(self):
        return self.frequency != self.Frequency.NEVER


class SurveyRating(models.Model):
    SCALE = [
        (0, _("Sangat tidak setuju")),
        (1, _("Tidak setuju")),
        (2, _("Ragu-ragu")),
        (3, _("Setuju")),
        (4, _("Sangat setuju")),
    ]

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="ratings")
    statement = models.ForeignKey(SurveyStatement, on_delete=models.PROTECT, related_name="ratings")
    # None together with never_used: "never used this programme", kept out of every mean.
    score = models.PositiveSmallIntegerField(_("nilai"), null=True, blank=True, choices=SCALE)
    never_used = models.BooleanField(_("belum pernah menggunakan"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "statement"], name="survey_rating_once_per_statement"),
            models.CheckConstraint(
                condition=(Q(never_used=True, score__isnull=True) | Q(never_used=False, score__gte=0, score__lte=4)),
                name="survey_rating_score_or_never_used",
            ),
        ]

    def __str__(self):
        return f"{self.statement.code}: {'–' if self.never_used else self.score}"


# --- The public form's one write (helper surveys-form) -----------------------------------------


class ResponseRefused(Exception):
    """A response that is not saved: `reason` is REPLAYED (this loaded form was already sent),
    SAME_DEVICE or SAME_CONTACT (this form already has a response from that device or contact)."""

    REPLAYED = "replayed"
    SAME_DEVICE = "same_device"
    SAME_CONTACT = "same_contact"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def record_response(
    form, *, nonce, started_at, profile, uses, ratings, enumerator=None, contact_hash="", device_hash=""
):
    """Save one respondent's submission to `form`: the response with its `profile` (age_band,
    occupation, kecamatan), `uses` {programme: frequency} and `ratings` {statement: score or None};
    None, and every statement of a programme the respondent never used, is recorded as never_used.

    All or nothing, in one transaction. The form's row is locked first so that two submissions of
    the same form are checked for duplicates one after the other: two taps on "Kirim" from one
    phone must not both pass the check. Raises ResponseRefused, saving nothing, when the nonce was
    used, or when a public-link response of the same device, or any response with the same contact,
    exists. An enumerator's link is exempt from the device check: one enumerator's phone collects
    many respondents. Five queries: lock, duplicate check, and three inserts."""
    never = {
        programme.subdimension_id for programme, frequency in uses.items() if frequency == ProgrammeUse.Frequency.NEVER
    }
    try:
        with transaction.atomic():
            # No ordering: the default one joins the nullable sub-dimension, which FOR UPDATE refuses.
            list(SurveyForm.objects.select_for_update().filter(pk=form.pk).order_by().values_list("pk"))
            duplicate = Q(nonce=nonce)
            if contact_hash:
                duplicate |= Q(form=form, contact_hash=contact_hash)
            if device_hash and enumerator is None:
                duplicate |= Q(form=form, enumerator__isnull=True, device_hash=device_hash)
            earlier = SurveyResponse.objects.filter(duplicate).values_list("nonce", "contact_hash").first()
            if earlier is not None:
                if earlier[0] == nonce:
                    raise ResponseRefused(ResponseRefused.REPLAYED)
                if contact_hash and earlier[1] == contact_hash:
                    raise ResponseRefused(ResponseRefused.SAME_CONTACT)
                raise ResponseRefused(ResponseRefused.SAME_DEVICE)
            response = SurveyResponse.objects.create(
                form=form,
                enumerator=enumerator,
                nonce=nonce,
                started_at=started_at,
                contact_hash=contact_hash,
                device_hash=device_hash,
                **profile,
            )
            ProgrammeUse.objects.bulk_create(
                ProgrammeUse(response=response, programme=programme, frequency=frequency)
                for programme, frequency in uses.items()
            )
            SurveyRating.objects.bulk_create(
                SurveyRating(
                    response=response,
                    statement=statement,
                    score=None if score is None or statement.subdimension_id in never else score,
                    never_used=score is None or statement.subdimension_id in never,
                )
                for statement, score in ratings.items()
            )
    except IntegrityError as error:
        # The nonce's unique constraint: the same form sent twice at the same instant on a
        # database that does not lock rows (SQLite); the first one won.
        if SurveyResponse.objects.filter(nonce=nonce).exists():
            raise ResponseRefused(ResponseRefused.REPLAYED) from error
        raise
    return response


# --- Results: the survey's means, and the impact questions' answers filled from them ----------
# (helper surveys-results; the scores themselves are plain functions in evaluations.survey_scoring)


def survey_results(period):
    """The impact survey's means and respondents of `period` (survey_scoring.SurveyResult; `exists`
    is False when the period has no survey form). Two queries whatever the number of responses:
    the statements with their ratings summed up by the database, over all responses and over
    those not excluded (one aggregate query), and the responses counted per form."""
    kept = Q(ratings__response__excluded_at__isnull=True)
    scored = Q(ratings__score__isnull=False)
    never = Q(ratings__never_used=True)
    statements = (
        SurveyStatement.objects.filter(period=period)
        .order_by("subdimension__pillar__order", "subdimension__order", "order", "code")
        .values(
            "id",
            "code",
            "text",
            "subdimension__code",
            "subdimension__name",
            "subdimension__pillar__code",
            "subdimension__pillar__name",
        )
        .annotate(
            all_sum=models.Sum("ratings__score", default=0),
            all_scored=models.Count("ratings", filter=scored),
            all_never=models.Count("ratings", filter=never),
            kept_sum=models.Sum("ratings__score", filter=kept, default=0),
            kept_scored=models.Count("ratings", filter=kept & scored),
            kept_never=models.Count("ratings", filter=kept & never),
        )
    )
    tallies = [
        survey_scoring.StatementTally(
            id=row["id"],
            code=row["code"],
            text=row["text"],
            pillar=row["subdimension__pillar__code"],
            pillar_name=row["subdimension__pillar__name"],
            subdimension=row["subdimension__code"],
            subdimension_name=row["subdimension__name"],
            **{name: row[name] for name in ("all_scored", "all_never", "kept_scored", "kept_never")},
            all_sum=Decimal(row["all_sum"]),
            kept_sum=Decimal(row["kept_sum"]),
        )
        for row in statements
    ]
    forms = (
        SurveyForm.objects.filter(survey__period=period)
        .values("pk", "pillar__code", "subdimension__code", "target")
        .annotate(
            total=models.Count("responses"),
            kept_n=models.Count("responses", filter=Q(responses__excluded_at__isnull=True)),
        )
        .order_by()
    )
    counts = [
        survey_scoring.FormCount(
            pillar=row["pillar__code"],
            subdimension=row["subdimension__code"],
            total=row["total"],
            kept=row["kept_n"],
            target=row["target"],
        )
        for row in forms
    ]
    return survey_scoring.survey_results(tallies, counts)


# The answer types an impact question may have: the survey mean is a number on the 0–4 scale.
# A level question (always scored) counts in the index with the mean as its score; a number
# question holds the mean too but, like every number question, is scored only when the instrument
# gives it score bands (Question.type_is_scorable). Other types are left alone and reported.
IMPACT_ANSWER_TYPES = ("level", "number")


@dataclass
class ImpactFill:
    """What filling the impact questions did, for the coordinator's messages."""

    written: list = field(default_factory=list)  # (agency, question code, score)
    unchanged: int = 0
    refused: list = field(default_factory=list)  # (agency, question code): approved submissions
    skipped: list = field(default_factory=list)  # (question code, reason)


def impact_questions(period):
    """The period's questions answered from the impact survey, in form order. One query."""
    return list(
        Question.objects.for_period(period)
        .filter(from_impact_survey=True)
        .select_related("pillar", "subdimension")
        .order_by("indicator__dimension__order", "indicator__order", "order", "code")
    )


@transaction.atomic
def fill_impact_answers(period, by):
    """Write the survey means into the answers of the impact questions (Question.from_impact_survey)
    in the submissions of every agency that answers them (by pillar or by name): the value and the
    self score are the mean of the question's sub-dimension, or of its pillar when it has none,
    rounded to 2 decimals as a score. One transaction, so either every answer is written or none.

    - an answer already holding that value is left alone: running it again changes nothing;
    - an approved submission is never changed (the admin reopens it first): reported as refused;
    - a verified score given to an older value is cleared, as when an operator changes an answer,
      so the index never counts a coordinator's score of something else;
    - every change writes an AnswerChange saying it came from the survey.

    Raises TransitionError when there is nothing to fill from (no response after exclusions, no
    impact question) or the period is closed."""
    if not by.has_perm(REVIEW):
        raise PermissionDenied
    if period.is_closed():
        raise TransitionError(_("Periode ini sudah ditutup: jawaban tidak dapat diisi lagi."))
    results = survey_results(period)
    if not results.respondents.kept:
        raise TransitionError(_("Belum ada respons survei dampak yang dihitung: tidak ada yang dapat diisi."))
    questions = impact_questions(period)
    if not questions:
        raise TransitionError(_("Instrumen periode ini tidak memiliki pertanyaan yang diisi dari survei dampak."))

    fill = ImpactFill()
    scores = {}  # question id -> (score, GroupResult)
    for question in questions:
        group = results.group_for(question.pillar.code if question.pillar_id else None, _code(question.subdimension))
        if question.answer_type not in IMPACT_ANSWER_TYPES:
            fill.skipped.append((question.code, _("jenis jawabannya bukan level atau angka")))
        elif group is None or group.mean is None:
            fill.skipped.append((question.code, _("belum ada skor survei untuk sub-dimensi atau pilarnya")))
        else:
            scores[question.pk] = (survey_scoring.as_score(group.mean), group)

    agencies = _agencies_answering(period, [q for q in questions if q.pk in scores])
    submissions = {}
    for agency_id in sorted({a for ids in agencies.values() for a in ids}):
        submission, _created = Submission.objects.select_related("agency").get_or_create(
            period=period, agency_id=agency_id
        )
        submission.lock()  # a transition of the same submission waits for this fill, or the other way round
        submissions[agency_id] = submission
    answers = {
        (a.submission_id, a.question_id): a
        for a in Answer.objects.filter(submission__in=list(submissions.values()), question_id__in=list(scores))
    }
    changes = []
    for question in questions:
        if question.pk not in scores:
            continue
        score, group = scores[question.pk]
        for agency_id in sorted(agencies[question.pk]):
            submission = submissions[agency_id]
            answer = answers.get((submission.pk, question.pk))
            if answer is not None and _holds(answer, score):
                fill.unchanged += 1
            elif submission.is_approved():
                fill.refused.append((submission.agency, question.code))
            else:
                answer, old_value = _write_impact_answer(submission, question, answer, score, by, changes)
                source = _("%(score)s: rata-rata survei dampak %(group)s, %(n)s responden") % {
                    "score": format_score(score),
                    "group": group.name or group.code,
                    "n": group.respondents.kept,
                }
                changes.append(
                    AnswerChange(
                        answer=answer, changed_by=by, field="impact_survey", old_value=old_value, new_value=source
                    )
                )
                fill.written.append((submission.agency, question.code, score))
    AnswerChange.objects.bulk_create(changes)
    return fill


def _code(subdimension):
    return subdimension.code if subdimension is not None else None


def _agencies_answering(period, questions):
    """{question id: {agency id}}: the agencies answering each question, by pillar or by name. One
    query."""
    by_pillar, by_question = {}, {}
    for agency_id, pillar_id, question_id in Assignment.objects.filter(period=period).values_list(
        "agency_id", "pillar_id", "question_id"
    ):
        if pillar_id is not None:
            by_pillar.setdefault(pillar_id, set()).add(agency_id)
        if question_id is not None:
            by_question.setdefault(question_id, set()).add(agency_id)
    return {q.pk: by_pillar.get(q.pillar_id, set()) | by_question.get(q.pk, set()) for q in questions}


def _holds(answer, score):
    """The answer already says what the survey says (and is no copy awaiting confirmation)."""
    return (
        answer.number_value == score
        and answer.self_score == score
        and answer.option_id is None
        and not answer.carried_forward
    )


def _write_impact_answer(submission, question, answer, score, by, changes):
    """Create or update one answer with the survey's score; returns it with its value as it read
    before. A cleared verified score is added to `changes`."""
    values = {
        "option": None,
        "bool_value": None,
        "number_value": score,
        "text_value": "",
        "date_value": None,
        "self_score": score,
        "carried_forward": False,
        "updated_by": by,
    }
    if answer is None:
        answer = Answer.objects.create(submission=submission, question=question, **values)
        old = ""
    else:
        answer.question = question
        old = answer.value_display() if answer.is_answered else ""
        if answer.verified_score is not None:
            changes.append(
                AnswerChange(
                    answer=answer,
                    changed_by=by,
                    field="verified_score",
                    old_value=format_score(answer.verified_score),
                    new_value="",
                )
            )
            values["verified_score"] = None
        Answer.objects.filter(pk=answer.pk).update(**values, version=F("version") + 1, updated_at=timezone.now())
    return answer, old


class SurveyResponseEvent(models.Model):
    """One exclusion of a response, or its undo, by a coordinator: the response keeps only its
    current state, this keeps the history (who, when, why)."""

    class Action(models.TextChoices):
        EXCLUDED = "excluded", _("Dikeluarkan")
        INCLUDED = "included", _("Dihitung kembali")

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh")
    )
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    note = limited_text(_("alasan / catatan"), EXCLUSION_REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("riwayat pengecualian respons")
        verbose_name_plural = _("riwayat pengecualian respons")

    def __str__(self):
        return f"{self.response} {self.get_action_display()}"
