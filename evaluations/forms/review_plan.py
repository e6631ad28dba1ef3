"""The review plan's form (one reviewer of one pillar or question, for every agency or one) and the
reviewer's queue filters."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar

from ..models import Agency, Question, ReviewAssignment
from ..models.review_plan import QUEUE_REPLIED, QUEUE_UNVERIFIED
from .fields import RegionModelChoiceField


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name() or user.username
        member = getattr(user, "agency_member", None)
        return f"{name} ({member.agency.abbreviation})" if member else name


class ReviewAssignmentForm(forms.ModelForm):
    """Add a reviewer to a pillar (or a single question), for every agency or one. The model's
    clean() refuses a reviewer of their own agency's answers; its constraints a row twice."""

    reviewer = ReviewerChoiceField(get_user_model().objects.none(), label=_("Peninjau"))
    pillar = forms.ModelChoiceField(Pillar.objects.all(), label=_("Pilar"), required=False)
    question = RegionModelChoiceField(
        Question,
        label=_("Pertanyaan"),
        required=False,
        help_text=_("Isi pilar atau satu pertanyaan, tidak keduanya."),
    )
    agency = RegionModelChoiceField(
        Agency,
        label=_("Perangkat daerah"),
        required=False,
        empty_label=_("Semua perangkat daerah"),
    )

    class Meta:
        model = ReviewAssignment
        fields = ["reviewer", "pillar", "question", "agency", "role"]

    def __init__(self, *args, period, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.period = period
        self.fields["reviewer"].queryset = reviewers
        self.fields["question"].queryset = Question.objects.for_period(period).order_by("code")
        self.fields["question"].label_from_instance = lambda question: f"{question.code} · {question.text[:60]}"
        self.fields["agency"].queryset = Agency.objects.filter(active=True)

    def _get_validation_exclusions(self):
        # The period is the page's, not a field: still checked by the constraints that name it.
        exclude = super()._get_validation_exclusions()
        exclude.discard("period")
        return exclude

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("pillar")) == bool(cleaned.get("question")):
            raise forms.ValidationError(_("Pilih satu pilar atau satu pertanyaan."), code="pillar_or_question")
        return cleaned


class QueueFilterForm(forms.Form):
    """The queue's filters (GET): a pillar, an agency, a state; an unknown value filters nothing.
    The queue's bulk actions carry the same filter (views/review_bulk.queue)."""

    pilar = forms.ModelChoiceField(Pillar.objects.all(), label=_("Pilar"), required=False, empty_label=_("Semua"))
    opd = RegionModelChoiceField(Agency, label=_("Perangkat daerah"), required=False, empty_label=_("Semua"))
    status = forms.ChoiceField(
        label=_("Menunggu"),
        required=False,
        choices=[
            ("", _("Semua")),
            (QUEUE_UNVERIFIED, _("Belum diverifikasi")),
            (QUEUE_REPLIED, _("Ditanggapi perangkat daerah")),
        ],
    )

    def filters(self):
        """(pillar, agency, state) as chosen; a value not valid filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("pilar"), data.get("opd"), data.get("status", "")

    def describe(self):
        """The filter in words, for the bulk actions' confirmation."""
        pillar, agency, state = self.filters()
        return _("%(state)s · %(pillar)s · %(agency)s") % {
            "state": _("Belum diverifikasi"),
            "pillar": pillar.name if pillar else _("semua pilar Anda"),
            "agency": agency.name if agency else _("semua perangkat daerah"),
        }

    def query(self, period):
        """The queue's address parameters for `period` and this filter (back from a bulk action)."""
        pillar, agency, state = self.filters()
        params = {"periode": period.pk, "pilar": pillar.pk if pillar else "", "opd": agency.pk if agency else ""}
        params["status"] = state
        return urlencode({key: value for key, value in params.items() if value})
