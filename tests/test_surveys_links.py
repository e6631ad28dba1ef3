"""The links between the impact survey's staff pages: setup -> monitor and results, monitor ->
setup and results, the results page's survey section -> monitor. Each link is followed and must
open the page it names for the user who saw it."""

import re

import pytest

from .factories import make_impact_survey, make_survey_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(period):
    survey = make_impact_survey(period)
    make_survey_response(survey.forms.get(pillar__code="GOV"), scores=3)
    return survey


def nav_links(html):
    """The hrefs of the page's survey navigation (the paragraph of class survey-nav)."""
    nav = re.search(r'<p class="[^"]*survey-nav[^"]*">(.*?)</p>', html, re.S)
    assert nav, "no survey navigation on the page"
    return dict(
        (text.strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))
    )


def follow(client, href):
    response = client.get(href.split("#")[0])
    assert response.status_code == 200, href
    return response.content.decode()


@pytest.mark.parametrize("who", ["coordinator", "leader"])
def test_the_setup_page_links_to_the_monitor_and_to_the_survey_results(client, survey, who, request):
    client.force_login(request.getfixturevalue(who))
    pk = survey.period_id
    links = nav_links(follow(client, f"/survei-dampak/{pk}/atur/"))
    assert links["Pantau respons"] == f"/survei-dampak/{pk}/pantau/"
    assert links["Hasil survei"] == f"/hasil/?periode={pk}#survei-dampak"
    assert "Pantau survei dampak" in follow(client, links["Pantau respons"])
    assert 'id="survei-dampak"' in follow(client, links["Hasil survei"])


def test_the_setup_page_of_a_period_without_a_survey_has_no_monitor_link(client, coordinator, period):
    client.force_login(coordinator)
    html = follow(client, f"/survei-dampak/{period.pk}/atur/")
    assert "/pantau/" not in html  # the monitor would be 404 until the survey exists


def test_the_monitor_links_back_to_the_setup_and_to_the_survey_results(client, coordinator, survey):
    client.force_login(coordinator)
    pk = survey.period_id
    links = nav_links(follow(client, f"/survei-dampak/{pk}/pantau/"))
    assert links["Atur survei dampak"] == f"/survei-dampak/{pk}/atur/"
    assert links["Hasil survei"] == f"/hasil/?periode={pk}#survei-dampak"
    assert "Semua tautan publik" in follow(client, links["Atur survei dampak"])


@pytest.mark.parametrize("who", ["coordinator", "leader"])
def test_the_results_survey_section_links_to_the_monitor(client, survey, who, request):
    client.force_login(request.getfixturevalue(who))
    pk = survey.period_id
    html = follow(client, f"/hasil/?periode={pk}")
    section = re.search(r'<section class="mb-4" id="survei-dampak".*?</section>', html, re.S).group(0)
    assert nav_links(section) == {"Pantau respons": f"/survei-dampak/{pk}/pantau/"}
    assert '<span class="count-counted">1</span> / 50' in follow(client, f"/survei-dampak/{pk}/pantau/")
