"""The admin's instrument import form. The form checks what the request can see at once (a
period, an .xlsx name, the size); the file itself is read and checked by the import job
(tasks.import_instrument_file) before anything is saved."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..excel.instrument import MAX_BYTES
from ..filesizes import size_and_limit
from ..models import EvaluationPeriod
from .fields import RegionModelChoiceField


class InstrumentImportForm(forms.Form):
    period = RegionModelChoiceField(
        EvaluationPeriod,
        label=_("Periode tujuan"),
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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Unggah berkas Excel berakhiran .xlsx."), code="extension")
        if upload.size > MAX_BYTES:
            size, limit = size_and_limit(upload.size, MAX_BYTES)
            raise forms.ValidationError(
                _("Berkas terlalu besar (%(size)s). Batasnya %(limit)s."),
                code="size",
                params={"size": size, "limit": limit},
            )
        return upload
