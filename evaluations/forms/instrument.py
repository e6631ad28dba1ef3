"""The admin's instrument import form: the whole file is read and checked before anything is saved."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..excel.instrument import MAX_BYTES, InstrumentFileError, read_instrument
from ..models import EvaluationPeriod


class InstrumentImportForm(forms.Form):
    """Reads and validates the whole file in clean(): `self.plan` holds what would be created and
    the errors by sheet, row and column."""

    period = forms.ModelChoiceField(
        label=_("Periode tujuan"),
        queryset=EvaluationPeriod.objects.all(),
        help_text=_(
            "Instrumen periode ini disamakan dengan berkas. Bila sudah ada jawaban, perubahan yang "
            "melepas atau mengubah arti jawaban ditolak."
        ),
    )
    file = forms.FileField(
        label=_("Berkas instrumen (.xlsx)"),
        help_text=_("Lembar: dimensi, indikator, pertanyaan, opsi (dan rentang serta pernyataan_dampak bila ada)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Uji coba saja (tidak ada yang disimpan)"),
        required=False,
        initial=True,
    )

    plan = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Unggah berkas Excel berakhiran .xlsx."), code="extension")
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 5 MB)."), code="size")
        try:
            self.plan = read_instrument(upload)
        except InstrumentFileError as exc:
            raise forms.ValidationError(str(exc), code="unreadable") from None
        if not self.plan.is_valid:
            raise forms.ValidationError(
                _("Berkas memuat %(n)s kesalahan; tidak ada yang disimpan. Lihat daftar di bawah."),
                code="invalid_instrument",
                params={"n": len(self.plan.errors)},
            )
        return upload
