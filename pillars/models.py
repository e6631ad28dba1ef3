"""The smart-city framework that does not change with the year: six pillars, three sub-dimensions each."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

DESCRIPTION_MAX_LENGTH = 2000


class PillarManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Pillar(models.Model):
    code = models.CharField(_("kode"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    description = models.TextField(
        _("deskripsi"),
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = PillarManager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("pilar")
        verbose_name_plural = _("pilar")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pillars:pillars_detail", args=[self.code])

    def natural_key(self):
        return (self.code,)


class SubDimensionManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class SubDimension(models.Model):
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="subdimensions", verbose_name=_("pilar"))
    code = models.CharField(_("kode"), max_length=12, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    description = models.TextField(
        _("deskripsi"),
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = SubDimensionManager()

    class Meta:
        ordering = ["pillar__order", "order", "code"]
        verbose_name = _("sub-dimensi")
        verbose_name_plural = _("sub-dimensi")
        constraints = [
            models.UniqueConstraint(fields=["pillar", "name"], name="subdimension_name_unique_in_pillar"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["pillars.pillar"]
