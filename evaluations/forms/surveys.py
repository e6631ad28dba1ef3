"""Forms of the impact survey's staff pages (issue 15). Each part of the survey keeps its forms in
its own block below."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models.surveys import EXCLUSION_REASON_MAX_LENGTH
from .fields import MultilineField

# --- Monitor (surveys-monitor): excluding a response and undoing it ----------------------------


class ExclusionForm(forms.Form):
    reason = MultilineField(
        label=_("Alasan dikeluarkan"),
        max_length=EXCLUSION_REASON_MAX_LENGTH,
        help_text=_("Wajib. Tercatat bersama nama Anda; respons tetap disimpan dan dapat dikembalikan."),
        error_messages={"required": _("Tulis alasan mengeluarkan respons ini.")},
    )


class InclusionForm(forms.Form):
    note = MultilineField(label=_("Catatan"), required=False, max_length=EXCLUSION_REASON_MAX_LENGTH)
