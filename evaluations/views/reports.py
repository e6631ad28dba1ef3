"""The region's evaluation report: the PDF (built by a job, downloaded from its page) and the page
where coordinators write its Kekuatan, Kelemahan and Rekomendasi."""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, reports, roles, tasks
from ..forms.reports import ScopeForm
from ..models import TransitionError


@require_POST
def export(request, period_id):
    """The report of the period, prepared for whoever asks (named on its cover) by a job; a finished
    one is reused while nothing it shows changed, so the download starts at once."""
    period = access.get_report_period_for_user(request.user, period_id)
    job = tasks.report_job(period, request.user)
    if job.is_done:
        return redirect("evaluations:jobs_download", pk=job.pk)
    return redirect("evaluations:jobs_detail", pk=job.pk)


def notes(request, period_id):
    """Kekuatan, Kelemahan and Rekomendasi per pillar and overall, each beside the suggestion the
    data gives (`?saran=<scope>` puts a scope's suggestions in its fields, unsaved), with the
    history of every version. A post saves one scope (`bagian`)."""
    period = access.get_report_period_for_user(request.user, period_id, write=request.method == "POST")
    page = reports.notes_page(period)
    scopes = {scope.key: scope for scope in page["scopes"]}
    chosen = request.GET.get("saran")
    forms = {key: ScopeForm(scope=scope, use_suggestions=key == chosen) for key, scope in scopes.items()}
    status = 200
    if request.method == "POST":
        key = request.POST.get("bagian", "")
        if key not in scopes:
            return HttpResponseBadRequest(_("Bagian catatan tidak dikenal."))
        form = forms[key] = ScopeForm(request.POST, scope=scopes[key])
        if form.is_valid():
            try:
                added = reports.save_scope(period, key, form.texts(), form.seen(), request.user)
            except TransitionError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                name = {"scope": scopes[key].name}
                if added:
                    messages.success(request, _("Catatan %(scope)s disimpan.") % name)
                else:
                    messages.info(request, _("Tidak ada perubahan pada catatan %(scope)s.") % name)
                return redirect(reverse("evaluations:reports_notes", args=[period.pk]) + f"#catatan-{key}")
        else:
            status = 400
    return render(
        request,
        "evaluations/reports/notes.html",
        {
            **page,
            "forms": [(scopes[key], form) for key, form in forms.items()],
            "can_write": roles.is_coordinator(request.user),
        },
        status=status,
    )
