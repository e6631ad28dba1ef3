"""The admin's period management forms: a new period, the deadline, and the assignments grid."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Agency, EvaluationPeriod, NationalPeriod
from .fields import RegionModelChoiceField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Tanggal tidak valid. Gunakan format tahun-bulan-tanggal.")}
# Question codes typed for one agency: "A.1, B.2" or one per line.
CODES_MAX_LENGTH = 2000


class DeadlineForm(forms.ModelForm):
    """The model's clean() refuses a deadline before the opening date."""

    class Meta:
        model = EvaluationPeriod
        fields = ["closes"]
        widgets = {"closes": DATE_WIDGET}
        error_messages = {"closes": DATE_ERRORS}


class SecondSignoffForm(forms.ModelForm):
    """Four eyes for the period's approvals (Submission.approve / confirm_approval)."""

    class Meta:
        model = EvaluationPeriod
        fields = ["second_signoff"]


class PeriodCreateForm(forms.ModelForm):
    """A new draft period, either a copy of an earlier period's instrument and assignments or
    empty (its instrument is imported afterwards)."""

    source = RegionModelChoiceField(
        EvaluationPeriod,
        label=_("Isi awal"),
        required=False,
        empty_label=_("Kosong: instrumen diimpor kemudian"),
        help_text=_(
            "Salinan memuat instrumen (dimensi dan bobot, indikator, pertanyaan, opsi dan deskriptor level) "
            "dan penugasan perangkat daerah; jawaban, pengisian dan quick win tidak disalin."
        ),
    )

    class Meta:
        model = EvaluationPeriod
        fields = ["year", "stage", "name", "opens", "closes"]
        widgets = {"opens": DATE_WIDGET, "closes": DATE_WIDGET}
        error_messages = {"opens": DATE_ERRORS, "closes": DATE_ERRORS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The name follows the year and stage typed (standard_name) unless the admin writes one:
        # left empty, it is made from them; the placeholder shows it (static/js/periods.js keeps
        # it in step while the admin types, without JavaScript it is the suggested stage's).
        name = self.fields["name"]
        name.required = False
        name.help_text = _("Kosongkan untuk memakai nama baku dari tahun dan tahap di atas.")
        year, stage = self.initial.get("year"), self.initial.get("stage")
        if year and stage:
            name.widget.attrs["placeholder"] = standard_name(year, stage)
        name.widget.attrs["data-standard-name"] = "Evaluasi Smart City {year} Tahap {stage}"

    def clean(self):
        data = super().clean()
        # Periods are national: a year and stage that exist in any region exist.
        year, stage = data.get("year"), data.get("stage")
        if year and stage and NationalPeriod.objects.filter(year=year, stage=stage).exists():
            self.add_error(
                None, forms.ValidationError(_("Sudah ada periode dengan tahun dan tahap ini."), code="unique")
            )
        if not data.get("name") and data.get("year") and data.get("stage"):
            data["name"] = standard_name(data["year"], data["stage"])
            self.instance.name = data["name"]
        elif not data.get("name") and "name" not in self.errors:
            self.add_error("name", forms.ValidationError(_("Isi nama periode."), code="required"))
        return data


def standard_name(year, stage):
    """The period's name in the ministry's words, whatever the admin's language (data, not UI)."""
    return f"Evaluasi Smart City {year} Tahap {'I' if str(stage) == EvaluationPeriod.Stage.FIRST else 'II'}"


class AssignmentGridForm(forms.Form):
    """Agencies x pillars as checkboxes, plus the single questions an agency answers besides its
    pillars (typed as codes). Only the agencies listed in `shown` (those on the page, after the
    kind filter) are changed by a save."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    shown = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, agencies, pillars, question_ids, **kwargs):
        """`agencies` and `pillars` as already read by the page; `question_ids` maps the period's
        question codes to ids. No query of its own."""
        super().__init__(*args, **kwargs)
        self.agencies, self.pillars, self.question_ids = agencies, pillars, question_ids
        self.fields["shown"].choices = [(a.pk, a.abbreviation) for a in agencies]
        pillar_choices = [(p.pk, p.name) for p in pillars]
        for agency in agencies:
            self.fields[f"pilar-{agency.pk}"] = forms.TypedMultipleChoiceField(
                coerce=int, choices=pillar_choices, required=False, widget=forms.CheckboxSelectMultiple
            )
            self.fields[f"pertanyaan-{agency.pk}"] = forms.CharField(
                label=_("Pertanyaan tambahan %(agency)s") % {"agency": agency.abbreviation},
                required=False,
                max_length=CODES_MAX_LENGTH,
            )

    def clean(self):
        cleaned = super().clean()
        for agency in self.agencies:
            name = f"pertanyaan-{agency.pk}"
            codes = [c for c in re.split(r"[\s,;]+", cleaned.get(name) or "") if c]
            unknown = [c for c in codes if c not in self.question_ids]
            if unknown:
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("Kode pertanyaan tidak ada di periode ini: %(codes)s."),
                        code="unknown_question",
                        params={"codes": ", ".join(unknown)},
                    ),
                )
            else:
                cleaned[name] = sorted({self.question_ids[c] for c in codes})
        return cleaned

    def rows(self):
        """What the save changes: {agency_id: (pillar_ids, question_ids)} for the shown agencies."""
        return {
            agency_id: (
                set(self.cleaned_data.get(f"pilar-{agency_id}") or ()),
                set(self.cleaned_data.get(f"pertanyaan-{agency_id}") or ()),
            )
            for agency_id in self.cleaned_data["shown"]
        }

    def grid(self):
        """The rows as the template draws them: each agency with a cell per pillar (checked or
        not, as stored or as posted) and its question codes with their errors."""
        rows = []
        for agency in self.agencies:
            checked = {str(v) for v in (self[f"pilar-{agency.pk}"].value() or ())}
            codes = self[f"pertanyaan-{agency.pk}"]
            rows.append(
                {
                    "agency": agency,
                    "cells": [
                        {"pillar": p, "checked": str(p.pk) in checked, "name": f"pilar-{agency.pk}"}
                        for p in self.pillars
                    ],
                    "codes": codes,
                    "idle": not checked and not (codes.value() or "").strip(),
                }
            )
        return rows


class AssignmentFilterForm(forms.Form):
    """?jenis= on the assignments page: agencies of one kind (a GET form, works without JS)."""

    jenis = forms.ChoiceField(
        label=_("Jenis perangkat daerah"),
        choices=[("", _("Semua jenis")), *Agency.Kind.choices],
        required=False,
    )


class BulkAssignForm(forms.Form):
    """Assign every active agency of one kind to one pillar."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    kind = forms.ChoiceField(label=_("Semua perangkat daerah berjenis"), choices=Agency.Kind.choices)
    pillar = forms.TypedChoiceField(label=_("menjawab pilar"), coerce=int)

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.pillars = {p.pk: p for p in pillars}
        self.fields["pillar"].choices = [(p.pk, p.name) for p in pillars]

    def clean_pillar(self):
        return self.pillars[self.cleaned_data["pillar"]]
