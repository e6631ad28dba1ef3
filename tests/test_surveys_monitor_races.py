"""Two coordinators acting on one impact-survey response at the same moment
(SurveyResponse.exclude / include): the second is told, nothing is recorded twice."""

import pytest

from evaluations.models import SurveyForm, SurveyResponse, SurveyResponseEvent, TransitionError

from .concurrency import at_once, needs_postgresql, reference_data  # noqa: F401  (a fixture)
from .factories import make_impact_survey, make_survey_response


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_excluding_at_once_one_succeeds_and_the_other_is_told(
    reference_data,  # noqa: F811
    period,
    coordinator,
    admin_user,
):
    survey = make_impact_survey(period)
    response = make_survey_response(SurveyForm.objects.get(survey=survey, pillar__code="GOV"))
    first, second = SurveyResponse.objects.get(pk=response.pk), SurveyResponse.objects.get(pk=response.pk)
    outcomes = at_once(
        lambda: first.exclude(coordinator, "Ganda"), lambda: second.exclude(admin_user, "Responden fiktif")
    )
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionError) and "sudah dikeluarkan" in errors[0].message
    assert SurveyResponseEvent.objects.filter(response=response).count() == 1
    response.refresh_from_db()
    event = SurveyResponseEvent.objects.get(response=response)
    assert (response.excluded_by, response.exclusion_reason) == (event.actor, event.note)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_excluding_and_including_at_once_leaves_state_and_history_in_step(
    reference_data,  # noqa: F811
    period,
    coordinator,
    admin_user,
):
    survey = make_impact_survey(period)
    response = make_survey_response(SurveyForm.objects.get(survey=survey, pillar__code="GOV"))
    response.exclude(coordinator, "Ganda")
    first, second = SurveyResponse.objects.get(pk=response.pk), SurveyResponse.objects.get(pk=response.pk)
    at_once(lambda: first.include(coordinator), lambda: second.include(admin_user))
    response.refresh_from_db()
    assert not response.is_excluded
    assert list(
        SurveyResponseEvent.objects.filter(response=response).order_by("pk").values_list("action", flat=True)
    ) == [
        "excluded",
        "included",
    ]
