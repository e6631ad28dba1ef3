from django.urls import path

from .views import common

app_name = "evaluations"
urlpatterns = [
    path("", common.home, name="home"),
]

from .views import exports  # noqa: E402

urlpatterns += [
    path("ekspor/<int:period_id>/", exports.export_evaluation, name="export_evaluation"),
]

from .views import instrument  # noqa: E402

urlpatterns += [
    path("kelola/instrumen/", instrument.instrument, name="instrument"),
    path("kelola/instrumen/<int:period_id>/unduh/", instrument.instrument_download, name="instrument_download"),
]
