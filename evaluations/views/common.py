from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import roles
from ..models import EvaluationPeriod, Question, Submission


def home(request):
    """The open period, its dates and what this user can do next."""
    period = EvaluationPeriod.objects.current()
    context = {"period": period}
    if period is not None:
        agency = roles.agency_of(request.user)
        if agency is not None:
            context["agency"] = agency
            context["question_count"] = Question.objects.assigned_to(agency, period).count()
            context["submission"] = Submission.objects.filter(period=period, agency=agency).first()
        if roles.can_view_all(request.user):
            context["question_total"] = Question.objects.for_period(period).count()
            context["submission_count"] = Submission.objects.for_period(period).count()
            context["agencies_assigned"] = period.assignments.values("agency").distinct().count()
    return render(request, "evaluations/home.html", context)


@login_not_required
def csrf_failure(request, reason=""):
    """A clear page instead of Django's technical 403 when a form's security token is stale."""
    return render(
        request,
        "403_csrf.html",
        {"message": _("Formulir kedaluwarsa atau dibuka di tab lain. Muat ulang halaman, lalu kirim lagi.")},
        status=403,
    )
