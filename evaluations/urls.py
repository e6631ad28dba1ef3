from django.urls import path

from .views import common

app_name = "evaluations"
urlpatterns = [
    path("", common.home, name="home"),
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
