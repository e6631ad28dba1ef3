"""Regions (kabupaten, kota, their provinces), the people who work for a region, the national
period that holds the ministry's instrument, and the managers that keep each region's rows apart.

Every row a region fills in or decides is reached from its Region: agencies and kecamatan directly,
everything else through the region's EvaluationPeriod or agency. Their managers are
`region_scoped(path)`: inside `django_scopes.scope(region=<id>)` they return that region's rows
only, with `region=[ids]` those regions' rows, with `region=None` every region's; outside any scope
a query raises ScopeError instead of quietly returning every region's rows. The request's scope is
set by evaluations.regions.RegionScopeMiddleware, a job's by its region, a command's by --region.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


def region_scoped(path, base=models.Manager):
    """The default manager of a region-owned model; `path` leads from the model to its Region,
    `base` is the model's own manager or QuerySet class."""
    if issubclass(base, models.QuerySet):
        base = models.Manager.from_queryset(base)
    return ScopedManager(region=path, _manager_class=base)


PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^(\d{2})\.(\d{2})$")


def validate_region_code(code, kind, province_code=None):
    """Kemendagri's form: a province is two digits (64), a kabupaten or kota its province's code, a
    dot and two digits (64.08); a kota's own number is 71 or more, a kabupaten's less."""
    if kind == Region.Kind.PROVINCE:
        if not PROVINCE_CODE.match(code or ""):
            raise ValidationError(
                {"code": _("Kode provinsi Kemendagri terdiri dari dua angka, mis. 64 (Kalimantan Timur).")}
            )
        return
    match = REGENCY_CODE.match(code or "")
    if not match:
        raise ValidationError(
            {"code": _("Kode kabupaten/kota Kemendagri berbentuk dua angka, titik, dua angka, mis. 64.08.")}
        )
    if province_code and match.group(1) != province_code:
        raise ValidationError(
            {
                "code": _("Kode %(code)s tidak berada di provinsi %(province)s.")
                % {"code": code, "province": province_code}
            }
        )
    is_kota = int(match.group(2)) >= 71
    if is_kota != (kind == Region.Kind.KOTA):
        raise ValidationError(
            {
                "kind": _("Menurut kode Kemendagri, %(code)s adalah %(kind)s.")
                % {"code": code, "kind": _("kota") if is_kota else _("kabupaten")}
            }
        )


class RegionQuerySet(models.QuerySet):
    def evaluated(self):
        """The regions that run the evaluation (kabupaten and kota; provinces follow them)."""
        return self.exclude(kind=Region.Kind.PROVINCE)

    def of_province(self, province):
        return self.evaluated().filter(province=province)


class RegionManager(models.Manager.from_queryset(RegionQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def default(self):
        """The region of a single-region installation (settings.REGION_CODE)."""
        return self.get(code=settings.REGION_CODE)


class Region(models.Model):
    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        PROVINCE = "provinsi", _("Provinsi")

    code = models.CharField(
        _("kode Kemendagri"),
        max_length=5,
        unique=True,
        error_messages={"unique": _("Sudah ada wilayah dengan kode Kemendagri ini.")},
    )
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regions",
        limit_choices_to={"kind": "provinsi"},
        verbose_name=_("provinsi"),
    )

    objects = RegionManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        permissions = [
            ("view_national", _("Melihat semua wilayah (kementerian)")),
            ("view_province", _("Melihat wilayah di provinsinya (provinsi)")),
            ("manage_national", _("Mengelola periode nasional dan instrumen (kementerian)")),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    def clean(self):
        if self.kind == self.Kind.PROVINCE:
            if self.province_id:
                raise ValidationError({"province": _("Provinsi tidak berada di provinsi lain.")})
        elif not self.province_id:
            raise ValidationError({"province": _("Pilih provinsi kabupaten/kota ini.")})
        validate_region_code(self.code, self.kind, self.province.code if self.province_id else None)

    @property
    def is_province(self):
        return self.kind == self.Kind.PROVINCE


class NationalPeriodManager(models.Manager):
    def get_by_natural_key(self, year, stage):
        return self.get(year=year, stage=stage)


class NationalPeriod(models.Model):
    """The ministry's period: its window and its instrument (dimensions and weights, questions,
    options, score bands, impact statements), shared by every region. Each region's own calendar,
    assignments and everything it fills in hang off its EvaluationPeriod of this national period."""

    year = models.PositiveSmallIntegerField(_("tahun"))
    stage = models.CharField(_("tahap"), max_length=1, choices=[("1", _("Tahap I")), ("2", _("Tahap II"))])
    name = models.CharField(_("nama"), max_length=150)
    opens = models.DateField(_("dibuka"))
    closes = models.DateField(_("batas akhir nasional"))

    objects = NationalPeriodManager()

    class Meta:
        ordering = ["-year", "-stage"]
        verbose_name = _("periode nasional")
        verbose_name_plural = _("periode nasional")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "stage"],
                name="national_period_unique_year_stage",
                violation_error_message=_("Sudah ada periode dengan tahun dan tahap ini."),
            ),
            models.CheckConstraint(
                condition=models.Q(closes__gte=models.F("opens")), name="national_period_closes_after_opens"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.year, self.stage)
