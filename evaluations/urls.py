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
