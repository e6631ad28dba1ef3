"""The people's part of the region's evaluation report: Kekuatan, Kelemahan and Rekomendasi, per
pillar and for the whole region, written on the report notes page.

Append-only: every save of a text adds a ReportNote row (who, when, what, whether it started from
the app's suggestion), so the newest row of each (period, pillar, kind) is what the report prints
and the older ones are its history. Suggestions computed from the data (reports.suggestions) are
never stored here by themselves: only what a person saved reaches the report.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import REVIEW
from .fields import limited_text
from .periods import EvaluationPeriod
from .regions import region_scoped
from .transitions import TransitionError

NOTE_MAX_LENGTH = 4000


class ReportNoteQuerySet(models.QuerySet):
    def current(self, period):
        """{(pillar_id or None, kind): the newest note} of the period: what the report prints. One query."""
        newest = {}
        for note in self.filter(period=period).select_related("written_by").order_by("written_at", "pk"):
            newest[note.pillar_id, note.kind] = note
        return newest

    def history(self, period):
        """Every version of the period's notes, newest first, with who wrote it. One query."""
        return self.filter(period=period).select_related("written_by", "pillar").order_by("-written_at", "-pk")


class ReportNote(models.Model):
    class Kind(models.TextChoices):
        STRENGTH = "kekuatan", _("Kekuatan")
        WEAKNESS = "kelemahan", _("Kelemahan")
        RECOMMENDATION = "rekomendasi", _("Rekomendasi")

    class Origin(models.TextChoices):
        WRITTEN = "ditulis", _("ditulis sendiri")
        SUGGESTION_EDITED = "saran_diubah", _("dari saran, disunting")
        SUGGESTION_ACCEPTED = "saran_diterima", _("saran diterima tanpa perubahan")

    period = models.ForeignKey(
        EvaluationPeriod, on_delete=models.CASCADE, related_name="report_notes", verbose_name=_("periode")
    )
    # None: the region as a whole ("Umum").
    pillar = models.ForeignKey(
        "pillars.Pillar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pilar"),
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    # Empty: the writer removed the text; the report then says nothing was written.
    text = limited_text(_("teks"), NOTE_MAX_LENGTH, blank=True)
    origin = models.CharField(_("asal"), max_length=16, choices=Origin.choices, default=Origin.WRITTEN)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("ditulis oleh")
    )
    written_at = models.DateTimeField(_("waktu"), default=timezone.now)

    objects = region_scoped("period__region", ReportNoteQuerySet)

    class Meta:
        verbose_name = _("catatan laporan")
        verbose_name_plural = _("catatan laporan")
        indexes = [models.Index(fields=["period", "pillar", "kind", "written_at"], name="report_note_current")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.pillar_id or '-'} · {self.period_id}"

    @staticmethod
    def can_write(user):
        return user.has_perm(REVIEW)

    @classmethod
    def write_scope(cls, period, pillar, texts, seen, by):
        """Save the texts of one scope (a pillar, or None for the whole region) in one transaction:
        `texts` {kind: (text, origin)}, `seen` {kind: id of the newest note the writer's page showed,
        or None}. A text equal to the newest one adds nothing. If a colleague saved any of the
        scope's texts since the page was loaded, nothing is saved and TransitionError says who.
        Returns the notes added."""
        if not cls.can_write(by):
            raise TransitionError(_("Anda tidak berhak menulis catatan laporan."))
        with transaction.atomic():
            # The period's row, locked: two writers of one period's notes are served in turn, so
            # the second sees the first's note and is refused instead of overwriting it.
            EvaluationPeriod.objects.select_for_update(no_key=True).filter(pk=period.pk).first()
            scope = pillar.pk if pillar else None
            current = {
                kind: note for (pillar_id, kind), note in cls.objects.current(period).items() if pillar_id == scope
            }
            changed = [kind for kind in texts if (current[kind].pk if kind in current else None) != seen.get(kind)]
            if changed:
                note = current[changed[0]]
                who = (note.written_by.get_full_name() or note.written_by.get_username()) if note.written_by else "-"
                raise TransitionError(
                    _(
                        "%(kind)s sudah diubah oleh %(who)s pada %(when)s setelah halaman ini dibuka. Tidak ada yang "
                        "disimpan; teks Anda masih di formulir, bandingkan dengan teks terbaru."
                    )
                    % {
                        "kind": note.get_kind_display(),
                        "who": who,
                        "when": timezone.localtime(note.written_at).strftime("%d-%m-%Y %H:%M"),
                    }
                )
            added = []
            for kind, (text, origin) in texts.items():
                text = text.strip()
                previous = current.get(kind)
                if (previous.text if previous else "") == text:
                    continue
                note = cls(period=period, pillar=pillar, kind=kind, text=text, origin=origin, written_by=by)
                note.full_clean(exclude=["period", "pillar", "written_by"])
                note.save()
                added.append(note)
            return added
