"""Forms of the impact survey (survei dampak)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Enumerator, ImpactSurvey, SurveyForm

# --- setup: dates, programmes, split, targets, enumerator links (surveys-setup) -----------------
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Tanggal tidak valid. Gunakan format tahun-bulan-tanggal.")}
MAX_TARGET = 1000


class SurveyDatesForm(forms.ModelForm):
    class Meta:
        model = ImpactSurvey
        fields = ["opens", "closes"]
        widgets = {"opens": DATE_WIDGET, "closes": DATE_WIDGET}
        error_messages = {"opens": DATE_ERRORS, "closes": DATE_ERRORS}
        help_texts = {"closes": _("Responden dapat mengisi sampai tanggal ini (termasuk).")}

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens and closes and closes < opens:
            self.add_error(
                "closes", forms.ValidationError(_("Tanggal ditutup tidak boleh sebelum tanggal dibuka."), code="order")
            )
        return cleaned


class ObjectChoiceField(forms.TypedChoiceField):
    """A choice among objects the view has already read (one query for the page, not one per
    field rendered); cleans to the object."""

    def __init__(self, objects=(), label_of=str, **kwargs):
        self.objects = {str(obj.pk): obj for obj in objects}
        empty = kwargs.pop("empty_label", "---------")
        choices = [("", empty)] + [(key, label_of(obj)) for key, obj in self.objects.items()]
        super().__init__(choices=choices, coerce=self.objects.get, empty_value=None, **kwargs)

    def prepare_value(self, value):
        return str(value.pk) if hasattr(value, "pk") else value


class ProgrammeForm(forms.Form):
    """The programme of one sub-dimension. Choosing a quick win fills the name and the owning
    agency left blank (without JavaScript: on saving)."""

    quick_win = ObjectChoiceField(
        label=_("Quick win"),
        required=False,
        help_text=_("Opsional. Nama dan perangkat daerah yang kosong diisi dari quick win yang dipilih."),
    )
    name = forms.CharField(label=_("Nama program / layanan"), max_length=200, required=False)
    agency = ObjectChoiceField(label=_("Perangkat daerah pemilik"), required=False)

    def __init__(self, *args, subdimension, quick_wins, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.subdimension = subdimension
        self.fields["quick_win"] = ObjectChoiceField(
            quick_wins,
            label_of=lambda qw: f"{qw.name} ({qw.agency.abbreviation})",
            label=self.fields["quick_win"].label,
            required=False,
            empty_label=_("Tanpa quick win"),
            help_text=self.fields["quick_win"].help_text,
        )
        self.fields["agency"] = ObjectChoiceField(
            agencies, label_of=lambda a: a.abbreviation, label=self.fields["agency"].label, required=False
        )

    def clean(self):
        cleaned = super().clean()
        quick_win = cleaned.get("quick_win")
        if quick_win is not None:
            cleaned["name"] = cleaned.get("name") or quick_win.name
            cleaned["agency"] = cleaned.get("agency") or quick_win.agency
        if not cleaned.get("name"):
            self.add_error("name", forms.ValidationError(_("Isi nama program atau pilih quick win."), code="required"))
        if cleaned.get("agency") is None and "agency" not in self.errors:
            self.add_error(
                "agency", forms.ValidationError(_("Pilih perangkat daerah pemilik program."), code="required")
            )
        return cleaned


class TargetForm(forms.ModelForm):
    target = forms.IntegerField(
        label=_("Target responden"),
        min_value=1,
        max_value=MAX_TARGET,
        error_messages={
            "required": _("Isi target responden."),
            "invalid": _("Target harus bilangan bulat."),
            "min_value": _("Target paling sedikit 1 responden."),
            "max_value": _("Target paling banyak %(limit_value)s responden."),
        },
    )

    class Meta:
        model = SurveyForm
        fields = ["target"]


class SplitForm(forms.Form):
    split = forms.TypedChoiceField(
        label=_("Formulir pilar"),
        choices=[
            ("0", _("Satu formulir untuk pilar (target per pilar)")),
            ("1", _("Tiga formulir, satu per sub-dimensi (target per sub-dimensi)")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class EnumeratorForm(forms.Form):
    """A new tagged link. Operators add it for their own agency; coordinators choose the agency
    among the form's programme owners."""

    name = forms.CharField(
        label=_("Nama enumerator"),
        max_length=Enumerator._meta.get_field("name").max_length,
        error_messages={"required": _("Isi nama enumerator.")},
    )
    agency = ObjectChoiceField(label=_("Perangkat daerah"), required=False)

    def __init__(self, *args, form, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey_form = form
        self.agencies = list(agencies)
        if len(self.agencies) == 1:
            del self.fields["agency"]
        else:
            self.fields["agency"] = ObjectChoiceField(
                self.agencies,
                label_of=lambda a: a.abbreviation,
                label=self.fields["agency"].label,
                error_messages={"required": _("Pilih perangkat daerah.")},
            )

    def clean(self):
        cleaned = super().clean()
        if "agency" not in self.fields:
            cleaned["agency"] = self.agencies[0] if self.agencies else None
        name, agency = cleaned.get("name"), cleaned.get("agency")
        if name and agency is not None:
            taken = Enumerator.objects.filter(form=self.survey_form, agency=agency, name__iexact=name)
            if taken.exists():
                self.add_error(
                    "name",
                    forms.ValidationError(
                        _("Enumerator bernama %(name)s sudah ada di formulir ini."),
                        code="unique",
                        params={"name": name},
                    ),
                )
        return cleaned
