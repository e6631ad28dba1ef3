"""The access matrix: every URL pattern the project defines, for every role, GET and POST.

Each entry names the pattern, how to build its arguments from real objects of agency A, and the
expected outcome per role in the order of ROLES:
  L   redirect to the login page          R   redirect elsewhere (after success)
  200 / 403 / 404 / 405 / 429             the status code
A URL pattern without an entry makes test_every_url_pattern_has_an_entry fail. The Django admin
(/admin/) is left out: it has its own staff and permission checks.
"""

import copy
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from evaluations import roles
from evaluations.models import (
    Agency,
    Answer,
    DatasetUpload,
    Enumerator,
    EvaluationPeriod,
    Evidence,
    ImpactSurvey,
    Job,
    Notification,
    Question,
    QuickWinEvidence,
    Submission,
    SurveyForm,
)

from .factories import (
    make_impact_survey,
    make_operator,
    make_quick_win,
    make_submission,
    make_survey_response,
    make_user,
    open_period,
    plan_review,
    rolled_back_at_the_end,
    upload_all_datasets,
)
from .filling import PDF

ROLES = ["anonymous", "operator_a", "operator_b", "coordinator", "leader", "admin"]
pytestmark = [pytest.mark.django_db, pytest.mark.one_db_pass]


@dataclass
class Entry:
    get: str
    post: str
    args: object = None  # callable(world) -> list of URL arguments
    data: object = None  # callable(world) -> POST data

    def expected(self, method):
        spec = self.get if method == "GET" else self.post
        return dict(zip(ROLES, spec.split(), strict=True))


ALL_OK = "L 200 200 200 200 200"

MATRIX = {
    "login": Entry(get="200 R R R R R", post="200 R R R R R"),
    # Logging out redirects to the login page.
    "logout": Entry(get="L 405 405 405 405 405", post="L L L L L L"),
    "password_change": Entry(get=ALL_OK, post=ALL_OK),
    "password_change_done": Entry(get=ALL_OK, post="L 405 405 405 405 405"),
    "set_language": Entry(get="R R R R R R", post="R R R R R R", data=lambda w: {"language": "en"}),
    "evaluations:common_home": Entry(get=ALL_OK, post=ALL_OK),
    "pillars:pillars_index": Entry(get=ALL_OK, post=ALL_OK),
    "pillars:pillars_detail": Entry(get=ALL_OK, post=ALL_OK, args=lambda w: ["GOV"]),
    # Operators fill in their agency's questionnaire.
    "evaluations:answering_home": Entry(get="L 200 200 404 404 404", post="L 200 200 404 404 404"),
    "evaluations:answering_submission": Entry(
        get="L 200 404 200 200 200", post="L 200 404 200 200 200", args=lambda w: [w.submission_a.pk]
    ),
    # A post without a session gets the login page in place, carrying what was typed (evaluations.restore).
    "evaluations:answering_section": Entry(
        get="L 200 404 200 200 200", post="200 R 404 403 403 403", args=lambda w: [w.submission_a.pk, w.section_key]
    ),
    "evaluations:answering_submit": Entry(
        get="L 200 404 200 200 200", post="L 422 404 403 403 403", args=lambda w: [w.submission_a.pk]
    ),
    "evaluations:answering_copy_previous": Entry(
        get="L 405 405 405 405 405", post="L R 404 403 403 403", args=lambda w: [w.submission_a.pk]
    ),
    "evaluations:answering_evidence_download": Entry(
        get="L 200 404 200 200 200", post="L 200 404 200 200 200", args=lambda w: [w.evidence_a.pk]
    ),
    # Coordinators review.
    "evaluations:results_dashboard": Entry(get="L 403 403 200 200 200", post="L 403 403 200 200 200"),
    "evaluations:results_send_reminders": Entry(
        get="L 405 405 405 405 405", post="L 404 404 R 403 R", data=lambda w: {"periode": w.period.pk}
    ),
    "evaluations:review_submission": Entry(
        get="L 403 403 200 200 200", post="L 403 403 200 200 200", args=lambda w: [w.submission_a.pk]
    ),
    "evaluations:review_return_for_revision": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.submission_a.pk],
        data=lambda w: {"note": "Lengkapi SK", "confirm": "on"},
    ),
    "evaluations:review_approve": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.submission_a.pk],
        data=lambda w: {"accept_self_scores": "on"},  # the world's answer has no verified score
    ),
    "evaluations:review_reopen": Entry(
        get="L 405 405 405 405 405", post="L 404 404 403 403 400", args=lambda w: [w.submission_a.pk]
    ),
    # An answer's history and comments (htmx fragment, or its own page without JavaScript).
    "evaluations:review_answer": Entry(
        get="L 403 403 200 200 200", post="L 405 405 405 405 405", args=lambda w: [w.answer_a.pk]
    ),
    "evaluations:review_set_score": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.answer_a.pk],
        data=lambda w: {f"score-{w.answer_a.pk}-verified_score": "2"},
    ),
    "evaluations:review_add_comment": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.answer_a.pk],
        data=lambda w: {
            f"comment-{w.answer_a.pk}-body": "Lampirkan SK",
            f"comment-{w.answer_a.pk}-visibility": "agency",
        },
    ),
    "evaluations:review_mark_revision": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.answer_a.pk],
        data=lambda w: {f"rev-{w.answer_a.pk}-needs_revision": "on", f"rev-{w.answer_a.pk}-revision_note": "Perbaiki"},
    ),
    # The second sign-off: the world's submission waits for none (400, refused with a message).
    "evaluations:review_confirm_approval": Entry(
        get="L 405 405 405 405 405", post="L 404 404 400 403 400", args=lambda w: [w.submission_a.pk]
    ),
    # Bulk review of a period: the first post asks to confirm (200), changing nothing.
    "evaluations:review_bulk": Entry(
        get="L 404 404 200 403 200",
        post="L 404 404 200 403 200",
        args=lambda w: [w.period.pk],
        data=lambda w: {"action": "terima", "jawaban": [f"{w.answer_a.pk}:{w.answer_a.review_stamp}"]},
    ),
    # The bulk actions of a reviewer's queue (POST only): the first post asks to confirm (200);
    # what a reviewer may change is REVIEWER_MATRIX's.
    "evaluations:review_bulk_queue": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 200 403 200",
        data=lambda w: {"action": "terima", "jawaban": [f"{w.answer_a.pk}:{w.answer_a.review_stamp}"]},
    ),
    "evaluations:results_index": Entry(get="L 403 403 200 200 200", post="L 403 403 200 200 200"),
    # A reviewer's queue (coordinators, admin and the reviewer role; REVIEWER_MATRIX below) and a
    # period's review plan (coordinators and admin; an empty post names no reviewer: 400).
    "evaluations:review_plan_queue": Entry(get="L 404 404 200 403 200", post="L 405 405 405 405 405"),
    "evaluations:review_plan_index": Entry(
        get="L 404 404 200 403 200", post="L 404 404 400 403 400", args=lambda w: [w.period.pk]
    ),
    "evaluations:review_plan_remove": Entry(
        get="L 405 405 405 405 405", post="L 404 404 R 403 R", args=lambda w: [w.period.pk, w.review_row.pk]
    ),
    # Admin: periods and the instrument.
    "evaluations:periods_index": Entry(get="L 403 403 403 403 200", post="L 403 403 403 403 200"),
    "evaluations:periods_create": Entry(get="L 403 403 403 403 200", post="L 403 403 403 403 400"),
    "evaluations:periods_reopen_period": Entry(
        get="L 405 405 405 405 405", post="L 403 403 403 403 R", args=lambda w: [w.period.pk]
    ),
    "evaluations:periods_assignments": Entry(
        get="L 403 403 403 403 200", post="L 403 403 403 403 400", args=lambda w: [w.period.pk]
    ),
    "evaluations:periods_assignments_bulk": Entry(
        get="L 405 405 405 405 405", post="L 403 403 403 403 400", args=lambda w: [w.period.pk]
    ),
    "evaluations:periods_detail": Entry(
        get="L 403 403 403 403 200", post="L 403 403 403 403 200", args=lambda w: [w.period.pk]
    ),
    "evaluations:periods_open_period": Entry(
        get="L 405 405 405 405 405", post="L 403 403 403 403 R", args=lambda w: [w.period.pk]
    ),
    "evaluations:periods_change_deadline": Entry(
        get="L 405 405 405 405 405", post="L 403 403 403 403 400", args=lambda w: [w.period.pk]
    ),
    "evaluations:periods_change_second_signoff": Entry(
        get="L 405 405 405 405 405", post="L 403 403 403 403 R", args=lambda w: [w.period.pk]
    ),
    "evaluations:periods_close_period": Entry(
        get="L 405 405 405 405 405", post="L 403 403 403 403 R", args=lambda w: [w.period.pk]
    ),
    "evaluations:instrument_index": Entry(get="L 403 403 403 403 200", post="L 403 403 403 403 200"),
    # Applying a dry run: the admin's own instrument dry runs only (here a workbook job: 404).
    "evaluations:instrument_apply": Entry(
        get="L 405 405 405 405 405", post="L 403 403 403 403 404", args=lambda w: [w.job.pk]
    ),
    # The queue's health (workers, waiting and running jobs): the admin only.
    "evaluations:jobs_workers": Entry(get="L 403 403 403 403 200", post="L 403 403 403 403 200"),
    "evaluations:instrument_download": Entry(
        get="L 403 403 403 403 200", post="L 403 403 403 403 200", args=lambda w: [w.period.pk]
    ),
    "evaluations:results_export": Entry(
        get="L 405 405 405 405 405", post="L 403 403 R R R", args=lambda w: [w.period.pk]
    ),
    # The evidence package (the workbook with its evidence files, a job): who may export the workbook.
    "evaluations:results_evidence_package": Entry(
        get="L 405 405 405 405 405", post="L 403 403 R R R", args=lambda w: [w.period.pk]
    ),
    # The region's report (PDF, a job: queued here, so its page) and its Kekuatan / Kelemahan /
    # Rekomendasi page: everyone who views the results looks, coordinators and admin write (an
    # empty post names no scope: 400), leaders 403; operators 403 like the results page.
    "evaluations:reports_export": Entry(
        get="L 405 405 405 405 405", post="L 403 403 R R R", args=lambda w: [w.period.pk]
    ),
    "evaluations:reports_notes": Entry(
        get="L 403 403 200 200 200", post="L 403 403 400 403 400", args=lambda w: [w.period.pk]
    ),
    # A job (here the workbook, requested by the coordinator): its requester and everyone who
    # views all agencies; operators 404.
    "evaluations:jobs_detail": Entry(
        get="L 404 404 200 200 200", post="L 405 405 405 405 405", args=lambda w: [w.job.pk]
    ),
    "evaluations:jobs_download": Entry(
        get="L 404 404 200 200 200", post="L 405 405 405 405 405", args=lambda w: [w.job.pk]
    ),
    # Quick wins.
    "evaluations:quickwins_index": Entry(get="L 200 200 200 200 200", post="L 200 200 200 200 200"),
    "evaluations:quickwins_coverage": Entry(get="L 200 200 200 200 200", post="L 200 200 200 200 200"),
    "evaluations:quickwins_create": Entry(get="L 200 200 200 403 200", post="L 200 200 200 403 200"),
    "evaluations:quickwins_continuation": Entry(get="L 200 200 200 403 200", post="L 200 200 200 403 200"),
    "evaluations:quickwins_detail": Entry(
        get="L 200 404 200 200 200", post="L 200 404 200 200 200", args=lambda w: [w.quick_win_a.pk]
    ),
    "evaluations:quickwins_edit": Entry(
        get="L 200 404 200 403 200", post="L 200 404 200 403 200", args=lambda w: [w.quick_win_a.pk]
    ),
    "evaluations:quickwins_establish": Entry(
        get="L 405 405 405 405 405", post="L 403 404 R 403 R", args=lambda w: [w.quick_win_a.pk]
    ),
    "evaluations:quickwins_reject": Entry(
        get="L 405 405 405 405 405",
        post="L 403 404 R 403 R",
        args=lambda w: [w.quick_win_a.pk],
        data=lambda w: {"note": "Belum berjalan"},
    ),
    "evaluations:quickwins_resubmit": Entry(
        get="L 405 405 405 405 405", post="L R 404 403 403 403", args=lambda w: [w.quick_win_a.pk]
    ),
    "evaluations:quickwins_move_status": Entry(
        get="L 405 405 405 405 405",
        post="L R 404 R R R",
        args=lambda w: [w.quick_win_a.pk],
        data=lambda w: {"status": "berjalan"},
    ),
    "evaluations:quickwins_continue_into": Entry(
        get="L 405 405 405 405 405", post="L R 404 R 403 R", args=lambda w: [w.quick_win_a.pk]
    ),
    "evaluations:quickwins_evidence_upload": Entry(
        get="L 405 405 405 405 405", post="L R 404 R 403 R", args=lambda w: [w.quick_win_a.pk]
    ),
    "evaluations:quickwins_evidence_download": Entry(
        get="L 200 404 200 200 200", post="L 200 404 200 200 200", args=lambda w: [w.quick_win_evidence_a.pk]
    ),
    # Notices: everyone's own; another user's notice is 404.
    "evaluations:notifications_index": Entry(get=ALL_OK, post=ALL_OK),
    "evaluations:notifications_read": Entry(
        get="L 405 405 405 405 405", post="L R 404 404 404 404", args=lambda w: [w.notice_a.pk]
    ),
    "evaluations:notifications_read_all": Entry(get="L 405 405 405 405 405", post="L R R R R R"),
    # GET asks for confirmation, POST removes.
    "evaluations:quickwins_evidence_remove": Entry(
        get="L 200 404 200 403 200", post="L R 404 R 403 R", args=lambda w: [w.quick_win_evidence_a.pk]
    ),
    # Progress reports and the completion request: the owning agency only (the quick win is set,
    # so every signed-in user sees it).
    "evaluations:quickwins_report": Entry(
        get="L 405 405 405 405 405",
        post="L R 403 403 403 403",
        args=lambda w: [w.running_a.pk],
        data=lambda w: {"laporan-achievement_pct": "40", "laporan-reported_on": "2024-05-01", "laporan-note": "OK"},
    ),
    "evaluations:quickwins_request_completion": Entry(
        get="L 405 405 405 405 405",
        post="L R 403 403 403 403",
        args=lambda w: [w.running_a.pk],
        data=lambda w: {
            "selesai-completed_on": "2024-05-01",
            "selesai-title": "Laporan akhir",
            "selesai-file": SimpleUploadedFile("akhir.pdf", PDF),
        },
    ),
    "evaluations:quickwins_confirm_completion": Entry(
        get="L 405 405 405 405 405", post="L 403 403 R 403 R", args=lambda w: [w.requested_a.pk]
    ),
    "evaluations:quickwins_decline_completion": Entry(
        get="L 405 405 405 405 405",
        post="L 403 403 R 403 R",
        args=lambda w: [w.requested_a.pk],
        data=lambda w: {"tolak-selesai-note": "Lampirkan foto"},
    ),
    # Data sets.
    "evaluations:datasets_index": Entry(get="L 200 200 200 200 200", post="L 200 200 200 200 200"),
    "evaluations:datasets_page": Entry(
        get="L 200 200 200 200 200", post="L 200 200 200 200 200", args=lambda w: ["jalan"]
    ),
    "evaluations:datasets_template": Entry(
        get="L 200 200 200 200 200", post="L 200 200 200 200 200", args=lambda w: ["jalan"]
    ),
    "evaluations:datasets_upload": Entry(
        get="L 405 405 405 405 405", post="L R R 403 403 403", args=lambda w: ["jalan"]
    ),
    "evaluations:datasets_upload_download": Entry(
        get="L 200 404 200 200 200", post="L 200 404 200 200 200", args=lambda w: [w.upload_a.pk]
    ),
    # GET: the confirmation page (issue 24); POST deletes.
    "evaluations:datasets_upload_delete": Entry(
        get="L 403 404 200 403 200", post="L 403 404 R 403 R", args=lambda w: [w.upload_a.pk]
    ),
    # Impact survey, setup and enumerator links (the world's survey: every programme is agency A's).
    # The menu entry sends everyone who views all agencies to the setup, operators to their links.
    "evaluations:surveys_index": Entry(get="L R R R R R", post="L R R R R R"),
    "evaluations:surveys_setup": Entry(
        get="L 404 404 200 200 200",
        post="L 404 404 R 403 R",
        args=lambda w: [w.period.pk],
        data=lambda w: {"opens": "2024-09-01", "closes": "2024-09-30"},
    ),
    # An empty POST: every programme's agency and every target is missing.
    "evaluations:surveys_setup_pillar": Entry(
        get="L 404 404 200 200 200", post="L 404 404 400 403 400", args=lambda w: [w.period.pk, "GOV"]
    ),
    "evaluations:surveys_setup_split": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.period.pk, "GOV"],
        data=lambda w: {"split": "1"},
    ),
    # Operators see their own agency's forms and links (none for agency B), viewers see all.
    "evaluations:surveys_enumerators": Entry(get=ALL_OK, post=ALL_OK, args=lambda w: [w.period.pk]),
    "evaluations:surveys_enumerator_add": Entry(
        get="L 405 405 405 405 405",
        post="L R 404 R 403 R",
        args=lambda w: [w.period.pk, w.survey_form_a.pk],
        data=lambda w: {f"enum-{w.survey_form_a.pk}-name": "Budi"},
    ),
    # The impact survey's public form: no account needed, the same page for everyone; an empty POST
    # is refused (no signed token) and saves nothing.
    "evaluations:surveys_public_form": Entry(
        get="200 " * 5 + "200", post="400 " * 5 + "400", args=lambda w: _survey_link(w)
    ),
    "evaluations:surveys_public_form_enumerator": Entry(
        get="200 " * 5 + "200", post="400 " * 5 + "400", args=lambda w: _survey_link(w, enumerator=True)
    ),
    "evaluations:surveys_public_thanks": Entry(
        get="200 " * 5 + "200", post="405 " * 5 + "405", args=lambda w: _survey_link(w)
    ),
    # Impact survey results: filling the impact questions' answers (coordinators; the world's survey
    # has no response, so the action redirects with a message).
    "evaluations:surveys_fill_answers": Entry(
        get="L 405 405 405 405 405", post="L 404 404 R 403 R", args=lambda w: [w.period.pk]
    ),
    # Impact survey monitor: coordinators, admin and leaders look; coordinators and admin exclude
    # and include (leaders 403); operators 404 whatever their agency.
    "evaluations:surveys_monitor": Entry(
        get="L 404 404 200 200 200", post="L 405 405 405 405 405", args=lambda w: [w.monitor_survey.period_id]
    ),
    "evaluations:surveys_monitor_form": Entry(
        get="L 404 404 200 200 200", post="L 405 405 405 405 405", args=lambda w: [w.period.pk, w.monitor_form.pk]
    ),
    "evaluations:surveys_monitor_response": Entry(
        get="L 404 404 200 200 200",
        post="L 405 405 405 405 405",
        args=lambda w: [w.period.pk, w.monitor_response.pk],
    ),
    "evaluations:surveys_monitor_exclude": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.period.pk, w.monitor_response.pk],
        data=lambda w: {"reason": "Bukan pengguna program"},
    ),
    # Above the regions (tests/test_national.py has the ministry's and the province's rows): a
    # region's people, whatever their role, learn nothing of the other regions.
    "evaluations:national_index": Entry(get="L 404 404 404 404 404", post="L 404 404 404 404 404"),
    "evaluations:national_province": Entry(
        get="L 404 404 404 404 404", post="L 404 404 404 404 404", args=lambda w: ["64"]
    ),
    "evaluations:national_export": Entry(get="L 405 405 405 405 405", post="L 404 404 404 404 404"),
    "evaluations:surveys_monitor_include": Entry(
        get="L 405 405 405 405 405",
        post="L 404 404 R 403 R",
        args=lambda w: [w.period.pk, w.monitor_excluded.pk],
        data=lambda w: {"note": "Keliru"},
    ),
}


def _survey_link(world, enumerator=False):
    """The token of the period's first public survey form (and of an enumerator of it)."""
    survey = ImpactSurvey.objects.filter(period=world.period).first() or make_impact_survey(world.period)
    form = survey.forms.order_by("pk").first()
    if not enumerator:
        return [form.token]
    tagged, _created = Enumerator.objects.get_or_create(
        form=form, agency=form.survey.programmes.first().agency, name="Matriks"
    )
    return [form.token, tagged.token]


class World:
    """Real objects of agency A for the URL arguments: a submitted questionnaire with an answer and
    an evidence file, a proposed quick win with an evidence file, a running one, one whose agency
    asked for completion, an accepted road upload."""

    def __init__(self, period, agency_a, operator_a, coordinator):
        self.period = period
        self.submission_a = Submission.objects.create(
            period=period, agency=agency_a, status=Submission.Status.SUBMITTED
        )
        question = Question.objects.assigned_to(agency_a, period).filter(answer_type="level").first()
        self.answer_a = Answer.objects.create(
            submission=self.submission_a, question=question, option=question.options.get(value="3"), self_score=3
        )
        self.evidence_a = Evidence.objects.create(
            answer=self.answer_a,
            title="SK Tim Smart City",
            file=SimpleUploadedFile("sk.pdf", PDF),
            original_name="sk.pdf",
            uploaded_by=operator_a,
        )
        self.section_key = f"{question.indicator.dimension.code}-{question.pillar.code}"
        self.quick_win_a = make_quick_win(period, agency_a)
        self.quick_win_evidence_a = QuickWinEvidence.attach(
            self.quick_win_a, operator_a, "Dokumen", SimpleUploadedFile("qw.pdf", PDF)
        )
        self.running_a = make_quick_win(period, agency_a, status="berjalan")
        self.requested_a = make_quick_win(
            period, agency_a, status="berjalan", completed_on=period.opens, completion_requested_at=timezone.now()
        )
        upload_all_datasets(period, agency_a)
        self.upload_a = DatasetUpload.objects.get(period=period, agency=agency_a, kind="jalan")
        self.notice_a = Notification.objects.create(
            region=period.region,
            recipient=operator_a,
            kind=Notification.Kind.APPROVED,
            params={"period": period.name},
            link="/opd/",
        )
        self.job = Job.objects.create(
            kind=Job.Kind.WORKBOOK,
            key=f"matrix-{period.pk}",
            period=period,
            requested_by=coordinator,
            state=Job.State.DONE,
            file=SimpleUploadedFile("evaluasi.xlsx", b"PK workbook"),
        )
        self.survey = make_impact_survey(period, agency=agency_a)
        self.survey_form_a = self.survey.forms.get(pillar__code="GOV")
        self.agency_a, self.coordinator = agency_a, coordinator

    # A row of the review plan (made only for the case that removes it: a plan changes who acts).
    @cached_property
    def review_row(self):
        reviewer = make_user(role=roles.COORDINATOR, region=self.period.region)
        return plan_review(self.period, reviewer, "ENV")

    # Impact survey monitor: a counted response and an excluded one on the GOV form, made only for
    # the cases that use them (the survey may already exist for another part's entries).
    @cached_property
    def monitor_survey(self):
        survey = ImpactSurvey.objects.filter(period=self.period).first()
        return survey or make_impact_survey(self.period, agency=self.agency_a)

    @cached_property
    def monitor_form(self):
        return SurveyForm.objects.get(survey=self.monitor_survey, pillar__code="GOV", subdimension=None)

    @cached_property
    def monitor_response(self):
        return make_survey_response(self.monitor_form)

    @cached_property
    def monitor_excluded(self):
        response = make_survey_response(self.monitor_form)
        response.exclude(self.coordinator, "Ganda")
        return response


def _names(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


def project_url_names():
    return sorted(set(_names(get_resolver().url_patterns)))


def test_every_url_pattern_has_an_entry():
    missing = [name for name in project_url_names() if name not in MATRIX]
    assert not missing, f"add these URL names to MATRIX in {__name__}: {missing}"


def test_every_entry_is_a_url_pattern():
    assert sorted(set(MATRIX) - set(project_url_names())) == []


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    """The world and its users (those of conftest's fixtures), built once for the module as Django's
    setUpTestData does: in a transaction rolled back when the module ends. Each case runs in a
    savepoint inside it, so what a case writes is undone before the next case."""
    with rolled_back_at_the_end(django_db_blocker):
        with django_db_blocker.unblock():
            period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
            agency_a = Agency.objects.get(abbreviation="Diskominfo Staper")
            agency_b = Agency.objects.get(abbreviation="Bappeda")
            operator_a = make_operator(agency_a, "operator_a")
            coordinator = make_user("koordinator", roles.COORDINATOR)
            world = World(period, agency_a, operator_a, coordinator)
            world.users = {
                "operator_a": operator_a,
                "operator_b": make_operator(agency_b, "operator_b"),
                "coordinator": coordinator,
                "leader": make_user("pimpinan", roles.LEADER),
                "admin": make_user("admin", roles.ADMIN, is_staff=True),
            }
        yield world


@pytest.fixture
def world(cast):
    """The module's world, copied per case: the monitor's responses are made on demand inside the
    case's savepoint, so its cached properties must not outlive the case."""
    return copy.copy(cast)


def _outcome(response):
    if response.status_code in (301, 302):
        return "L" if response["Location"].startswith(reverse("login")) else "R"
    return str(response.status_code)


CASES = [(name, role, method) for name in sorted(MATRIX) for role in ROLES for method in ("GET", "POST")]


@pytest.mark.parametrize(("name", "role", "method"), CASES, ids=[f"{n}-{r}-{m}" for n, r, m in CASES])
def test_access(client, world, name, role, method):
    entry = MATRIX[name]
    url = reverse(name, args=entry.args(world) if entry.args else [])
    if role != "anonymous":
        client.force_login(world.users[role])
    data = entry.data(world) if entry.data else {}
    response = client.get(url) if method == "GET" else client.post(url, data)
    expected, actual = entry.expected(method)[role], _outcome(response)
    assert actual == expected, f"{method} {url} as {role}: expected {expected}, got {actual}"


# --- The reviewer role under a review plan ------------------------------------------------------
# The plan gives GOV to Bappeda's reviewer (a lead agency's person with the reviewer role) and LIV
# to a second coordinator; agency A's submission has an answer in each. Own pillar: act; another
# reviewer's pillar: read-only (403) for a coordinator, 404 for the lead agency's reviewer, who
# sees nothing of other agencies outside their pillars and never their own agency's answers.
REVIEWERS = ["lead_reviewer", "coordinator_reviewer"]


def _score(answer):
    return {f"score-{answer.pk}-verified_score": "2"}


def _comment(answer):
    return {f"comment-{answer.pk}-body": "Lampirkan SK", f"comment-{answer.pk}-visibility": "agency"}


def _mark(answer):
    return {f"rev-{answer.pk}-needs_revision": "on", f"rev-{answer.pk}-revision_note": "Perbaiki"}


def _bulk(world, *names):
    """A confirmed bulk acceptance of the world's answers `names`, as the page drew them."""
    answers = [world[name] for name in names]
    return {"action": "terima", "confirmed": "1", "jawaban": [f"{a.pk}:{a.review_stamp}" for a in answers]}


# (URL name, arguments, method, data, expected per REVIEWERS)
REVIEWER_MATRIX = [
    ("evaluations:review_plan_queue", lambda w: [], "GET", None, "200 200"),
    ("evaluations:review_plan_index", lambda w: [w["period"].pk], "GET", None, "404 200"),
    ("evaluations:results_dashboard", lambda w: [], "GET", None, "403 200"),
    ("evaluations:review_submission", lambda w: [w["submission"].pk], "GET", None, "200 200"),
    ("evaluations:review_submission", lambda w: [w["own_submission"].pk], "GET", None, "404 200"),
    ("evaluations:answering_submission", lambda w: [w["submission"].pk], "GET", None, "404 200"),
    ("evaluations:review_answer", lambda w: [w["gov"].pk], "GET", None, "200 200"),
    ("evaluations:review_answer", lambda w: [w["liv"].pk], "GET", None, "404 200"),
    ("evaluations:review_answer", lambda w: [w["own"].pk], "GET", None, "404 200"),
    ("evaluations:review_set_score", lambda w: [w["gov"].pk], "POST", lambda w: _score(w["gov"]), "R 403"),
    ("evaluations:review_set_score", lambda w: [w["liv"].pk], "POST", lambda w: _score(w["liv"]), "404 R"),
    ("evaluations:review_set_score", lambda w: [w["own"].pk], "POST", lambda w: _score(w["own"]), "404 403"),
    ("evaluations:review_add_comment", lambda w: [w["gov"].pk], "POST", lambda w: _comment(w["gov"]), "R 403"),
    ("evaluations:review_add_comment", lambda w: [w["liv"].pk], "POST", lambda w: _comment(w["liv"]), "404 R"),
    ("evaluations:review_mark_revision", lambda w: [w["gov"].pk], "POST", lambda w: _mark(w["gov"]), "R 403"),
    ("evaluations:review_mark_revision", lambda w: [w["liv"].pk], "POST", lambda w: _mark(w["liv"]), "404 R"),
    # Bulk actions: the coordinators' page refuses a lead agency's reviewer (404); the queue's acts
    # for both, on their own answers only (test_the_queues_bulk_action_changes_only_the_reviewers_answers).
    ("evaluations:review_bulk", lambda w: [w["period"].pk], "GET", None, "404 200"),
    ("evaluations:review_bulk", lambda w: [w["period"].pk], "POST", lambda w: _bulk(w, "gov"), "404 R"),
    ("evaluations:review_bulk_queue", lambda w: [], "POST", lambda w: _bulk(w, "gov"), "R R"),
    ("evaluations:review_bulk_queue", lambda w: [], "POST", lambda w: _bulk(w, "liv"), "R R"),
    (
        "evaluations:review_approve",
        lambda w: [w["submission"].pk],
        "POST",
        lambda w: {"accept_self_scores": "on"},
        "404 R",
    ),
]


@pytest.fixture
def reviewers_world(period, agency_a, agency_b):
    """Agency A's and Bappeda's submissions under review; the plan of GOV and LIV."""
    # The module's world may hold agency A's submission and an answer already: the same rows.
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    own_submission = make_submission(period, agency_b, status=Submission.Status.SUBMITTED)

    def answer(of, pillar):
        question = Question.objects.for_period(period).filter(pillar__code=pillar, answer_type="level").first()
        return Answer.objects.update_or_create(
            submission=of,
            question=question,
            defaults={"option": question.options.get(value="3"), "self_score": 3, "verified_score": None},
        )[0]

    lead = make_user("peninjau_bappeda", roles.REVIEWER, agency_b)
    second = make_user("koordinator_liv", roles.COORDINATOR)
    plan_review(period, lead, "GOV")
    plan_review(period, second, "LIV")
    world = {
        "period": period,
        "submission": submission,
        "own_submission": own_submission,
        "gov": answer(submission, "GOV"),
        "liv": answer(submission, "LIV"),
        # Bappeda's own GOV answer: the plan's GOV reviewer, of Bappeda, never reviews it (and the
        # LIV coordinator reads it: the plan gives GOV to another).
        "own": answer(own_submission, "GOV"),
    }
    return world, {"lead_reviewer": lead, "coordinator_reviewer": second}


REVIEWER_CASES = [(index, role) for index in range(len(REVIEWER_MATRIX)) for role in REVIEWERS]


@pytest.mark.parametrize(
    ("index", "role"),
    REVIEWER_CASES,
    ids=[f"{REVIEWER_MATRIX[i][0]}-{i}-{r}" for i, r in REVIEWER_CASES],
)
def test_reviewer_access(client, reviewers_world, index, role):
    world, users = reviewers_world
    name, args, method, data, spec = REVIEWER_MATRIX[index]
    url = reverse(name, args=args(world))
    client.force_login(users[role])
    response = client.get(url) if method == "GET" else client.post(url, data(world) if data else {})
    expected, actual = dict(zip(REVIEWERS, spec.split(), strict=True))[role], _outcome(response)
    assert actual == expected, f"{method} {url} as {role}: expected {expected}, got {actual}"


@pytest.mark.parametrize(("role", "theirs"), [("lead_reviewer", "gov"), ("coordinator_reviewer", "liv")])
def test_the_queues_bulk_action_changes_only_the_reviewers_answers(client, reviewers_world, role, theirs):
    world, users = reviewers_world
    client.force_login(users[role])
    client.post(reverse("evaluations:review_bulk_queue"), _bulk(world, "gov", "liv", "own"))
    changed = {
        name for name in ("gov", "liv", "own") if Answer.objects.get(pk=world[name].pk).verified_score is not None
    }
    assert changed == {theirs}
