"""One access helper per object type. Every view, export and file download goes through these.

Outsiders get 404 (they must not even learn that the object exists); users who may look but not
change (leaders, coordinators on an agency's own form) get 403 from the `_rw` variants.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import regions, roles
from .models import (
    Agency,
    Answer,
    DatasetUpload,
    Enumerator,
    EvaluationPeriod,
    Evidence,
    ImpactSurvey,
    Job,
    Notification,
    QuickWin,
    QuickWinEvidence,
    Region,
    ReviewAssignment,
    Submission,
    SurveyForm,
    SurveyResponse,
)
from .models.review_plan import ReviewScope
from .permissions import VIEW_NATIONAL, VIEW_PROVINCE


def visible_agencies(user):
    """The agencies whose data this user may see."""
    if roles.can_view_all(user):
        return Agency.objects.all()
    agency = roles.agency_of(user)
    if agency is None:
        return Agency.objects.none()
    return Agency.objects.filter(pk=agency.pk)


def _check_agency(user, agency_id):
    if roles.can_view_all(user):
        return
    agency = roles.agency_of(user)
    if agency is None or agency.pk != agency_id:
        raise Http404


# Who approved a submission: the review pages show them, the agency's pages do not.
SIGNERS = ("approved_by", "second_approved_by")


def get_submission_for_user(user, pk, related=()):
    """Read access: the submission's own operators and everyone who views all agencies. `related`:
    more of its relations to read with it (SIGNERS)."""
    submission = get_object_or_404(
        Submission.objects.with_started().select_related("period", "agency", *related),
        pk=pk,
    )
    _check_agency(user, submission.agency_id)
    return submission


def get_rw_submission_for_user(user, pk):
    """Write access for the agency's own operators; others who may look get 403."""
    submission = get_submission_for_user(user, pk)
    agency = roles.agency_of(user)
    if agency is None or agency.pk != submission.agency_id:
        raise PermissionDenied
    return submission


def get_answer_for_user(user, pk):
    answer = get_object_or_404(
        Answer.objects.select_related("submission__period", "submission__agency", "question"), pk=pk
    )
    _check_agency(user, answer.submission.agency_id)
    return answer


def get_evidence_for_user(user, pk):
    """The answer's own agency and everyone who views all agencies; a reviewer of a lead agency
    the evidence of the answers the review plan gives them (they open it from the review card)."""
    evidence = get_object_or_404(
        Evidence.objects.live().select_related(
            "answer__submission__agency", "answer__submission__period", "answer__question"
        ),
        pk=pk,
    )
    answer = evidence.answer
    if roles.is_plan_reviewer(user) and not roles.can_view_all(user):
        if ReviewScope.of(user, answer.submission).may_see(answer.question):
            return evidence
    _check_agency(user, answer.submission.agency_id)
    return evidence


def require_coordinator(user):
    """Pages for coordinators and admins; leaders may view (use require_viewer) but not act."""
    if not roles.is_coordinator(user):
        if roles.can_view_all(user):
            raise PermissionDenied
        raise Http404


def require_viewer(user):
    """Regency-wide pages (dashboard, results, export): coordinators, admin, leaders."""
    if not roles.can_view_all(user):
        raise PermissionDenied


def require_admin(user):
    if not roles.is_admin(user):
        raise PermissionDenied


def require_national_manager(user):
    """New periods and the instrument are national (roles.may_manage_national)."""
    if not roles.may_manage_national(user):
        raise PermissionDenied


def get_review_submission_for_user(user, pk):
    """The coordinators' review page: everyone who views all agencies may look; a reviewer of a
    lead agency (roles.is_plan_reviewer) the submissions the review plan gives them answers of,
    another agency's submission otherwise 404; operators get 403 (whatever the id, so nothing is
    learned about other agencies)."""
    if roles.is_plan_reviewer(user) and not roles.can_view_all(user):
        submission = get_object_or_404(Submission.objects.select_related("period", "agency"), pk=pk)
        scope = ReviewScope.of(user, submission)
        if scope.own_agency or not any(row.reviewer_id == user.pk for row in scope.rows):
            raise Http404
        return submission
    require_viewer(user)
    return get_submission_for_user(user, pk, related=SIGNERS)


def get_rw_review_submission_for_user(user, pk):
    """Review actions (return, approve, reopen): coordinators and admin; leaders 403, others 404."""
    require_coordinator(user)
    return get_submission_for_user(user, pk, related=SIGNERS)


def get_review_answer_for_user(user, pk):
    """One answer's history and comments on the review page: everyone who views all agencies; a
    reviewer of a lead agency the answers the review plan gives them (others 404); operators get
    403 like the review page itself."""
    if roles.is_plan_reviewer(user) and not roles.can_view_all(user):
        answer = get_object_or_404(
            Answer.objects.select_related("submission__period", "submission__agency", "question"), pk=pk
        )
        if not ReviewScope.of(user, answer.submission).may_see(answer.question):
            raise Http404
        return answer
    require_viewer(user)
    return get_answer_for_user(user, pk)


def get_rw_review_answer_for_user(user, pk):
    """Scoring, marking and commenting one answer: coordinators and admin, and the reviewers of the
    review plan, on the answers the plan gives them (or, for coordinators, gives nobody); the
    answers of other reviewers are read-only (403), as for leaders; others 404."""
    if roles.is_plan_reviewer(user) and not roles.can_view_all(user):
        answer = get_review_answer_for_user(user, pk)
    else:
        require_coordinator(user)
        answer = get_answer_for_user(user, pk)
    if not ReviewScope.of(user, answer.submission).may_act(answer.question):
        raise PermissionDenied
    return answer


def require_review_queue(user):
    """A reviewer's queue: coordinators, admins and the reviewer role; leaders 403, others 404."""
    if not roles.may_have_review_queue(user):
        if roles.can_view_all(user):
            raise PermissionDenied
        raise Http404


def get_review_plan_period_for_user(user, pk):
    """A period's review plan: coordinators and admin see and change it; leaders 403, others 404."""
    require_coordinator(user)
    return get_object_or_404(EvaluationPeriod, pk=pk)


def get_review_assignment_for_user(user, period_id, pk):
    """One row of a period's review plan, to remove: as get_review_plan_period_for_user."""
    require_coordinator(user)
    return get_object_or_404(
        ReviewAssignment.objects.select_related("period", "pillar", "question", "agency", "reviewer"),
        pk=pk,
        period_id=period_id,
    )


def get_review_bulk_period_for_user(user, pk):
    """The bulk review page of a period (and its actions): coordinators and admin; leaders 403,
    others 404."""
    require_coordinator(user)
    return get_object_or_404(EvaluationPeriod, pk=pk)


def get_quick_win_for_user(user, pk):
    """Read access: established quick wins for everyone signed in; proposals and rejected ones only for
    the owning agency and those who view all agencies."""
    return get_object_or_404(
        QuickWin.objects.visible_to(user).select_related("period", "pillar", "subdimension", "agency"), pk=pk
    )


def get_rw_quick_win_for_user(user, pk):
    """Edit access: coordinators, or the owning agency while the quick win is not yet established."""
    quick_win = get_quick_win_for_user(user, pk)
    if not quick_win.can_edit(user):
        raise PermissionDenied
    return quick_win


def get_reporting_quick_win_for_user(user, pk):
    """Reports of achievement and the completion request: the owning agency only; others who may see the
    quick win get 403."""
    quick_win = get_quick_win_for_user(user, pk)
    if not quick_win.is_owned_by(user):
        raise PermissionDenied
    return quick_win


def get_quick_win_evidence_for_user(user, pk):
    """Evidence of a quick win the user may see (outsiders 404); removed evidence is gone (404)."""
    visible = QuickWin.objects.visible_to(user)
    return get_object_or_404(
        QuickWinEvidence.objects.live().filter(quick_win__in=visible).select_related("quick_win__period"), pk=pk
    )


def get_removable_quick_win_evidence_for_user(user, pk):
    """Removing a file: coordinators, or the owning agency while the quick win can still be
    changed; others who may see it get 403."""
    evidence = get_quick_win_evidence_for_user(user, pk)
    if not evidence.quick_win.can_remove_evidence(user):
        raise PermissionDenied
    return evidence


def get_dataset_upload_for_user(user, pk):
    """Upload history and stored files: the uploading agency and those who view all agencies."""
    upload = get_object_or_404(DatasetUpload.objects.select_related("period", "agency"), pk=pk)
    _check_agency(user, upload.agency_id)
    return upload


def get_deletable_dataset_upload_for_user(user, pk):
    """Only coordinators and admin delete an upload; the agency's own operators get 403."""
    upload = get_dataset_upload_for_user(user, pk)
    if not roles.is_coordinator(user):
        raise PermissionDenied
    return upload


def get_notification_for_user(user, pk):
    """A notice is its recipient's alone: anyone else gets 404."""
    return get_object_or_404(Notification, pk=pk, recipient=user)


def get_period_for_admin(user, pk):
    """Period management (create, open / close / reopen, deadline, assignments): the admin only;
    everyone else 403, whatever the id."""
    require_admin(user)
    return get_object_or_404(EvaluationPeriod, pk=pk)


def get_report_period_for_user(user, pk, write=False):
    """The region's report of a period and its Kekuatan / Kelemahan / Rekomendasi page: everyone
    who views all agencies may look (operators 403, like the results page); coordinators and admin
    write (leaders 403)."""
    require_viewer(user)
    if write:
        require_coordinator(user)
    return get_object_or_404(EvaluationPeriod, pk=pk)


def get_job_for_user(user, pk):
    """A job's page and result: its requester, and everyone who views all agencies (a workbook
    is shared by all of them), within the request's region; a national job (the regions' table)
    only its requester, from any region; anyone else 404."""
    job = Job.objects.visible_to(user).select_related("period").filter(pk=pk).first()
    if job is None:
        national = Job.objects.with_scopes_disabled().filter(region__isnull=True, requested_by=user)
        job = get_object_or_404(national, pk=pk)
    return job


# --- impact survey: setup and enumerator links (surveys-setup) ---------------------------------
def get_survey_period_for_user(user, period_id, write=False):
    """The survey setup pages of a period: everyone who views all agencies may look, coordinators
    and admin change (leaders 403); anyone else 404."""
    if not roles.can_view_all(user):
        raise Http404
    if write and not roles.is_coordinator(user):
        raise PermissionDenied
    return get_object_or_404(EvaluationPeriod, pk=period_id)


def get_survey_for_user(user, period_id, write=False):
    """The period's impact survey, with the same rule as get_survey_period_for_user; 404 while
    the period has none."""
    if not roles.can_view_all(user):
        raise Http404
    if write and not roles.is_coordinator(user):
        raise PermissionDenied
    return get_object_or_404(ImpactSurvey.objects.select_related("period"), period_id=period_id)


def survey_agency_of(user):
    """Whose enumerator links a user sees: None for everyone who views all agencies (all of
    them), the operator's agency otherwise; 404 for anyone else."""
    if roles.can_view_all(user):
        return None
    agency = roles.agency_of(user) if roles.is_operator(user) else None
    if agency is None:
        raise Http404
    return agency


def get_survey_form_for_operator(user, period_id, pk):
    """Adding an enumerator link to a form: coordinators any form of the period; an operator only
    a form of a programme their agency owns (another agency's form is 404); leaders 403."""
    forms = SurveyForm.objects.select_related("survey__period", "pillar", "subdimension").filter(
        survey__period_id=period_id
    )
    if roles.is_coordinator(user):
        return get_object_or_404(forms, pk=pk)
    if roles.can_view_all(user):
        raise PermissionDenied
    return get_object_or_404(forms.owned_by(survey_agency_of(user)), pk=pk)


# --- The public respondent form (helper surveys-form) ------------------------------------------


def get_public_survey_form(token, enumerator_token=None):
    """The survey form of a public link, and the enumerator of a tagged link, for anyone holding
    the link (no account): the unguessable token is the access check. An enumerator token of
    another form is 404, like an unknown token. One query. A link has no region in force yet (no
    account): the token finds it in any region, and the caller then works in the form's region
    (form.survey.period.region_id)."""
    if enumerator_token is None:
        survey_form = get_object_or_404(
            SurveyForm.objects.with_scopes_disabled().select_related("survey__period", "pillar", "subdimension"),
            token=token,
        )
        return survey_form, None
    enumerator = get_object_or_404(
        Enumerator.objects.with_scopes_disabled().select_related(
            "form__survey__period", "form__pillar", "form__subdimension"
        ),
        token=enumerator_token,
        form__token=token,
    )
    return enumerator.form, enumerator


# --- Impact survey results (helper surveys-results) ----------------------------------------


def get_period_for_coordinator(user, pk):
    """Coordinator actions on a whole period (filling the impact questions from the survey):
    coordinators and admin; leaders 403, everyone else 404, whatever the id."""
    require_coordinator(user)
    return get_object_or_404(EvaluationPeriod, pk=pk)


# --- Impact survey monitor (surveys-monitor): /survei-dampak/<period>/pantau/ -------------------
# Coordinators and the admin watch and clean; leaders look (403 on actions); operators and anyone
# else get 404 on every monitor URL, whatever the id (their own programmes' counts are on the
# operator's enumerator page).


def _require_survey_viewer(user):
    if not roles.can_view_all(user):
        raise Http404


def get_monitored_survey_for_user(user, period_id):
    _require_survey_viewer(user)
    return get_object_or_404(ImpactSurvey.objects.select_related("period"), period_id=period_id)


def get_monitored_form_for_user(user, period_id, pk):
    _require_survey_viewer(user)
    return get_object_or_404(
        SurveyForm.objects.select_related("survey__period", "pillar", "subdimension"),
        pk=pk,
        survey__period_id=period_id,
    )


def get_monitored_response_for_user(user, period_id, pk):
    """One response with its flags (SurveyResponse.with_flags), for its page."""
    _require_survey_viewer(user)
    return get_object_or_404(
        SurveyResponse.objects.with_flags().select_related(
            "form__survey__period",
            "form__pillar",
            "form__subdimension",
            "enumerator__agency",
            "kecamatan",
            "excluded_by",
        ),
        pk=pk,
        form__survey__period_id=period_id,
    )


def get_rw_monitored_response_for_user(user, period_id, pk):
    """Excluding a response and undoing it: coordinators and admin; leaders 403, others 404."""
    require_coordinator(user)
    return get_object_or_404(SurveyResponse.objects.select_related("form"), pk=pk, form__survey__period_id=period_id)


# --- Above the regions: the national and province tables (views.national) ----------------------


def require_national_reader(user):
    """/nasional/: the ministry and the superuser; everyone else 404 (nothing learned)."""
    if not (user.is_superuser or user.has_perm(VIEW_NATIONAL)):
        raise Http404


def get_province_for_reader(user, code):
    """/provinsi/<kode>/: the ministry and the superuser for any province, a province reader for
    their own; 404 for everyone else and for a code that is no province."""
    province = get_object_or_404(Region.objects.filter(kind=Region.Kind.PROVINCE), code=code)
    if user.is_superuser or user.has_perm(VIEW_NATIONAL):
        return province
    if user.has_perm(VIEW_PROVINCE) and regions.home_region(user) == province:
        return province
    raise Http404
