"""The section form: one small form per question (prefix "q<id>"), all posted together.

Each form validates and normalises one answer: the value control that fits the question's type,
the explanation, one new evidence file or link, evidence to remove, the reply to the coordinator's
note on an answer marked for revision, and the hidden version and fingerprint used for optimistic
locking (see evaluations.answering).
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..answering import AnswerInput, state_of, values_of
from ..models import Question
from ..models.answering import ANSWER_TEXT_MAX_LENGTH, REPLY_MAX_LENGTH
from ..models.instrument import format_number
from ..validators import ALLOWED_LABEL, evidence_accept_attribute, validate_evidence_file
from .fields import DecimalInput, LinkField, MultilineField

YES, NO = "1", "0"
TEXT_MAX_LENGTH = ANSWER_TEXT_MAX_LENGTH
EVIDENCE_TITLE_MAX_LENGTH = 200  # Evidence.title
EVIDENCE_URL_MAX_LENGTH = 500  # Evidence.url
SEEN_MAX_LENGTH = 32
# The fields of a question's form that survive a session expiry (evaluations.restore), each with the
# longest value the form takes. Files cannot be kept; evidence to remove is chosen again.
RESTORABLE = {
    "value": TEXT_MAX_LENGTH,
    "explanation": TEXT_MAX_LENGTH,
    "evidence_title": EVIDENCE_TITLE_MAX_LENGTH,
    "evidence_url": EVIDENCE_URL_MAX_LENGTH,
    "version": 20,
    "seen": SEEN_MAX_LENGTH,
    "reply": REPLY_MAX_LENGTH,
}


def value_field(question):
    T = Question.AnswerType
    kind = question.answer_type
    label = _("Jawaban")
    if kind == T.LEVEL:
        choices = [(str(o.pk), f"{o.value} – {o.label}") for o in question.options.all()]
        return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)
    if kind == T.CHOICE:
        choices = [("", _("— pilih —"))] + [(str(o.pk), o.label) for o in question.options.all()]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    if kind == T.YES_NO:
        return forms.ChoiceField(
            label=label, choices=[(YES, _("Ya")), (NO, _("Tidak"))], required=False, widget=forms.RadioSelect
        )
    if kind == T.NUMBER:
        if question.unit:
            label = _("Jawaban, dalam %(unit)s") % {"unit": question.unit}
        if question.whole_number:
            help_text = _("Bilangan bulat. Titik memisahkan ribuan: 1.250 berarti seribu dua ratus lima puluh.")
        else:
            help_text = _(
                "Titik memisahkan ribuan, koma untuk desimal: 1.250 berarti seribu dua ratus lima puluh; 1.234,5."
            )
        return DecimalInput(
            label=label,
            help_text=help_text,
            required=False,
            max_digits=14,
            decimal_places=0 if question.whole_number else 2,
            whole=question.whole_number,
        )
    if kind == T.PERCENT:
        return DecimalInput(
            label=_("Jawaban, dalam persen"),
            help_text=_("Angka 0 sampai 100, koma untuk desimal, mis. 75,5."),
            required=False,
            max_digits=5,
            decimal_places=2,
            min_value=Decimal(0),
            max_value=Decimal(100),
        )
    if kind == T.DATE:
        # A date control takes only YYYY-MM-DD: never the localised date (it would show empty
        # and the next save would erase the answer).
        return forms.DateField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
    return MultilineField(
        label=label, required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


def initial_value(question, answer):
    if answer is None:
        return None
    T = Question.AnswerType
    if question.answer_type in {T.LEVEL, T.CHOICE}:
        return str(answer.option_id) if answer.option_id else None
    if question.answer_type == T.YES_NO:
        return None if answer.bool_value is None else (YES if answer.bool_value else NO)
    if question.answer_type in {T.NUMBER, T.PERCENT}:
        return None if answer.number_value is None else format_number(answer.number_value)
    if question.answer_type == T.DATE:
        return answer.date_value
    return answer.text_value


class AnswerForm(forms.Form):
    value = forms.CharField(required=False)  # replaced per question type in __init__
    explanation = MultilineField(
        label=_("Penjelasan"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Jelaskan singkat kondisi sebenarnya dan rujuk bukti dukung."),
    )
    evidence_title = forms.CharField(
        label=_("Judul bukti dukung"), required=False, max_length=EVIDENCE_TITLE_MAX_LENGTH
    )
    evidence_file = forms.FileField(
        label=_("Unggah berkas"),
        required=False,
        validators=[validate_evidence_file],
    )
    evidence_url = LinkField(label=_("atau tautan"), required=False, max_length=EVIDENCE_URL_MAX_LENGTH)
    remove_evidence = forms.TypedMultipleChoiceField(
        label=_("Hapus bukti dukung"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    # Names the file kept from a refused save (PendingEvidence, pending_uploads.pending_uploads); drawn
    # by the template with the kept file's token, never the posted value.
    evidence_pending = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    seen = forms.CharField(widget=forms.HiddenInput, max_length=SEEN_MAX_LENGTH, required=False)

    def __init__(self, *args, question, answer=None, read_only=False, pending=None, **kwargs):
        kwargs.setdefault("prefix", f"q{question.pk}")
        super().__init__(*args, **kwargs)
        self.question = question
        self.answer = answer
        self.pending = pending  # the file kept from a refused save, used when no other is chosen
        self.fields["value"] = value_field(question)
        self.fields["value"].initial = initial_value(question, answer)
        self.fields["explanation"].initial = answer.explanation if answer else ""
        self.fields["version"].initial = answer.version if answer else 0
        self.fields["seen"].initial = state_of(answer)
        self.fields["evidence_file"].widget.attrs["accept"] = evidence_accept_attribute()
        self.fields["evidence_file"].help_text = _("%(types)s, paling besar %(limit)s.") % {
            "types": ALLOWED_LABEL,
            "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
        }
        evidence = getattr(answer, "live_evidence", []) if answer else []
        self.fields["remove_evidence"].choices = [(e.pk, e.title) for e in evidence]
        if answer is not None and answer.needs_revision and not read_only:
            # Always shown empty: a reply is a new message, so a form posted back unchanged adds none.
            self.fields["reply"] = MultilineField(
                label=_("Tanggapan untuk koordinator"),
                required=False,
                max_length=REPLY_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Bila jawaban ini tetap seperti adanya, jelaskan alasannya kepada koordinator."),
            )
        if question.from_impact_survey:
            # The coordinators fill this answer from the impact survey (surveys.fill_impact_answers): the agency
            # explains and attaches evidence, but never changes the value (values() keeps it).
            self.fields["value"].disabled = True
            self.fields["value"].help_text = _("Diisi koordinator dari rata-rata survei dampak: %(value)s.") % {
                "value": answer.value_display() if answer is not None and answer.is_answered else _("belum diisi")
            }
        if read_only:
            for form_field in self.fields.values():
                form_field.disabled = True

    def clean_value(self):
        value = self.cleaned_data.get("value")
        T = Question.AnswerType
        kind = self.question.answer_type
        if kind in {T.LEVEL, T.CHOICE}:
            return int(value) if value else None
        if kind == T.YES_NO:
            return None if value in ("", None) else value == YES
        return value

    def clean(self):
        cleaned = super().clean()
        title = (cleaned.get("evidence_title") or "").strip()
        upload, url = cleaned.get("evidence_file") or self.pending, cleaned.get("evidence_url")
        if upload and url:
            self.add_error(
                "evidence_url", forms.ValidationError(_("Pilih salah satu: unggah berkas atau tautan."), code="both")
            )
        elif (upload or url) and not title:
            self.add_error(
                "evidence_title",
                forms.ValidationError(_('Beri judul bukti dukung, mis. "SK Tim Smart City 2024".'), code="title"),
            )
        elif title and not (upload or url) and "evidence_file" not in self.errors:
            self.add_error(
                "evidence_file",
                forms.ValidationError(_("Pilih berkas atau isi tautan untuk judul ini."), code="missing"),
            )
        return cleaned

    def values(self):
        """The cleaned value as Answer fields; every other value field is emptied. An impact
        question's value stays what the survey made it."""
        if self.question.from_impact_survey:
            return values_of(self.answer)
        T = Question.AnswerType
        kind = self.question.answer_type
        value = self.cleaned_data.get("value")
        result = {"option_id": None, "bool_value": None, "number_value": None, "text_value": "", "date_value": None}
        if kind in {T.LEVEL, T.CHOICE}:
            result["option_id"] = value
        elif kind == T.YES_NO:
            result["bool_value"] = value
        elif kind in {T.NUMBER, T.PERCENT}:
            result["number_value"] = value
        elif kind == T.DATE:
            result["date_value"] = value
        else:
            result["text_value"] = (value or "").strip()
        return result

    def to_input(self, confirm=False):
        data = self.cleaned_data
        new_evidence = []
        uploaded = data.get("evidence_file") or (self.pending.as_upload() if self.pending else None)
        if uploaded or data.get("evidence_url"):
            new_evidence.append((data["evidence_title"].strip(), uploaded, data.get("evidence_url")))
        return AnswerInput(
            question=self.question,
            answer=self.answer,
            seen_version=data.get("version") or 0,
            # A post without the fingerprint (not from our page) changes only what differs now.
            seen_state=data.get("seen") or state_of(self.answer),
            values=self.values(),
            explanation=(data.get("explanation") or "").strip(),
            new_evidence=new_evidence,
            remove_evidence=data.get("remove_evidence") or [],
            confirm=confirm,
            reply=(data.get("reply") or "").strip(),
        )


def section_forms(page, data=None, files=None, read_only=False, pending=None):
    """One AnswerForm per question of the section page, in form order. `pending`: the files kept
    from a refused save that the post names, by question id (pending_uploads.pending_uploads)."""
    pending = pending or {}
    return [
        AnswerForm(
            data, files, question=q, answer=page.answers.get(q.id), read_only=read_only, pending=pending.get(q.id)
        )
        for q in page.section.questions
    ]


def restorable_fields(questions):
    """{field name: longest value} of the section form of these questions (evaluations.restore)."""
    return {f"q{question.pk}-{name}": limit for question in questions for name, limit in RESTORABLE.items()}
