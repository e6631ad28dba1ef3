from django.urls import path

from .views import common

app_name = "evaluations"
urlpatterns = [
    path("", common.home, name="home"),
]

# Operators fill in their agency's submission (evaluations.views.agency).
from .views import agency  # noqa: E402

urlpatterns += [
    path("opd/", agency.operator_home, name="agency_home"),
    path("opd/pengisian/<int:submission_id>/", agency.submission_overview, name="agency_submission"),
    path("opd/pengisian/<int:submission_id>/bagian/<str:key>/", agency.section, name="agency_section"),
    path("opd/pengisian/<int:submission_id>/kirim/", agency.submit, name="agency_submit"),
    path("opd/pengisian/<int:submission_id>/salin/", agency.copy_previous, name="agency_carry_forward"),
    path("opd/bukti/<int:evidence_id>/unduh/", agency.evidence_download, name="evidence_download"),
]
