"""Forms of the impact survey (survei dampak)."""

import re
import secrets
import time
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from ..models import (
    Enumerator,
    ImpactSurvey,
    Kecamatan,
    ProgrammeUse,
    SurveyForm,
    SurveyProgramme,
    SurveyRating,
    SurveyResponse,
    SurveyStatement,
)
from ..models.survey_responses import EXCLUSION_REASON_MAX_LENGTH
from .fields import MultilineField, RegionModelChoiceField

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
        fields = ["target", "enumerator_only"]


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


# --- The public respondent form (helper surveys-form) ------------------------------------------

TOKEN_SALT = "evaluations.surveys.public-form"
TOKEN_MAX_LENGTH = 500
NEVER_USED = "n"  # the rating choice "Belum pernah menggunakan program ini"
CONTACT_MAX_LENGTH = 100
PHONE = re.compile(r"\+?\d{9,15}")
CHOOSE_ONE = {"required": _("Pilih salah satu."), "invalid_choice": _("Pilih salah satu dari pilihan yang ada.")}


def issue_token(survey_form):
    """The signed token of one form load: which form, a fresh nonce (one response per token) and
    when it was issued (the response's started_at; the token expires after SURVEY_TOKEN_MAX_AGE)."""
    payload = {"f": survey_form.pk, "n": secrets.token_hex(16), "t": int(time.time())}
    return signing.dumps(payload, salt=TOKEN_SALT)


@dataclass
class Group:
    """One sub-dimension of the form: its programme (None when the coordinators have not chosen one
    yet) and its statements, with their fields once a form is bound to the group."""

    subdimension: object
    programme: SurveyProgramme | None
    statements: list = field(default_factory=list)
    use_field: object = None
    statement_fields: list = field(default_factory=list)


def form_groups(survey_form):
    """The form's sub-dimensions (one, or the pillar's three) with programme and statements, in
    the instrument's order. Two queries."""
    survey = survey_form.survey
    if survey_form.subdimension_id:
        scope = {"subdimension": survey_form.subdimension_id}
    else:
        scope = {"subdimension__pillar": survey_form.pillar_id}
    programmes = {
        p.subdimension_id: p
        for p in SurveyProgramme.objects.filter(survey=survey, **scope).select_related("subdimension", "quick_win")
    }
    groups = {}
    for statement in SurveyStatement.objects.filter(national_id=survey.period.national_id, **scope).select_related(
        "subdimension"
    ):
        sub = statement.subdimension
        if sub.pk not in groups:
            groups[sub.pk] = Group(sub, programmes.get(sub.pk))
        groups[sub.pk].statements.append(statement)
    return list(groups.values())


class SurveyResponseForm(forms.Form):
    """The respondent's profile, the programmes they used, an optional contact and one rating per
    statement. A statement may stay unanswered only when its programme was never used: it is then
    recorded as never used (evaluations.surveys.record_response)."""

    # A signed token is about 100 characters; anything far longer is not one of ours.
    token = forms.CharField(
        widget=forms.HiddenInput,
        max_length=TOKEN_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Formulir ini tidak sah. Muat ulang formulir: jawaban Anda di bawah masih ada, "
                "periksa lalu tekan Kirim sekali lagi."
            )
        },
    )
    age_band = forms.ChoiceField(
        label=_("Usia Anda"),
        choices=SurveyResponse.AgeBand.choices,
        widget=forms.RadioSelect,
        error_messages=CHOOSE_ONE,
    )
    occupation = forms.ChoiceField(
        label=_("Pekerjaan utama Anda"),
        choices=SurveyResponse.Occupation.choices,
        widget=forms.RadioSelect,
        error_messages=CHOOSE_ONE,
    )
    kecamatan = RegionModelChoiceField(
        Kecamatan,
        label=_("Kecamatan tempat tinggal Anda"),
        empty_label=_("— pilih kecamatan —"),
        error_messages={"required": _("Pilih kecamatan Anda."), "invalid_choice": _("Pilih kecamatan dari daftar.")},
    )
    contact = forms.CharField(
        label=_("Nomor HP atau e-mail (tidak wajib)"),
        required=False,
        max_length=CONTACT_MAX_LENGTH,
        help_text=_(
            "Hanya untuk memastikan satu orang mengisi satu kali. Yang kami simpan hanya sandi acak dari "
            "kontak ini, bukan nomor atau alamatnya; kami tidak akan menghubungi Anda."
        ),
        error_messages={"max_length": _("Terlalu panjang untuk nomor HP atau e-mail.")},
    )

    def __init__(self, *args, survey_form, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey_form = survey_form
        self.groups = groups
        self.token_payload = None
        rating_choices = [(str(value), label) for value, label in SurveyRating.SCALE]
        rating_choices.append((NEVER_USED, _("Belum pernah menggunakan program ini")))
        for group in groups:
            if group.programme is not None:
                self.fields[f"u{group.programme.pk}"] = forms.ChoiceField(
                    label=group.programme.name,
                    choices=ProgrammeUse.Frequency.choices,
                    widget=forms.RadioSelect,
                    error_messages=CHOOSE_ONE,
                )
            for statement in group.statements:
                # Not required here: clean() knows whether the programme was used.
                self.fields[f"r{statement.pk}"] = forms.ChoiceField(
                    label=statement.text,
                    choices=rating_choices,
                    widget=forms.RadioSelect,
                    required=False,
                    error_messages=CHOOSE_ONE,
                )
        for group in groups:
            group.use_field = self[f"u{group.programme.pk}"] if group.programme is not None else None
            group.statement_fields = [self[f"r{statement.pk}"] for statement in group.statements]

    def clean_token(self):
        try:
            payload = signing.loads(self.cleaned_data["token"], salt=TOKEN_SALT, max_age=settings.SURVEY_TOKEN_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _(
                    "Formulir ini sudah terlalu lama terbuka. Muat ulang formulir: jawaban Anda di bawah masih ada, "
                    "periksa lalu tekan Kirim sekali lagi."
                ),
                code="expired",
            ) from None
        except signing.BadSignature:
            payload = None
        if not isinstance(payload, dict) or payload.get("f") != self.survey_form.pk or not payload.get("n"):
            raise forms.ValidationError(
                _(
                    "Formulir ini tidak sah. Muat ulang formulir: jawaban Anda di bawah masih ada, "
                    "periksa lalu tekan Kirim sekali lagi."
                ),
                code="tampered",
            )
        self.token_payload = payload
        return self.cleaned_data["token"]

    def clean_contact(self):
        """A phone number (digits, spaces, dashes, dots, parentheses, an optional +) or an e-mail
        address; returned as typed, since survey_senders.keyed_hash normalises it."""
        contact = self.cleaned_data["contact"].strip()
        if not contact:
            return ""
        if "@" in contact:
            try:
                validate_email(contact)
            except forms.ValidationError:
                raise forms.ValidationError(_("Alamat e-mail ini tidak valid."), code="email") from None
            return contact
        if not PHONE.fullmatch(re.sub(r"[\s\-.()]", "", contact)):
            raise forms.ValidationError(
                _("Tulis nomor HP (mis. 0812 3456 7890) atau alamat e-mail, atau kosongkan."), code="contact"
            )
        return contact

    def clean(self):
        cleaned = super().clean()
        for group in self.groups:
            never = (
                group.programme is not None and cleaned.get(f"u{group.programme.pk}") == ProgrammeUse.Frequency.NEVER
            )
            for statement in group.statements:
                name = f"r{statement.pk}"
                if not never and name not in self.errors and not cleaned.get(name):
                    self.add_error(
                        name,
                        forms.ValidationError(
                            _("Pilih salah satu (atau “Belum pernah menggunakan program ini”)."),
                            code="required",
                        ),
                    )
        return cleaned

    def profile(self):
        return {key: self.cleaned_data[key] for key in ("age_band", "occupation", "kecamatan")}

    def uses(self):
        """{programme: frequency} of the form's programmes."""
        return {g.programme: self.cleaned_data[f"u{g.programme.pk}"] for g in self.groups if g.programme is not None}

    def ratings(self):
        """{statement: score 0-4, or None for never used}."""
        ratings = {}
        for group in self.groups:
            for statement in group.statements:
                value = self.cleaned_data.get(f"r{statement.pk}")
                ratings[statement] = int(value) if value and value != NEVER_USED else None
        return ratings


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
