"""Forms of the quick-win pages: the quick win itself, decisions and status notes, evidence."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar, SubDimension

from .. import roles
from ..models import Agency, QuickWin
from ..models.quickwins import NOTE_MAX_LENGTH
from ..validators import evidence_accept_attribute, validate_evidence_file
from .fields import LinkField, MultilineField


class QuickWinForm(forms.ModelForm):
    url = LinkField(label=_("Tautan"), required=False, max_length=500)

    class Meta:
        model = QuickWin
        fields = [
            "pillar",
            "subdimension",
            "name",
            "description",
            "rpjmd_problem",
            "agency",
            "supporting_agencies",
            "start_year",
            "is_new",
            "target_pct",
            "achievement_pct",
            "budget",
            "budget_source",
            "partners",
            "users_reached",
            "url",
            "risks",
            "mitigation",
            "sustainability_plan",
            "assessor_notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "rpjmd_problem": forms.Textarea(attrs={"rows": 2}),
            "partners": forms.Textarea(attrs={"rows": 2}),
            "risks": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
            "sustainability_plan": forms.Textarea(attrs={"rows": 2}),
            "assessor_notes": forms.Textarea(attrs={"rows": 2}),
            "supporting_agencies": forms.SelectMultiple(attrs={"size": 6}),
        }
        # Every multi-line text reads browser line ends as the app stores them (forms.fields).
        field_classes = {
            name: MultilineField
            for name in (
                "description",
                "rpjmd_problem",
                "partners",
                "risks",
                "mitigation",
                "sustainability_plan",
                "assessor_notes",
            )
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["pillar"].queryset = Pillar.objects.all()
        self.fields["subdimension"].queryset = SubDimension.objects.select_related("pillar")
        self.fields["subdimension"].label_from_instance = lambda s: f"{s.pillar.code} · {s.name}"
        self.fields["supporting_agencies"].queryset = Agency.objects.filter(active=True)
        self.fields["agency"].queryset = Agency.objects.filter(active=True)
        coordinator = roles.is_coordinator(user)
        if not coordinator:
            # Operators propose for their own agency and do not write the assessor's notes.
            del self.fields["agency"]
            del self.fields["assessor_notes"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Program"),
                "pillar",
                "subdimension",
                "name",
                "description",
                "rpjmd_problem",
                *(["agency"] if coordinator else []),
                "supporting_agencies",
                "start_year",
                "is_new",
            ),
            Fieldset(
                _("Target dan anggaran"), "target_pct", "achievement_pct", "budget", "budget_source", "users_reached"
            ),
            Fieldset(
                _("Mitra, risiko dan keberlanjutan"), "partners", "url", "risks", "mitigation", "sustainability_plan"
            ),
            *([Fieldset(_("Penilaian"), "assessor_notes")] if coordinator else []),
        )

    def clean(self):
        cleaned = super().clean()
        pillar, subdimension = cleaned.get("pillar"), cleaned.get("subdimension")
        if pillar and subdimension and subdimension.pillar_id != pillar.pk:
            self.add_error(
                "subdimension",
                forms.ValidationError(_("Sub-dimensi ini bukan bagian dari pilar yang dipilih."), code="pillar"),
            )
        if cleaned.get("budget") and not cleaned.get("budget_source"):
            self.add_error("budget_source", forms.ValidationError(_("Pilih sumber anggaran."), code="required"))
        return cleaned


class NoteForm(forms.Form):
    note = MultilineField(label=_("Catatan"), required=False, max_length=NOTE_MAX_LENGTH)


class RejectForm(forms.Form):
    note = MultilineField(label=_("Alasan penolakan"), max_length=NOTE_MAX_LENGTH)


class ProgressForm(forms.Form):
    # Django's own message repeats the posted value; this one does not.
    status = forms.ChoiceField(
        label=_("Status baru"), error_messages={"invalid_choice": _("Pilih salah satu status yang tersedia.")}
    )
    note = MultilineField(label=_("Catatan"), required=False, max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args, quick_win, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in quick_win.next_statuses()]


class QuickWinEvidenceForm(forms.Form):
    title = forms.CharField(label=_("Judul bukti"), max_length=200)
    file = forms.FileField(
        label=_("Berkas"),
        help_text=_("PDF, JPG, PNG, DOCX atau XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": evidence_accept_attribute()}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_evidence_file(uploaded)
        return uploaded
