"""The admin's period management forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import EvaluationPeriod


class DeadlineForm(forms.ModelForm):
    """The model's clean() refuses a deadline before the opening date."""

    class Meta:
        model = EvaluationPeriod
        fields = ["closes"]
        widgets = {"closes": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {"closes": {"invalid": _("Tanggal tidak valid. Gunakan format tahun-bulan-tanggal.")}}
