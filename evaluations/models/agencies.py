"""Kecamatan, the regency's agencies (Perangkat Daerah), their people and who answers what."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KecamatanManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Kecamatan(models.Model):
    code = models.CharField(_("kode Kemendagri"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=80, unique=True)

    objects = KecamatanManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class AgencyManager(models.Manager):
    def get_by_natural_key(self, abbreviation):
        return self.get(abbreviation=abbreviation)


class Agency(models.Model):
    class Kind(models.TextChoices):
        DINAS = "dinas", _("Dinas")
        BADAN = "badan", _("Badan")
        SEKRETARIAT = "sekretariat", _("Sekretariat")
        KECAMATAN = "kecamatan", _("Kecamatan")
        OTHER = "other", _("Lainnya")

    name = models.CharField(_("nama"), max_length=200, unique=True)
    abbreviation = models.CharField(_("singkatan"), max_length=30, unique=True)
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

    objects = AgencyManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("perangkat daerah")
        verbose_name_plural = _("perangkat daerah")
        # Granted to the role groups (evaluations.roles.ROLE_PERMISSIONS); models check it with
        # user.has_perm, never by group name.
        permissions = [("view_all_agencies", _("Melihat data semua perangkat daerah"))]

    def __str__(self):
        return self.abbreviation

    def natural_key(self):
        return (self.abbreviation,)


class AgencyMemberManager(models.Manager):
    def agency_of(self, user):
        """The agency a user works for, or None; remembered on the user object, so a page asks once."""
        if not user.is_authenticated:
            return None
        if not hasattr(user, "_agency_cache"):
            member = self.select_related("agency").filter(user=user).first()
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

    objects = AgencyMemberManager()

    class Meta:
        verbose_name = _("anggota perangkat daerah")
        verbose_name_plural = _("anggota perangkat daerah")

    def __str__(self):
        return f"{self.user} – {self.agency}"


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
