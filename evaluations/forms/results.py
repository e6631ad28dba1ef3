"""The filters of the coordinators' dashboard (the agencies' completion)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..completion import STATUS_CHOICES

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
    """GET parameters of the coordinators' dashboard; invalid values fall back to 'all'."""

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
