"""The four supporting data sets (kondisi jalan, sarana pendidikan, sarana kesehatan, sarana
transportasi): one row per object, one upload per agency per period per data set.

An upload either replaces all of the agency's rows of that data set for the period or changes
nothing; each attempt is kept in the upload history. The data sets are described in
evaluations/datasets.py (one spec each) and files are read in evaluations/excel/datasets.py; saving
lives here.
"""

import os

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import REVIEW
from .agencies import Agency, AgencyMember
from .files import StoredFile, dataset_upload_to
from .regions import region_scoped
from .submissions import TransitionError


class DatasetKind(models.TextChoices):
    JALAN = "jalan", _("Kondisi jalan")
    PENDIDIKAN = "pendidikan", _("Sarana pendidikan")
    KESEHATAN = "kesehatan", _("Sarana kesehatan")
    TRANSPORTASI = "transportasi", _("Sarana transportasi")


class DatasetUploadQuerySet(models.QuerySet):
    def history(self, period, kind, agencies):
        return (
            self.filter(period=period, kind=kind, agency__in=agencies)
            .select_related("agency", "uploaded_by", "deleted_by")
            .order_by("-uploaded_at", "-pk")
        )

    def current(self, period, agency, kind):
        """The last good upload still in force: its rows are the agency's data."""
        return (
            self.filter(period=period, agency=agency, kind=kind, outcome=DatasetUpload.Outcome.ACCEPTED)
            .filter(deleted_at__isnull=True)
            .select_related("agency")
            .order_by("-uploaded_at", "-pk")
            .first()
        )


class DatasetUpload(StoredFile):
    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Diterima")
        REJECTED = "rejected", _("Ditolak")

    period = models.ForeignKey(
        "evaluations.EvaluationPeriod",
        on_delete=models.CASCADE,
        related_name="dataset_uploads",
        verbose_name=_("periode"),
    )
    agency = models.ForeignKey(
        "evaluations.Agency",
        on_delete=models.CASCADE,
        related_name="dataset_uploads",
        verbose_name=_("perangkat daerah"),
    )
    kind = models.CharField(_("data set"), max_length=12, choices=DatasetKind.choices)
    file = models.FileField(_("berkas"), upload_to=dataset_upload_to, blank=True, max_length=255)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    outcome = models.CharField(_("hasil"), max_length=10, choices=Outcome.choices)
    row_count = models.PositiveIntegerField(_("jumlah baris"), default=0)
    error_count = models.PositiveIntegerField(_("jumlah kesalahan"), default=0)
    uploaded_at = models.DateTimeField(_("diunggah"), default=timezone.now)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dihapus oleh"),
    )
    deleted_at = models.DateTimeField(_("dihapus"), null=True, blank=True)

    objects = region_scoped("period__region", DatasetUploadQuerySet)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("unggahan data set")
        verbose_name_plural = _("unggahan data set")
        indexes = [models.Index(fields=["period", "agency", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.agency} – {self.original_name}"

    def is_accepted(self):
        return self.outcome == self.Outcome.ACCEPTED

    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def row_model(self):
        return DATASET_MODELS[self.kind]

    @classmethod
    @transaction.atomic
    def accept(cls, period, agency, kind, uploaded_file, by, rows):
        """Save a fully valid file: the agency's previous rows of this data set for the period
        are replaced by `rows` (model instances without period/agency/upload), all or nothing.
        The returned upload's `replaced_rows` says how many earlier rows were replaced. Raises
        TransitionError when rows saved meanwhile by another agency clash with these."""
        if AgencyMember.objects.agency_of(by) != agency:
            raise PermissionDenied
        # Uploads of one agency wait here for each other, so that the later one replaces the rows
        # of the earlier one instead of adding to them. (NO KEY: rows pointing to the agency can
        # still be written meanwhile.)
        Agency.objects.select_for_update(no_key=True).get(pk=agency.pk)
        upload = cls(
            period=period, agency=agency, kind=kind, outcome=cls.Outcome.ACCEPTED, row_count=len(rows), uploaded_by=by
        )
        upload.take(uploaded_file)
        upload.save()
        model = DATASET_MODELS[kind]
        _total, deleted = model.objects.filter(period=period, agency=agency).delete()
        upload.replaced_rows = deleted.get(model._meta.label, 0)
        for row in rows:
            row.period, row.agency, row.upload = period, agency, upload
        try:
            with transaction.atomic():
                model.objects.bulk_create(rows, batch_size=1000)
        except IntegrityError:
            # Another agency saved the same unique value (an NPSN) after this file was checked.
            upload.file.delete(save=False)
            raise TransitionError(
                _(
                    "Data tidak disimpan karena bentrok dengan data yang baru saja disimpan perangkat daerah "
                    "lain (misalnya NPSN yang sama). Unggah berkas ini lagi untuk melihat baris yang bentrok."
                )
            ) from None
        return upload

    @classmethod
    def reject(cls, period, agency, kind, uploaded_file, by, error_count):
        """Keep a failed attempt in the history; its file is not stored and no row changes."""
        return cls.objects.create(
            period=period,
            agency=agency,
            kind=kind,
            original_name=os.path.basename(getattr(uploaded_file, "name", "") or "")[:255],
            size=getattr(uploaded_file, "size", 0) or 0,
            outcome=cls.Outcome.REJECTED,
            error_count=error_count,
            uploaded_by=by,
        )

    def delete_by(self, by):
        """Coordinators and admin only. The upload stays in the history marked deleted; its rows
        (if it was the one in force) and its stored file go."""
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        with transaction.atomic():
            self.row_model.objects.filter(upload=self).delete()
            name = self.file.name
            self.deleted_at = timezone.now()
            self.deleted_by = by
            self.file = ""
            self.save(update_fields=["deleted_at", "deleted_by", "file"])
        # The file goes only once the database change is committed.
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))


class DatasetRowQuerySet(models.QuerySet):
    def for_page(self, period, filters):
        qs = self.filter(period=period, **{k: v for k, v in filters.items() if v not in (None, "")})
        return qs.select_related("kecamatan", "agency")


class DatasetRow(models.Model):
    period = models.ForeignKey(
        "evaluations.EvaluationPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("periode")
    )
    agency = models.ForeignKey(
        "evaluations.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("perangkat daerah")
    )
    upload = models.ForeignKey(DatasetUpload, on_delete=models.CASCADE, related_name="+", verbose_name=_("unggahan"))
    row_number = models.PositiveIntegerField(_("baris pada berkas"))
    kecamatan = models.ForeignKey(
        "evaluations.Kecamatan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )

    objects = region_scoped("period__region", DatasetRowQuerySet)

    class Meta:
        abstract = True
        ordering = ["row_number"]


KM = {"max_digits": 9, "decimal_places": 3, "validators": [MinValueValidator(0)]}


class RoadSegment(DatasetRow):
    class Status(models.TextChoices):
        NASIONAL = "nasional", _("Nasional")
        PROVINSI = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        DESA = "desa", _("Desa")

    class Function(models.TextChoices):
        ARTERI = "arteri", _("Arteri")
        KOLEKTOR = "kolektor", _("Kolektor")
        LOKAL = "lokal", _("Lokal")
        LINGKUNGAN = "lingkungan", _("Lingkungan")

    road_number = models.CharField(_("nomor ruas"), max_length=30)
    name = models.CharField(_("nama ruas"), max_length=200)
    status = models.CharField(_("status jalan"), max_length=10, choices=Status.choices)
    function = models.CharField(_("fungsi"), max_length=10, choices=Function.choices)
    length_km = models.DecimalField(_("panjang (km)"), **KM)
    width_m = models.DecimalField(_("lebar (m)"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    aspal_km = models.DecimalField(_("aspal (km)"), **KM)
    lapen_km = models.DecimalField(_("lapen (km)"), **KM)
    beton_km = models.DecimalField(_("beton (km)"), **KM)
    kerikil_km = models.DecimalField(_("kerikil (km)"), **KM)
    tanah_km = models.DecimalField(_("tanah (km)"), **KM)
    baik_km = models.DecimalField(_("baik (km)"), **KM)
    sedang_km = models.DecimalField(_("sedang (km)"), **KM)
    rusak_ringan_km = models.DecimalField(_("rusak ringan (km)"), **KM)
    rusak_berat_km = models.DecimalField(_("rusak berat (km)"), **KM)

    class Meta(DatasetRow.Meta):
        verbose_name = _("ruas jalan")
        verbose_name_plural = _("kondisi jalan")

    def __str__(self):
        return f"{self.road_number} {self.name}"


class School(DatasetRow):
    class Level(models.TextChoices):
        PAUD = "paud", _("PAUD/TK/KB")
        SD = "sd", _("SD/MI")
        SMP = "smp", _("SMP/MTs")
        SMA = "sma", _("SMA/MA")
        SMK = "smk", _("SMK")
        SLB = "slb", _("SLB")
        PKBM = "pkbm", _("PKBM")

    class Ownership(models.TextChoices):
        NEGERI = "negeri", _("Negeri")
        SWASTA = "swasta", _("Swasta")

    class Accreditation(models.TextChoices):
        A = "a", _("A")
        B = "b", _("B")
        C = "c", _("C")
        BELUM = "belum", _("Belum terakreditasi")

    npsn = models.CharField(_("NPSN"), max_length=8)
    name = models.CharField(_("nama sekolah"), max_length=200)
    level = models.CharField(_("jenjang"), max_length=5, choices=Level.choices)
    ownership = models.CharField(_("negeri/swasta"), max_length=6, choices=Ownership.choices)
    desa = models.CharField(_("desa/kelurahan"), max_length=100, blank=True)
    accreditation = models.CharField(_("akreditasi"), max_length=5, choices=Accreditation.choices)
    students = models.PositiveIntegerField(_("jumlah siswa"))
    classrooms = models.PositiveIntegerField(_("ruang kelas"))
    teachers = models.PositiveIntegerField(_("jumlah guru"))
    capacity = models.PositiveIntegerField(_("daya tampung"))

    class Meta(DatasetRow.Meta):
        verbose_name = _("sarana pendidikan")
        verbose_name_plural = _("sarana pendidikan")
        constraints = [models.UniqueConstraint(fields=["period", "npsn"], name="school_unique_npsn_per_period")]

    def __str__(self):
        return f"{self.npsn} {self.name}"


class HealthFacility(DatasetRow):
    class Type(models.TextChoices):
        RSUD = "rsud", _("RSUD")
        RS_SWASTA = "rs_swasta", _("RS swasta")
        PKM_RI = "pkm_ri", _("Puskesmas rawat inap")
        PKM_NRI = "pkm_nri", _("Puskesmas non rawat inap")
        PUSTU = "pustu", _("Puskesmas pembantu")
        KLINIK = "klinik", _("Klinik")
        LAB = "lab", _("Laboratorium")
        LAINNYA = "lainnya", _("Lainnya")

    class Accreditation(models.TextChoices):
        PARIPURNA = "paripurna", _("Paripurna")
        UTAMA = "utama", _("Utama")
        MADYA = "madya", _("Madya")
        DASAR = "dasar", _("Dasar")
        BELUM = "belum", _("Belum terakreditasi")

    code = models.CharField(_("kode fasilitas"), max_length=30)
    name = models.CharField(_("nama fasilitas"), max_length=200)
    type = models.CharField(_("jenis"), max_length=10, choices=Type.choices)
    beds = models.PositiveIntegerField(_("tempat tidur"))
    doctors = models.PositiveIntegerField(_("dokter"))
    nurses = models.PositiveIntegerField(_("perawat"))
    midwives = models.PositiveIntegerField(_("bidan"))
    accreditation = models.CharField(_("akreditasi"), max_length=10, choices=Accreditation.choices)
    online_services = models.BooleanField(_("layanan daring"))

    class Meta(DatasetRow.Meta):
        verbose_name = _("sarana kesehatan")
        verbose_name_plural = _("sarana kesehatan")

    def __str__(self):
        return self.name


class TransportFacility(DatasetRow):
    class Type(models.TextChoices):
        TERMINAL_A = "terminal_a", _("Terminal tipe A")
        TERMINAL_B = "terminal_b", _("Terminal tipe B")
        TERMINAL_C = "terminal_c", _("Terminal tipe C")
        HALTE = "halte", _("Halte")
        PELABUHAN = "pelabuhan", _("Pelabuhan")
        DERMAGA = "dermaga", _("Dermaga")
        BANDARA = "bandara", _("Bandara")
        KIR = "kir", _("Unit pengujian kendaraan (KIR)")
        ATCS = "atcs", _("ATCS")
        LAINNYA = "lainnya", _("Lainnya")

    class Status(models.TextChoices):
        BEROPERASI = "beroperasi", _("Beroperasi")
        PEMBANGUNAN = "pembangunan", _("Dalam pembangunan")
        RENCANA = "rencana", _("Rencana")

    class Condition(models.TextChoices):
        BAIK = "baik", _("Baik")
        SEDANG = "sedang", _("Sedang")
        RUSAK = "rusak", _("Rusak")

    type = models.CharField(_("jenis"), max_length=12, choices=Type.choices)
    name = models.CharField(_("nama"), max_length=200)
    operator = models.CharField(_("pengelola"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    capacity = models.PositiveIntegerField(_("kapasitas"), null=True, blank=True)
    condition = models.CharField(_("kondisi"), max_length=8, choices=Condition.choices, blank=True)

    class Meta(DatasetRow.Meta):
        verbose_name = _("sarana transportasi")
        verbose_name_plural = _("sarana transportasi")

    def __str__(self):
        return self.name


DATASET_MODELS = {
    DatasetKind.JALAN: RoadSegment,
    DatasetKind.PENDIDIKAN: School,
    DatasetKind.KESEHATAN: HealthFacility,
    DatasetKind.TRANSPORTASI: TransportFacility,
}
