"""Forms of the coordinators' pages: dashboard filters, review of one answer, review actions,
and the admin's period management."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EvaluationPeriod, ReviewComment, Submission
from .models.instrument import SCORE_MAX, SCORE_MIN
from .models.submission import NOT_STARTED

STATUS_CHOICES = [(NOT_STARTED, _("Belum mulai")), *Submission.Status.choices]

SORT_CHOICES = [
    ("agency", _("Perangkat daerah (A–Z)")),
    ("-agency", _("Perangkat daerah (Z–A)")),
    ("percent", _("Persentase terkecil dahulu")),
    ("-percent", _("Persentase terbesar dahulu")),
    ("status", _("Status (belum mulai dahulu)")),
    ("-status", _("Status (disetujui dahulu)")),
    ("late", _("Paling sedikit terlambat dahulu")),
    ("-late", _("Paling terlambat dahulu")),
]


class DashboardFilterForm(forms.Form):
    """GET parameters of the progress dashboard; invalid values fall back to 'all'."""

    periode = forms.TypedChoiceField(label=_("Periode"), coerce=int, required=False)
    pilar = forms.ChoiceField(label=_("Pilar"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua status")), *STATUS_CHOICES])
    q = forms.CharField(label=_("Perangkat daerah"), required=False, max_length=100)
    urut = forms.ChoiceField(label=_("Urutkan"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, pillars=(), periods=(), **kwargs):
        # Choices come from lists the view has already read: no query of their own.
        super().__init__(*args, **kwargs)
        self.fields["periode"].choices = [(p.pk, p.name) for p in periods]
        self.fields["pilar"].choices = [("", _("Semua pilar")), *((p.code, p.name) for p in pillars)]


class ScoreForm(forms.Form):
    verified_score = forms.DecimalField(
        label=_("Skor verifikasi"),
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        max_digits=4,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": _("Isi skor verifikasi (0 sampai 4)."),
            "invalid": _("Skor verifikasi harus berupa angka, misalnya 3 atau 2,5."),
            "min_value": _("Skor verifikasi paling kecil 0."),
            "max_value": _("Skor verifikasi paling besar 4."),
            "max_decimal_places": _("Skor verifikasi paling banyak dua angka di belakang koma."),
        },
    )
    note = forms.CharField(label=_("Alasan (opsional)"), required=False, max_length=500)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Komentar"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        error_messages={"required": _("Tulis komentarnya terlebih dahulu.")},
    )
    visibility = forms.ChoiceField(
        label=_("Terlihat oleh"),
        choices=ReviewComment.Visibility.choices,
        initial=ReviewComment.Visibility.AGENCY,
        widget=forms.RadioSelect,
    )


class RevisionForm(forms.Form):
    needs_revision = forms.BooleanField(label=_("Perlu perbaikan"), required=False)
    revision_note = forms.CharField(
        label=_("Catatan perbaikan untuk perangkat daerah"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

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
    note = forms.CharField(
        label=_("Catatan untuk perangkat daerah"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class DeadlineForm(forms.ModelForm):
    """The model's clean() refuses a deadline before the opening date."""

    class Meta:
        model = EvaluationPeriod
        fields = ["closes"]
        widgets = {"closes": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {"closes": {"invalid": _("Tanggal tidak valid. Gunakan format tahun-bulan-tanggal.")}}
