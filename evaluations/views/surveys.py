"""The impact survey's staff pages (issue 15). Each part of the survey has its own block below."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import access
from ..models import TransitionError
from ..models.surveys import fill_impact_answers as fill_answers

# --- Results: filling the impact questions' answers from the survey (helper surveys-results) ----
# The survey's means are shown on the results page (views.results.index, results/_survey.html).


@require_POST
def fill_impact_answers(request, period_pk):
    """The results page's coordinator action: the impact questions' answers of every agency that
    answers them become the survey mean (models.surveys.fill_impact_answers)."""
    period = access.get_period_for_coordinator(request.user, period_pk)
    url = reverse("evaluations:results_index") + f"?periode={period.pk}#survei-dampak"
    try:
        fill = fill_answers(period, by=request.user)
    except TransitionError as error:
        messages.error(request, error.message)
        return redirect(url)
    if fill.written:
        messages.success(
            request,
            ngettext(
                "%(n)s jawaban pertanyaan dampak diisi dengan rata-rata survei dampak.",
                "%(n)s jawaban pertanyaan dampak diisi dengan rata-rata survei dampak.",
                len(fill.written),
            )
            % {"n": len(fill.written)},
        )
    if fill.unchanged:
        messages.info(
            request,
            ngettext(
                "%(n)s jawaban sudah sama dengan rata-rata survei dan tidak diubah.",
                "%(n)s jawaban sudah sama dengan rata-rata survei dan tidak diubah.",
                fill.unchanged,
            )
            % {"n": fill.unchanged},
        )
    if fill.refused:
        listed = ", ".join(f"{agency.abbreviation} ({code})" for agency, code in fill.refused)
        messages.warning(
            request,
            _(
                "Pengisian yang sudah disetujui tidak diubah: %(answers)s. Minta admin membuka kembali "
                "pengisian tersebut bila jawabannya perlu mengikuti survei."
            )
            % {"answers": listed},
        )
    for code, reason in fill.skipped:
        messages.warning(request, _("Pertanyaan %(code)s tidak diisi: %(reason)s.") % {"code": code, "reason": reason})
    if not (fill.written or fill.unchanged or fill.refused or fill.skipped):
        messages.info(request, _("Tidak ada perangkat daerah yang ditugaskan menjawab pertanyaan dampak."))
    return redirect(url)
