"""The app's URLs, grouped by prefix. A URL's name is <topic>_<view function>, the topic being the
name of its module in views/ (and of its forms, templates and tests); a second URL of the same view
adds what it takes (surveys_public_form_enumerator). A parameter is `pk` for the URL's own object,
<model>_id for the object it belongs to (period_id), or the natural key it is looked up by (code,
key, kind, token)."""

from django.urls import path

from .models import Job
from .views import (
    answering,
    common,
    datasets,
    instrument,
    jobs,
    national,
    notifications,
    periods,
    quickwins,
    reports,
    results,
    review,
    review_bulk,
    review_plan,
    surveys,
)

app_name = "evaluations"
# A finished import's page (jobs.detail) is its topic's result: the data set with its message, the
# refused file's errors, the dry run's difference. Wired here so that no view imports another.
JOB_RESULT_PAGES = {
    Job.Kind.DATASET_IMPORT: datasets.upload_result,
    Job.Kind.INSTRUMENT_IMPORT: instrument.import_result,
}
urlpatterns = [
    path("", common.home, name="common_home"),
    # /opd/: operators fill in their agency's questionnaire.
    path("opd/", answering.home, name="answering_home"),
    path("opd/pengisian/<int:pk>/", answering.submission, name="answering_submission"),
    path("opd/pengisian/<int:pk>/bagian/<str:key>/", answering.section, name="answering_section"),
    path("opd/pengisian/<int:pk>/kirim/", answering.submit, name="answering_submit"),
    path("opd/pengisian/<int:pk>/salin/", answering.copy_previous, name="answering_copy_previous"),
    path("opd/bukti/<int:pk>/unduh/", answering.evidence_download, name="answering_evidence_download"),
    # /koordinator/: coordinators follow the agencies' completion, remind, and review one submission at a time.
    path("koordinator/", results.dashboard, name="results_dashboard"),
    path("koordinator/pengingat/", results.send_reminders, name="results_send_reminders"),
    path("koordinator/pengisian/<int:pk>/", review.submission, name="review_submission"),
    path("koordinator/pengisian/<int:pk>/kembalikan/", review.return_for_revision, name="review_return_for_revision"),
    path("koordinator/pengisian/<int:pk>/setujui/", review.approve, name="review_approve"),
    path("koordinator/pengisian/<int:pk>/buka-kembali/", review.reopen, name="review_reopen"),
    path("koordinator/pengisian/<int:pk>/setujui-kedua/", review.confirm_approval, name="review_confirm_approval"),
    path("koordinator/periode/<int:period_id>/verifikasi-massal/", review_bulk.page, name="review_bulk"),
    # A reviewer's queue: what waits on them in the pillars the period's review plan gives them.
    path("koordinator/antrean/", review_plan.queue, name="review_plan_queue"),
    path("koordinator/antrean/verifikasi-massal/", review_bulk.queue, name="review_bulk_queue"),
    path("koordinator/jawaban/<int:pk>/", review.answer, name="review_answer"),
    path("koordinator/jawaban/<int:pk>/skor/", review.set_score, name="review_set_score"),
    path("koordinator/jawaban/<int:pk>/komentar/", review.add_comment, name="review_add_comment"),
    path("koordinator/jawaban/<int:pk>/perbaikan/", review.mark_revision, name="review_mark_revision"),
    # /hasil/ and /ekspor/: the index and the workbook for the ministry.
    path("hasil/", results.index, name="results_index"),
    path("nasional/", national.index, name="national_index"),
    path("nasional/unduh/", national.export, name="national_export"),
    path("provinsi/<str:code>/", national.province, name="national_province"),
    path("ekspor/<int:period_id>/", results.export, name="results_export"),
    path("ekspor/<int:period_id>/paket-bukti/", results.evidence_package, name="results_evidence_package"),
    path("hasil/<int:period_id>/laporan/", reports.export, name="reports_export"),
    path("hasil/<int:period_id>/catatan/", reports.notes, name="reports_notes"),
    # /pekerjaan/: long work off the request (the workbook), its progress and its file.
    path("pekerjaan/<int:pk>/", jobs.detail, {"result_pages": JOB_RESULT_PAGES}, name="jobs_detail"),
    path("pekerjaan/<int:pk>/unduh/", jobs.download, name="jobs_download"),
    # /kelola/: the admin manages periods and the instrument.
    path("kelola/periode/", periods.index, name="periods_index"),
    path("kelola/periode/baru/", periods.create, name="periods_create"),
    path("kelola/periode/<int:pk>/", periods.detail, name="periods_detail"),
    path("kelola/periode/<int:pk>/buka/", periods.open_period, name="periods_open_period"),
    path("kelola/periode/<int:pk>/batas-akhir/", periods.change_deadline, name="periods_change_deadline"),
    path("kelola/periode/<int:pk>/tutup/", periods.close_period, name="periods_close_period"),
    path(
        "kelola/periode/<int:pk>/persetujuan-kedua/",
        periods.change_second_signoff,
        name="periods_change_second_signoff",
    ),
    path("kelola/periode/<int:pk>/buka-kembali/", periods.reopen_period, name="periods_reopen_period"),
    path("kelola/periode/<int:pk>/penugasan/", periods.assignments, name="periods_assignments"),
    path("kelola/periode/<int:pk>/penugasan/massal/", periods.assignments_bulk, name="periods_assignments_bulk"),
    # The period's review plan: coordinators and the admin give pillars to reviewers.
    path("kelola/periode/<int:pk>/peninjau/", review_plan.index, name="review_plan_index"),
    path("kelola/periode/<int:period_id>/peninjau/<int:pk>/hapus/", review_plan.remove, name="review_plan_remove"),
    path("kelola/instrumen/", instrument.index, name="instrument_index"),
    path("kelola/instrumen/terapkan/<int:pk>/", instrument.apply, name="instrument_apply"),
    path("kelola/pekerja/", jobs.workers, name="jobs_workers"),
    path("kelola/instrumen/<int:period_id>/unduh/", instrument.download, name="instrument_download"),
    # /quick-wins/: the register, its life cycle, continuation, coverage and evidence.
    path("quick-wins/", quickwins.index, name="quickwins_index"),
    path("quick-wins/cakupan/", quickwins.coverage, name="quickwins_coverage"),
    path("quick-wins/baru/", quickwins.create, name="quickwins_create"),
    path("quick-wins/lanjutan/", quickwins.continuation, name="quickwins_continuation"),
    path("quick-wins/<int:pk>/", quickwins.detail, name="quickwins_detail"),
    path("quick-wins/<int:pk>/ubah/", quickwins.edit, name="quickwins_edit"),
    path("quick-wins/<int:pk>/tetapkan/", quickwins.establish, name="quickwins_establish"),
    path("quick-wins/<int:pk>/tolak/", quickwins.reject, name="quickwins_reject"),
    path("quick-wins/<int:pk>/usulkan-ulang/", quickwins.resubmit, name="quickwins_resubmit"),
    path("quick-wins/<int:pk>/status/", quickwins.move_status, name="quickwins_move_status"),
    path("quick-wins/<int:pk>/lanjutkan/", quickwins.continue_into, name="quickwins_continue_into"),
    path("quick-wins/<int:pk>/bukti/", quickwins.evidence_upload, name="quickwins_evidence_upload"),
    path("quick-wins/bukti/<int:pk>/unduh/", quickwins.evidence_download, name="quickwins_evidence_download"),
    path("quick-wins/bukti/<int:pk>/hapus/", quickwins.evidence_remove, name="quickwins_evidence_remove"),
    path("quick-wins/<int:pk>/laporan/", quickwins.report, name="quickwins_report"),
    path("quick-wins/<int:pk>/ajukan-selesai/", quickwins.request_completion, name="quickwins_request_completion"),
    path("quick-wins/<int:pk>/selesai/", quickwins.confirm_completion, name="quickwins_confirm_completion"),
    path("quick-wins/<int:pk>/tolak-selesai/", quickwins.decline_completion, name="quickwins_decline_completion"),
    # /notifikasi/: everyone's notices (the bell in the header).
    path("notifikasi/", notifications.index, name="notifications_index"),
    path("notifikasi/baca-semua/", notifications.read_all, name="notifications_read_all"),
    path("notifikasi/<int:pk>/baca/", notifications.read, name="notifications_read"),
    # /data/: the four supporting data sets.
    path("data/", datasets.index, name="datasets_index"),
    path("data/unggahan/<int:pk>/unduh/", datasets.upload_download, name="datasets_upload_download"),
    path("data/unggahan/<int:pk>/hapus/", datasets.upload_delete, name="datasets_upload_delete"),
    path("data/<str:kind>/", datasets.page, name="datasets_page"),
    path("data/<str:kind>/templat/", datasets.template, name="datasets_template"),
    path("data/<str:kind>/unggah/", datasets.upload, name="datasets_upload"),
    # /survei-dampak/: the impact survey. Setup and enumerator links (surveys-setup).
    path("survei-dampak/", surveys.index, name="surveys_index"),
    path("survei-dampak/<int:period_id>/atur/", surveys.setup, name="surveys_setup"),
    path("survei-dampak/<int:period_id>/atur/<str:pillar_code>/", surveys.setup_pillar, name="surveys_setup_pillar"),
    path(
        "survei-dampak/<int:period_id>/atur/<str:pillar_code>/pecah/", surveys.setup_split, name="surveys_setup_split"
    ),
    path("survei-dampak/<int:period_id>/enumerator/", surveys.enumerators, name="surveys_enumerators"),
    path(
        "survei-dampak/<int:period_id>/enumerator/<int:pk>/tambah/",
        surveys.enumerator_add,
        name="surveys_enumerator_add",
    ),
    # /s/: the impact survey's public form (no account; a short link for SMS and WhatsApp).
    path("s/<str:token>/", surveys.public_form, name="surveys_public_form"),
    path("s/<str:token>/terima-kasih/", surveys.public_thanks, name="surveys_public_thanks"),
    path("s/<str:token>/<str:enumerator_token>/", surveys.public_form, name="surveys_public_form_enumerator"),
    # /survei-dampak/…/hasil/: the survey's results feed the impact questions (helper surveys-results).
    path(
        "survei-dampak/<int:period_id>/hasil/isi-jawaban/",
        surveys.fill_answers,
        name="surveys_fill_answers",
    ),
    # /survei-dampak/<period>/pantau/: coordinators watch the impact survey and clean its responses.
    path("survei-dampak/<int:period_id>/pantau/", surveys.monitor, name="surveys_monitor"),
    path("survei-dampak/<int:period_id>/pantau/<int:pk>/", surveys.monitor_form, name="surveys_monitor_form"),
    path(
        "survei-dampak/<int:period_id>/pantau/respons/<int:pk>/",
        surveys.monitor_response,
        name="surveys_monitor_response",
    ),
    path(
        "survei-dampak/<int:period_id>/pantau/respons/<int:pk>/keluarkan/",
        surveys.monitor_exclude,
        name="surveys_monitor_exclude",
    ),
    path(
        "survei-dampak/<int:period_id>/pantau/respons/<int:pk>/kembalikan/",
        surveys.monitor_include,
        name="surveys_monitor_include",
    ),
]
