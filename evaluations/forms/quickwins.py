"""Forms of the quick-win pages: the quick win itself, decisions and status notes, the next status,
reports of achievement, the completion request, evidence."""

import json
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar, SubDimension

from .. import roles
from ..models import Agency, QuickWin
from ..models.quickwins import NOTE_MAX_LENGTH
from ..validators import evidence_accept_attribute, validate_evidence_file
from .fields import (
    DecimalInput,
    LinkField,
    MultilineField,
    RegionModelChoiceField,
    RegionModelMultipleChoiceField,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SubDimensionSelect(forms.Select):
    """Sub-dimensions: only the chosen pillar's once a pillar is known (QuickWinForm), else all of
    them grouped by pillar; each option names its pillar in data-pillar, and the select carries
    every sub-dimension (data-subdimensions) for static/js/quickwins.js to rebuild the list when
    the pillar changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pillar_of = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.pillar_of:
            option["attrs"]["data-pillar"] = self.pillar_of[value]
        return option


class WholeNumberInput(DecimalInput):
    """A count (people reached), typed as in the active language: "1.250" is one thousand two
    hundred and fifty."""

    def __init__(self, **kwargs):
        super().__init__(whole=True, **kwargs)


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
            "subdimension": SubDimensionSelect(attrs={"data-follows-pillar": "id_pillar"}),
            # A checklist: the Ctrl-click multi-select lost earlier choices at the first plain click.
            "supporting_agencies": forms.CheckboxSelectMultiple,
        }
        # Every multi-line text reads browser line ends as the app stores them, and every number is
        # read as people type it in their language ("1.250.000", "75,5"; forms.fields).
        field_classes = {
            **{
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
            },
            **dict.fromkeys(("target_pct", "achievement_pct", "budget"), DecimalInput),
            "users_reached": WholeNumberInput,
            "agency": RegionModelChoiceField,
            "supporting_agencies": RegionModelMultipleChoiceField,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["pillar"].queryset = Pillar.objects.all()
        subdimensions = list(SubDimension.objects.select_related("pillar"))
        field = self.fields["subdimension"]
        field.queryset = SubDimension.objects.all()
        groups = {}
        for sub in subdimensions:
            groups.setdefault(sub.pillar, []).append((sub.pk, sub.name))
        # The pillar chosen (sent, or the quick win's / the page's): the list offers only its
        # sub-dimensions, with JavaScript or without ("Tampilkan sub-dimensi" sends the pillar).
        chosen = self._chosen_pillar()
        if chosen is not None and any(p.pk == chosen for p in groups):
            field.choices = [
                ("", field.empty_label),
                *((sub.pk, sub.name) for sub in subdimensions if sub.pillar_id == chosen),
            ]
        else:
            field.choices = [("", field.empty_label), *((pillar.name, items) for pillar, items in groups.items())]
        field.widget.pillar_of = {sub.pk: sub.pillar_id for sub in subdimensions}
        field.widget.attrs["data-subdimensions"] = json.dumps(
            [{"id": sub.pk, "pillar": sub.pillar_id, "name": sub.name} for sub in subdimensions]
        )
        self.fields["supporting_agencies"].queryset = Agency.objects.filter(active=True)
        self.fields["supporting_agencies"].label_from_instance = lambda a: f"{a.abbreviation} – {a.name}"
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
                # Without JavaScript: send the pillar to list only its sub-dimensions (the script
                # hides this button and rebuilds the list as the pillar changes).
                HTML(
                    '{% load i18n %}<button type="submit" name="pilih_pilar" value="1" formnovalidate '
                    'class="btn btn-sm btn-outline-secondary mb-3 show-pillar-subdimensions">'
                    '{% translate "Tampilkan sub-dimensi pilar ini" %}</button>'
                ),
                "subdimension",
                "name",
                "description",
                "rpjmd_problem",
                *(["agency"] if coordinator else []),
                # Shown by static/js/quickwins.js; without JavaScript the whole list is there.
                HTML('{% include "evaluations/quickwins/agency_filter.html" %}'),
                Field("supporting_agencies", wrapper_class="agency-checklist"),
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

    @classmethod
    def redrawn(cls, data, **kwargs):
        """The form as sent, unbound (no errors yet), when the person only asked for the chosen
        pillar's sub-dimensions ("pilih_pilar", without JavaScript)."""
        initial = {name: data.get(name) for name in cls.base_fields if name in data}
        initial["supporting_agencies"] = data.getlist("supporting_agencies")
        initial["is_new"] = bool(data.get("is_new"))
        return cls(initial=initial, **kwargs)

    def _chosen_pillar(self):
        """The pillar's id as sent, else as the form starts (the quick win's, or ?pilar=); None."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("pillar"), "")
        else:
            value = self.initial.get("pillar") or getattr(self.instance, "pillar_id", None) or ""
        value = getattr(value, "pk", value)
        value = str(value)
        return int(value) if value.isascii() and value.isdigit() else None

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


def _not_in_the_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("Tanggal tidak boleh setelah hari ini."), code="future")
    return day


class QuickWinReportForm(forms.Form):
    """A report of achievement by the owning agency; the evidence file is optional."""

    achievement_pct = DecimalInput(
        label=_("Capaian (%)"),
        help_text=_("Angka 0 sampai 100, koma untuk desimal, mis. 75,5."),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        error_messages={
            "required": _("Isi capaian dalam persen (0 sampai 100)."),
            "min_value": _("Capaian paling kecil 0 persen."),
            "max_value": _("Capaian paling besar 100 persen."),
        },
    )
    reported_on = forms.DateField(label=_("Tanggal"), widget=DATE_WIDGET)
    note = MultilineField(label=_("Catatan perkembangan"), max_length=NOTE_MAX_LENGTH)
    file = forms.FileField(
        label=_("Bukti dukung (opsional)"),
        required=False,
        help_text=_("PDF, JPG, PNG, DOCX atau XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": evidence_accept_attribute()}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"reported_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_reported_on(self):
        return _not_in_the_future(self.cleaned_data["reported_on"])

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            validate_evidence_file(uploaded)
        return uploaded or None


class CompletionRequestForm(forms.Form):
    """The owning agency asks for completion: the date it finished and the final evidence."""

    completed_on = forms.DateField(label=_("Tanggal selesai"), widget=DATE_WIDGET)
    note = MultilineField(label=_("Catatan"), required=False, max_length=NOTE_MAX_LENGTH)
    title = forms.CharField(label=_("Judul bukti akhir"), max_length=200)
    file = forms.FileField(
        label=_("Berkas bukti akhir"),
        help_text=_("PDF, JPG, PNG, DOCX atau XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": evidence_accept_attribute()}),
    )

    def clean_completed_on(self):
        return _not_in_the_future(self.cleaned_data["completed_on"])

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_evidence_file(uploaded)
        return uploaded


class NoteForm(forms.Form):
    note = MultilineField(label=_("Catatan"), required=False, max_length=NOTE_MAX_LENGTH)


class RejectForm(forms.Form):
    note = MultilineField(label=_("Alasan penolakan"), max_length=NOTE_MAX_LENGTH)


class StatusMoveForm(forms.Form):
    """The next status of an established quick win (QuickWin.move_status), among those it may move to."""

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
