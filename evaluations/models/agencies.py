"""Kecamatan, a region's agencies (Perangkat Daerah), their people and who answers what."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .regions import Region, region_scoped


class KecamatanManager(models.Manager):
    def get_by_natural_key(self, code):
        # Kemendagri's kecamatan code holds its region's (64.08.01): unique nationally.
        return self.with_scopes_disabled().get(code=code)


class Kecamatan(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="kecamatan", verbose_name=_("wilayah"))
    code = models.CharField(_("kode Kemendagri"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=80)

    objects = region_scoped("region", KecamatanManager)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="kecamatan_name_unique_in_region")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class AgencyManager(models.Manager):
    def get_by_natural_key(self, abbreviation, region_code=None):
        """(abbreviation,) is the default region's agency, as the shipped fixtures name it."""
        return self.with_scopes_disabled().get(
            abbreviation=abbreviation, region__code=region_code or settings.REGION_CODE
        )


class Agency(models.Model):
    class Kind(models.TextChoices):
        DINAS = "dinas", _("Dinas")
        BADAN = "badan", _("Badan")
        SEKRETARIAT = "sekretariat", _("Sekretariat")
        KECAMATAN = "kecamatan", _("Kecamatan")
        OTHER = "other", _("Lainnya")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("wilayah"))
    name = models.CharField(_("nama"), max_length=200)
    abbreviation = models.CharField(_("singkatan"), max_length=30)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices, default=Kind.DINAS)
    kecamatan = models.ForeignKey(
        Kecamatan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("kecamatan"),
        help_text=_("Untuk kantor kecamatan."),
    )
    active = models.BooleanField(_("aktif"), default=True)

    objects = region_scoped("region", AgencyManager)

    class Meta:
        ordering = ["name"]
        verbose_name = _("perangkat daerah")
        verbose_name_plural = _("perangkat daerah")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="agency_name_unique_in_region",
                violation_error_message=_("Sudah ada perangkat daerah dengan nama ini di wilayah ini."),
            ),
            models.UniqueConstraint(
                fields=["region", "abbreviation"],
                name="agency_abbreviation_unique_in_region",
                violation_error_message=_("Sudah ada perangkat daerah dengan singkatan ini di wilayah ini."),
            ),
        ]
        # Granted to the role groups (evaluations.roles.ROLE_PERMISSIONS); models check it with
        # user.has_perm, never by group name.
        permissions = [("view_all_agencies", _("Melihat data semua perangkat daerah"))]

    def __str__(self):
        return self.abbreviation

    def natural_key(self):
        return (self.abbreviation, self.region.code)

    natural_key.dependencies = ["evaluations.region"]


class AgencyMemberManager(models.Manager):
    def agency_of(self, user):
        """The agency a user works for, or None; remembered on the user object, so a page asks once."""
        if not user.is_authenticated:
            return None
        if not hasattr(user, "_agency_cache"):
            # The agency decides the request's region (evaluations.regions): asked before any scope.
            member = self.with_scopes_disabled().select_related("agency__region").filter(user=user).first()
            user._agency_cache = member.agency if member else None
        return user._agency_cache


class AgencyMember(models.Model):
    """An operator works for exactly one agency."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_member", verbose_name=_("pengguna")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="members", verbose_name=_("perangkat daerah")
    )

    objects = region_scoped("agency__region", AgencyMemberManager)

    class Meta:
        verbose_name = _("anggota perangkat daerah")
        verbose_name_plural = _("anggota perangkat daerah")

    def __str__(self):
        return f"{self.user} – {self.agency}"

    def clean(self):
        staff = RegionStaff.objects.filter(user_id=self.user_id).first()
        if staff and self.agency_id and staff.region_id != self.agency.region_id:
            raise ValidationError(
                _("%(user)s sudah bekerja untuk wilayah lain; satu pengguna hanya di satu wilayah.")
                % {"user": self.user}
            )


class Assignment(models.Model):
    """Which agency answers which pillar (all its questions) or which single question, per period."""

    period = models.ForeignKey(
        "evaluations.EvaluationPeriod", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("periode")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("perangkat daerah")
    )
    pillar = models.ForeignKey(
        "pillars.Pillar",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("pilar"),
    )
    question = models.ForeignKey(
        "evaluations.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("pertanyaan"),
    )

    objects = region_scoped("period__region")

    class Meta:
        ordering = ["period", "agency__name"]
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        constraints = [
            models.CheckConstraint(
                condition=(Q(pillar__isnull=False) & Q(question__isnull=True))
                | (Q(pillar__isnull=True) & Q(question__isnull=False)),
                name="assignment_pillar_xor_question",
            ),
            models.UniqueConstraint(
                fields=["period", "agency", "pillar"],
                condition=Q(pillar__isnull=False),
                name="assignment_unique_pillar",
            ),
            models.UniqueConstraint(
                fields=["period", "agency", "question"],
                condition=Q(question__isnull=False),
                name="assignment_unique_question",
            ),
        ]

    def __str__(self):
        return f"{self.agency} → {self.pillar or self.question}"


class RegionStaff(models.Model):
    """A coordinator, admin or leader works for one region; a province reader for one province.
    Operators belong to their region through their agency."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_staff", verbose_name=_("pengguna")
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="staff", verbose_name=_("wilayah"))

    class Meta:
        verbose_name = _("petugas wilayah")
        verbose_name_plural = _("petugas wilayah")

    def __str__(self):
        return f"{self.user} – {self.region}"

    def clean(self):
        member = AgencyMember.objects.with_scopes_disabled().filter(user_id=self.user_id).select_related("agency")
        member = member.first()
        if member and member.agency.region_id != self.region_id:
            raise ValidationError(
                _("%(user)s sudah bekerja di perangkat daerah wilayah lain; satu pengguna hanya di satu wilayah.")
                % {"user": self.user}
            )
