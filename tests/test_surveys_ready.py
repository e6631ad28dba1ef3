"""A survey form's link is live only when its programmes are chosen (issue 24, item 9): before,
the form asked about "Program ini" naming none. The public form refuses it with a notice, and the
setup page says so instead of offering the link."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations.models import ImpactSurvey, SurveyProgramme

from .factories import make_impact_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(period, agency_a):
    return make_impact_survey(period, agency=agency_a)


def test_a_form_whose_programmes_are_not_all_chosen_is_not_open_to_respondents(client, survey):
    form = survey.forms.get(pillar__code="GOV", subdimension=None)
    SurveyProgramme.objects.filter(survey=survey, subdimension__pillar__code="GOV").first().delete()
    response = client.get(f"/s/{form.token}/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formulir belum siap" in html
    assert "Program ini" not in html
    assert client.post(f"/s/{form.token}/", {}).status_code == 403


def test_a_form_with_its_programmes_chosen_is_open(client, survey):
    form = survey.forms.get(pillar__code="GOV", subdimension=None)
    assert client.get(f"/s/{form.token}/").status_code == 200


def test_a_new_survey_offers_no_link_until_the_programmes_are_chosen(as_coordinator, period):
    today = timezone.localdate()
    dates = {"opens": today.isoformat(), "closes": (today + timedelta(days=30)).isoformat()}
    response = as_coordinator.post(f"/survei-dampak/{period.pk}/atur/", dates)
    assert response.status_code == 302
    survey = ImpactSurvey.objects.get(period=period)
    html = as_coordinator.get(f"/survei-dampak/{period.pk}/atur/").content.decode()
    assert html.count("tautan belum aktif: tentukan programnya dulu") == survey.forms.count() == 6
    assert 'class="survey-link"' not in html
    links = html.split('id="survey-links"')[1].split("</textarea>")[0]
    assert "/s/" not in links
    form = survey.forms.first()
    assert as_coordinator.get(f"/s/{form.token}/").status_code == 403
