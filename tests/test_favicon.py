"""The browser's icon (issue 24, item 13): no page leaves a 404 for favicon.ico in the console."""

import pytest

from .factories import make_impact_survey

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon_for_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/img/favicon")
    assert response["Location"].endswith(".svg")


@pytest.mark.parametrize("url", ["/akun/masuk/"])
def test_every_page_names_its_icon(client, url):
    assert '<link rel="icon" href="/static/img/favicon' in client.get(url).content.decode()


def test_the_public_survey_form_names_its_icon(client, period):
    form = make_impact_survey(period).forms.order_by("pk").first()
    assert '<link rel="icon" href="/static/img/favicon' in client.get(f"/s/{form.token}/").content.decode()
