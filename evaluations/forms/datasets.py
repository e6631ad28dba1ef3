"""The data-set upload form (the file is read and checked in evaluations/excel/datasets.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DatasetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas .xlsx"),
        help_text=_(
            "Gunakan templat. Unggahan baru menggantikan seluruh data perangkat daerah Anda untuk periode ini."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    # How many rows the page said the upload replaces: refused when the agency's rows changed since.
    replacing = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, current=None, spec=None, **kwargs):
        """`current`: the agency's upload in force (DatasetUpload.objects.current), whose rows a new
        upload replaces. Then a box to tick says so with the numbers (issue 24): "Ganti 124 baris
        data set Kondisi jalan milik Dinas PU"."""
        super().__init__(*args, **kwargs)
        self.current_rows = current.row_count if current is not None else 0
        self.fields["replacing"].initial = self.current_rows
        if self.current_rows:
            self.fields["replace"] = forms.BooleanField(
                required=True,
                label=_("Ganti %(n)s baris data set %(dataset)s milik %(agency)s dengan isi berkas ini")
                % {"n": self.current_rows, "dataset": spec.label, "agency": current.agency.name},
                error_messages={"required": _("Centang konfirmasi penggantian data, lalu unggah lagi.")},
                help_text=_("Tanpa centang ini tidak ada yang diunggah."),
                widget=forms.CheckboxInput(attrs={"data-confirm-required": ""}),
            )

    def clean(self):
        cleaned = super().clean()
        stated = cleaned.get("replacing")
        if stated is not None and stated != self.current_rows:
            raise forms.ValidationError(
                _(
                    "Data Anda berubah sejak halaman dibuka: unggahan ini akan mengganti %(n)s baris. "
                    "Periksa halaman ini lagi, lalu unggah."
                )
                % {"n": self.current_rows},
                code="rows_changed",
            )
        return cleaned
