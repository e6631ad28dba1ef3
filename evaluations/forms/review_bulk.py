"""Forms of the coordinators' bulk review page: the filter (GET) and the action (POST) with the
stamps of the answers the page listed (evaluations.review_bulk)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar

from .. import review_bulk
from ..models import Agency
from ..models.answering import REVISION_NOTE_MAX_LENGTH
from .fields import MultilineField, RegionModelChoiceField

STATE_CHOICES = [
    (review_bulk.UNVERIFIED, _("Skor mandiri, belum diverifikasi")),
    (review_bulk.MARKED, _("Ditandai perlu perbaikan, belum ditanggapi")),
    (review_bulk.REPLIED, _("Ditandai perlu perbaikan, sudah ditanggapi")),
]
ACCEPT = "terima"
MARK = "tandai"


class BulkFilterForm(forms.Form):
    """?pilar=GOV&opd=12&keadaan=belum; an unknown value is refused and the whole filter ignored."""

    pilar = forms.ModelChoiceField(
        Pillar.objects.all(), to_field_name="code", required=False, label=_("Pilar"), empty_label=_("Semua pilar")
    )
    opd = RegionModelChoiceField(
        Agency, required=False, label=_("Perangkat daerah"), empty_label=_("Semua perangkat daerah")
    )
    keadaan = forms.ChoiceField(choices=STATE_CHOICES, required=False, label=_("Keadaan jawaban"))

    def filters(self):
        """(pillar, agency, state) to filter with; the defaults when the form is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("pilar"), data.get("opd"), data.get("keadaan") or review_bulk.UNVERIFIED

    def describe(self):
        """The filter in words, for the page, the confirmation and the message."""
        pillar, agency, state = self.filters()
        return _("%(state)s · %(pillar)s · %(agency)s") % {
            "state": dict(STATE_CHOICES)[state],
            "pillar": pillar.name if pillar else _("semua pilar"),
            "agency": agency.name if agency else _("semua perangkat daerah"),
        }


# "<pk>:<version>:<updated_at>" fits easily; anything longer was not drawn by the page.
STAMP_MAX_LENGTH = 80


class BulkActionForm(forms.Form):
    """One of the two actions over the answers listed, each carried as "<pk>:<stamp>". `confirmed`
    is the second step's button: the first post only asks to confirm."""

    action = forms.ChoiceField(choices=[(ACCEPT, ACCEPT), (MARK, MARK)], widget=forms.HiddenInput)
    jawaban = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    note = MultilineField(
        label=_("Catatan perbaikan untuk perangkat daerah"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REVISION_NOTE_MAX_LENGTH,
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self._stamps = data.getlist("jawaban") if data is not None else []

    def clean_jawaban(self):
        stamps = {}
        for item in self._stamps[: review_bulk.LIMIT + 1]:
            pk, _sep, stamp = item.partition(":")
            if not (pk.isascii() and pk.isdigit() and stamp and len(item) <= STAMP_MAX_LENGTH):
                raise forms.ValidationError(_("Daftar jawaban tidak valid. Muat ulang halaman."), code="invalid")
            stamps[int(pk)] = stamp
        if not stamps:
            raise forms.ValidationError(_("Tidak ada jawaban dalam saringan ini."), code="empty")
        if len(stamps) > review_bulk.LIMIT:
            raise forms.ValidationError(_("Terlalu banyak jawaban. Persempit saringannya."), code="too_many")
        return stamps

    def clean(self):
        data = super().clean()
        if data.get("action") == MARK and not (data.get("note") or "").strip():
            self.add_error(
                "note",
                forms.ValidationError(
                    _("Tulis catatan perbaikan agar perangkat daerah tahu apa yang harus diperbaiki."),
                    code="note_required",
                ),
            )
        return data
