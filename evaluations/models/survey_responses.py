"""The impact survey's responses (survei dampak, Tahap II): what one respondent sent, and what
coordinators check before it counts.

    SurveyResponse       one respondent's submission: profile, keyed hashes (never contact data in
                         clear), timing, and the coordinator's exclusion (kept, never deleted)
    ProgrammeUse         which of the form's programmes the respondent used, and how often
    SurveyRating         one statement's rating, or "never used this programme" (kept out of scores)
    SurveyResponseEvent  one exclusion of a response or its undo (who, when, why)

The monitor's quality flags (RESPONSE_FLAGS) are SQL expressions on a response, so a list shows
them without a query per row (SurveyResponse.objects.with_flags()). A response of a burst from one
network (issue 28) is also held for review when it is saved: excluded with no coordinator named
(is_held), until a coordinator counts it again or excludes it with a reason. The survey, its programmes,
forms and enumerator links are in models/surveys.py; recording a response and the survey's means
in evaluations/surveys.py.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import REVIEW
from .fields import limited_text
from .regions import region_scoped
from .surveys import Enumerator, SurveyForm, SurveyProgramme, SurveyStatement
from .transitions import TransitionError

EXCLUSION_REASON_MAX_LENGTH = 500
DEFAULT_MIN_SECONDS_PER_STATEMENT = 3
STRAIGHT_LINE_MIN_RATED = 3
DEFAULT_BURST_LIMIT = 3
DEFAULT_BURST_WINDOW = 60 * 60
# The reason a held response carries (data, like a coordinator's reason: stored in Indonesian).
HELD_REASON = "Ditahan untuk ditinjau: kiriman beruntun lewat tautan publik dari satu jaringan."
# Held: excluded by the burst rule, not yet by a coordinator (exclude() always names one).
HELD = Q(excluded_at__isnull=False, excluded_by__isnull=True)


@dataclass(frozen=True)
class ResponseFlag:
    code: str  # in URLs (?tanda=) and CSS classes
    field: str  # the with_flags() annotation
    label: str
    explanation: str

    def describe(self):
        """The explanation with the current thresholds filled in."""
        limit, window = burst_rule()
        return str(self.explanation) % {"seconds": min_seconds_per_statement(), "limit": limit, "minutes": window // 60}


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
    ResponseFlag(
        "burst",
        "flag_burst",
        _("Kiriman beruntun dari satu jaringan"),
        _(
            "Lebih dari %(limit)s respons lewat tautan publik (tanpa enumerator) datang dari satu alamat jaringan "
            "(IPv6: satu blok /64) dalam %(minutes)s menit: bisa satu orang yang mengisi berulang kali, bisa juga "
            "beberapa orang di satu Wi-Fi. Respons ini ditahan dan tidak dihitung sampai koordinator meninjaunya, "
            "lalu mengembalikan atau mengeluarkannya. Untuk pengisian bersama, pakai tautan enumerator."
        ),
    ),
]
FLAGS_BY_CODE = {flag.code: flag for flag in RESPONSE_FLAGS}


def min_seconds_per_statement():
    return getattr(settings, "SURVEY_MIN_SECONDS_PER_STATEMENT", DEFAULT_MIN_SECONDS_PER_STATEMENT)


def burst_rule():
    """(limit, window in seconds): more than `limit` public-link responses of one form from one
    network within `window` are a burst (settings SURVEY_BURST_LIMIT, SURVEY_BURST_WINDOW)."""
    return (
        getattr(settings, "SURVEY_BURST_LIMIT", DEFAULT_BURST_LIMIT),
        getattr(settings, "SURVEY_BURST_WINDOW", DEFAULT_BURST_WINDOW),
    )


def _flag_expressions():
    """The flags as SQL expressions on a response (fresh objects each call: an expression
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
        # Stored when the response (or a later one of its burst) was saved: surveys.record_response.
        "flag_burst": ExpressionWrapper(Q(burst=True), output_field=models.BooleanField()),
    }


def _any_flag():
    return Q(*(Q(**{flag.field: True}) for flag in RESPONSE_FLAGS), _connector=Q.OR)


class SurveyResponseQuerySet(models.QuerySet):
    def counted(self):
        """Responses that count: not excluded by a coordinator, nor held for review (a burst)."""
        return self.filter(excluded_at__isnull=True)

    def excluded(self):
        return self.filter(excluded_at__isnull=False)

    def held(self):
        """Responses held for review by the burst rule, not yet looked at by a coordinator."""
        return self.filter(HELD)

    def burst_from(self, form, network_hash, since):
        """The public-link responses of `form` sent from one network (its keyed hash) since `since`."""
        return self.filter(form=form, enumerator__isnull=True, network_hash=network_hash, submitted_at__gte=since)

    def hold_for_review(self, now):
        """Mark these responses as part of a burst, and hold those that still count: excluded with
        HELD_REASON and no coordinator named. A response marked before is left alone, so one a
        coordinator counted again after review is not held again by the same burst. One query."""
        return self.filter(burst=False).update(
            burst=True,
            excluded_at=Coalesce("excluded_at", Value(now)),
            exclusion_reason=Case(
                When(excluded_at__isnull=True, then=Value(HELD_REASON)),
                default=F("exclusion_reason"),
                output_field=models.TextField(),
            ),
        )

    def with_flags(self):
        """Each response with its flags (flag_reuse, flag_not_used, flag_too_fast, flag_straight,
        flag_burst: booleans computed in the same query, subqueries per row, no extra query)."""
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
        """{form id: {total, counted, held, flagged, flagged_counted}} in one query."""
        kept = Q(excluded_at__isnull=True)
        rows = (
            self._flags_available()
            .order_by()
            .values("form")
            .annotate(
                total=Count("pk"),
                counted=Count("pk", filter=kept),
                held=Count("pk", filter=HELD),
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

    def for_monitor(self, show=None, flag=None):
        """The monitor's list of responses, newest first, each with its flags and what its row shows:
        every response, or only the "flagged", "held", "excluded" or "counted" ones (`show`); with
        `flag` (a ResponseFlag) only those raising it."""
        listed = self.with_flags()
        if show is not None:
            states = {"flagged": listed.flagged, "held": listed.held, "excluded": listed.excluded}
            listed = {**states, "counted": listed.counted}[show]()
        if flag is not None:
            listed = listed.flagged(flag.code)
        return listed.select_related("enumerator", "kecamatan").order_by("-submitted_at", "-pk")

    def same_respondent_as(self, response):
        """The survey's other responses with the same contact or the same device as `response`,
        oldest first (none when it has neither): the respondent elsewhere in the survey."""
        match = Q()
        if response.contact_hash:
            match |= Q(contact_hash=response.contact_hash)
        if response.device_hash:
            match |= Q(device_hash=response.device_hash)
        if not match:
            return self.none()
        return (
            self.filter(match, form__survey=response.form.survey_id)
            .exclude(pk=response.pk)
            .select_related("form__pillar", "form__subdimension", "enumerator")
            .order_by("submitted_at", "pk")
        )


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
    # Keyed hashes only (evaluations.survey_senders.keyed_hash): the contact the respondent chose to
    # give, the browser's cookie, the network it was sent from (an IPv4 address or an IPv6 /64).
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    device_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    network_hash = models.CharField(max_length=64, blank=True, editable=False)
    # One of a burst from one network on the public link (the "burst" flag): kept once set, also
    # after a coordinator counted the response again.
    burst = models.BooleanField(default=False, editable=False)
    excluded_at = models.DateTimeField(_("dikeluarkan"), null=True, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exclusion_reason = limited_text(_("alasan dikeluarkan"), EXCLUSION_REASON_MAX_LENGTH, blank=True)

    objects = region_scoped("form__survey__period__region", SurveyResponseQuerySet)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["form", "network_hash", "submitted_at"], name="survey_response_burst")]
        verbose_name = _("respons survei dampak")
        verbose_name_plural = _("respons survei dampak")

    def __str__(self):
        return f"#{self.pk} {self.form}"

    @property
    def is_excluded(self):
        return self.excluded_at is not None

    @property
    def is_held(self):
        """Held for review by the burst rule: not counted, and no coordinator has decided yet."""
        return self.excluded_at is not None and self.excluded_by_id is None

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
        reason; the history keeps who did it and why. A response held for review may be excluded:
        the coordinator confirms it does not count."""
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        reason = (reason or "").strip()
        if not reason:
            raise TransitionError(_("Tulis alasan mengeluarkan respons ini."))
        if len(reason) > EXCLUSION_REASON_MAX_LENGTH:
            raise TransitionError(_("Alasan paling panjang %(n)s karakter.") % {"n": EXCLUSION_REASON_MAX_LENGTH})
        self._lock()
        if self.is_excluded and not self.is_held:
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
        """Undo an exclusion ("kembalikan"), or count a response held for review: it counts again;
        the history keeps the exclusion it undid and this undo."""
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

    objects = region_scoped("response__form__survey__period__region")

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

    objects = region_scoped("response__form__survey__period__region")

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

    objects = region_scoped("response__form__survey__period__region")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("riwayat pengecualian respons")
        verbose_name_plural = _("riwayat pengecualian respons")

    def __str__(self):
        return f"{self.response} {self.get_action_display()}"
