from django.urls import path

from .views import common, datasets, quickwins

app_name = "evaluations"
urlpatterns = [
    path("", common.home, name="home"),
    path("quick-wins/", quickwins.quick_win_list, name="quick_win_list"),
    path("quick-wins/cakupan/", quickwins.coverage, name="quick_win_coverage"),
    path("quick-wins/baru/", quickwins.quick_win_create, name="quick_win_create"),
    path("quick-wins/lanjutan/", quickwins.continuation, name="quick_win_continuation"),
    path("quick-wins/<int:pk>/", quickwins.quick_win_detail, name="quick_win_detail"),
    path("quick-wins/<int:pk>/ubah/", quickwins.quick_win_edit, name="quick_win_edit"),
    path("quick-wins/<int:pk>/tetapkan/", quickwins.quick_win_set, name="quick_win_set"),
    path("quick-wins/<int:pk>/tolak/", quickwins.quick_win_reject, name="quick_win_reject"),
    path("quick-wins/<int:pk>/usulkan-ulang/", quickwins.quick_win_resubmit, name="quick_win_resubmit"),
    path("quick-wins/<int:pk>/status/", quickwins.quick_win_progress, name="quick_win_progress"),
    path("quick-wins/<int:pk>/lanjutkan/", quickwins.quick_win_continue, name="quick_win_continue"),
    path("quick-wins/<int:pk>/bukti/", quickwins.quick_win_evidence_upload, name="quick_win_evidence_upload"),
    path("quick-wins/bukti/<int:pk>/unduh/", quickwins.quick_win_evidence_download, name="quick_win_evidence_download"),
    path("data/", datasets.dataset_index, name="dataset_index"),
    path("data/unggahan/<int:pk>/unduh/", datasets.dataset_upload_download, name="dataset_upload_download"),
    path("data/unggahan/<int:pk>/hapus/", datasets.dataset_upload_delete, name="dataset_upload_delete"),
    path("data/<str:kind>/", datasets.dataset_page, name="dataset_page"),
    path("data/<str:kind>/templat/", datasets.dataset_template, name="dataset_template"),
    path("data/<str:kind>/unggah/", datasets.dataset_upload, name="dataset_upload"),
]

# Coordinators: progress, review, results, reminders; admin: periods.
from .views import dashboard, periods, review  # noqa: E402

urlpatterns += [
    path("koordinator/", dashboard.dashboard, name="dashboard"),
    path("koordinator/pengingat/", dashboard.send_reminders, name="send_reminders"),
    path("koordinator/pengisian/<int:pk>/", review.review, name="review"),
    path("koordinator/pengisian/<int:pk>/kembalikan/", review.return_for_revision, name="review_return"),
    path("koordinator/pengisian/<int:pk>/setujui/", review.approve, name="review_approve"),
    path("koordinator/pengisian/<int:pk>/buka-kembali/", review.reopen, name="review_reopen"),
    path("koordinator/jawaban/<int:pk>/skor/", review.set_score, name="review_score"),
    path("koordinator/jawaban/<int:pk>/komentar/", review.add_comment, name="review_comment"),
    path("koordinator/jawaban/<int:pk>/perbaikan/", review.mark_revision, name="review_revision"),
    path("hasil/", dashboard.results, name="results"),
    path("kelola/periode/", periods.period_list, name="period_list"),
    path("kelola/periode/<int:pk>/", periods.period_detail, name="period_detail"),
    path("kelola/periode/<int:pk>/buka/", periods.period_open, name="period_open"),
    path("kelola/periode/<int:pk>/batas-akhir/", periods.period_deadline, name="period_deadline"),
    path("kelola/periode/<int:pk>/tutup/", periods.period_close, name="period_close"),
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
