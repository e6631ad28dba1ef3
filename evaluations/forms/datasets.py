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
