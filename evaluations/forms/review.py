"""Forms of the coordinators' review of one submission: the verified score, comments, revision marks,
the note that goes with returning or reopening, and approving."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ReviewComment
from ..models.answering import COMMENT_MAX_LENGTH, REVISION_NOTE_MAX_LENGTH, SCORE_NOTE_MAX_LENGTH
from ..models.instrument import SCORE_MAX, SCORE_MIN
from .fields import DecimalInput, MultilineField


class ScoreForm(forms.Form):
    """The verified score of one answer. It starts empty ("belum diverifikasi") and never proposes
    the agency's score as if it were verified; the "setujui skor mandiri" button (`accept`) takes
    the agency's score in one click instead."""

    # Read like every number people type (2,5 or 2.5 in Indonesian), not with Django's localisation,
    # which drops "." as a thousands separator and so reads 2.5 as 25.
    verified_score = DecimalInput(
        label=_("Skor verifikasi"),
        # Checked in clean(): the accept button needs no typed score.
        required=False,
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        max_digits=4,
        decimal_places=2,
        shown_places=2,
        error_messages={
            "required": _("Isi skor verifikasi (0 sampai 4)."),
            "invalid": _("Skor verifikasi harus berupa angka, misalnya 3 atau 2,5."),
            "min_value": _("Skor verifikasi paling kecil 0."),
            "max_value": _("Skor verifikasi paling besar 4."),
            "max_decimal_places": _("Skor verifikasi paling banyak dua angka di belakang koma."),
        },
    )
    note = forms.CharField(label=_("Alasan (opsional)"), required=False, max_length=SCORE_NOTE_MAX_LENGTH)
    # The name of the "setujui skor mandiri" submit button: present only when that one was pressed.
    accept = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The verified score as the page showed it (machine format, "" for none): with several
    # reviewers on one answer, a score typed over another reviewer's newer one is refused
    # (Answer.set_verified_score's `seen`).
    seen = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, self_score=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.self_score = self_score

    def clean_seen(self):
        value = self.cleaned_data["seen"].strip()
        if not value:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise forms.ValidationError(_("Muat ulang halaman, lalu simpan lagi."), code="seen") from None

    def seen_score(self):
        """(True, the score the page showed) when the page sent it; (False, None) from an older page."""
        return (self.add_prefix("seen") in self.data, self.cleaned_data.get("seen"))

    def clean(self):
        data = super().clean()
        if data.get("accept"):
            if self.self_score is None:
                raise forms.ValidationError(_("Jawaban ini tidak punya skor mandiri."), code="no_self_score")
            self.errors.pop("verified_score", None)
            data["verified_score"] = self.self_score
        elif data.get("verified_score") is None and "verified_score" not in self.errors:
            self.add_error(
                "verified_score",
                forms.ValidationError(self.fields["verified_score"].error_messages["required"], code="required"),
            )
        return data


class CommentForm(forms.Form):
    body = MultilineField(
        label=_("Komentar"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": _("Tulis komentarnya terlebih dahulu.")},
    )
    # No default: a comment meant as internal once went to the agency. The coordinator chooses each
    # time, and the card shows the choice.
    visibility = forms.ChoiceField(
        label=_("Terlihat oleh"),
        choices=ReviewComment.Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih siapa yang dapat melihat komentar ini.")},
    )


class RevisionForm(forms.Form):
    needs_revision = forms.BooleanField(label=_("Perlu perbaikan"), required=False)
    revision_note = MultilineField(
        label=_("Catatan perbaikan untuk perangkat daerah"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REVISION_NOTE_MAX_LENGTH,
    )

    # The mark as the page showed it (Answer.revision_seen): a mark posted over a colleague's newer
    # one is refused.
    seen = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def seen_mark(self):
        """(True, the mark the page showed) when the page sent it; (False, None) from an older page."""
        return (self.add_prefix("seen") in self.data, self.cleaned_data.get("seen", ""))

    def clean(self):
        data = super().clean()
        if data.get("needs_revision") and not (data.get("revision_note") or "").strip():
            self.add_error(
                "revision_note",
                forms.ValidationError(
                    _("Tulis catatan perbaikan agar perangkat daerah tahu apa yang harus diperbaiki."),
                    code="note_required",
                ),
            )
        return data


class TransitionForm(forms.Form):
    note = MultilineField(
        label=_("Catatan untuk perangkat daerah"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX_LENGTH,
    )


class ReturnForm(TransitionForm):
    """Returning for revision, with a checkbox that says what it does: the coordinator confirms
    with the numbers in front of them (works without JavaScript; issue 24). `marked` is the
    answers marked for revision now."""

    confirm = forms.BooleanField(
        required=True, error_messages={"required": _("Centang konfirmasi untuk mengembalikan pengisian ini.")}
    )

    def __init__(self, *args, submission=None, marked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = _(
            "Kembalikan pengisian %(agency)s ke perangkat daerah: %(n)s jawaban bertanda perlu perbaikan. "
            "Perangkat daerah dapat mengubah jawabannya lagi dan harus mengirim ulang."
        ) % {"agency": submission.agency.name if submission else "", "n": len(marked)}

    def transition_data(self):
        return {"note": self.cleaned_data["note"]}


class ApproveForm(forms.Form):
    """Approving. When answers would count with the agency's own score (`self_scored`: their
    questions' codes), a checkbox asks the coordinator to confirm that those scores stand
    (Submission.approve)."""

    accept_self_scores = forms.BooleanField(required=False)

    def __init__(self, *args, self_scored=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["accept_self_scores"]
        if self_scored:
            field.label = _(
                "Skor mandiri perangkat daerah berlaku untuk %(n)s jawaban yang belum diberi skor verifikasi"
            ) % {"n": len(self_scored)}
            field.help_text = ", ".join(self_scored)
