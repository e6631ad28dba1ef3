"""Across regions: every URL of the access matrix (tests/test_access_matrix.py) that names an
object, asked by the people of region A (Kutai Timur) with the objects of region B (Kota
Samarinda), answers 404, or the same refusal the role gets for its own region's objects (a 403
that depends on the role only); never the object. Public survey links are the exception by design:
their unguessable token is their access check, in any region."""

import pytest
from django.urls import reverse

from evaluations import roles
from evaluations.models import Agency, Assignment, EvaluationPeriod

from .factories import (
    make_agency,
    make_operator,
    make_region,
    make_user,
    open_period,
    plan_review,
    rolled_back_at_the_end,
)
from .test_access_matrix import MATRIX, World, _outcome

pytestmark = [pytest.mark.django_db, pytest.mark.one_db_pass]

REGION_A_ROLES = ["operator_a", "coordinator", "leader", "admin"]
NATIONAL_MANAGERS_ONLY = {"evaluations:instrument_index", "evaluations:instrument_apply", "evaluations:periods_create"}
PUBLIC_LINKS = {
    "evaluations:surveys_public_form",
    "evaluations:surveys_public_form_enumerator",
    "evaluations:surveys_public_thanks",
}
# Entries whose arguments are not an object of a region (a pillar's code, a data set's kind: the
# page shows the asker's own region's rows).
NOT_REGION_OBJECTS = {
    "pillars:pillars_detail",
    "evaluations:datasets_page",
    "evaluations:datasets_template",
    "evaluations:datasets_upload",
}


def _region_b_world(period_a, coordinator_b):
    """Region B's copy of the matrix's world: its period of the same national period, its own
    Diskominfo and Bappeda (the same abbreviations, another region) with the same assignments."""
    region_b = make_region("64.72", "Kota Samarinda")
    period_b = open_period(
        EvaluationPeriod.objects.create(
            region=region_b,
            national=period_a.national,
            year=period_a.year,
            stage=period_a.stage,
            name=period_a.name,
            opens=period_a.opens,
            closes=period_a.closes,
        )
    )
    agencies = {}
    for abbreviation in ("Diskominfo Staper", "Bappeda"):
        source = Agency.objects.get(region=period_a.region, abbreviation=abbreviation)
        agencies[abbreviation] = make_agency(source.name, abbreviation, region=region_b)
    Assignment.objects.bulk_create(
        Assignment(period=period_b, agency=agencies[a.agency.abbreviation], pillar=a.pillar, question=a.question)
        for a in Assignment.objects.filter(period=period_a, agency__abbreviation__in=agencies).select_related("agency")
    )
    agency_b = agencies["Diskominfo Staper"]
    return World(period_b, agency_b, make_operator(agency_b, "operator_region_b"), coordinator_b)


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with rolled_back_at_the_end(django_db_blocker):
        with django_db_blocker.unblock():
            period_a = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
            agency_a = Agency.objects.get(abbreviation="Diskominfo Staper")
            operator_a = make_operator(agency_a, "operator_a")
            coordinator_a = make_user("koordinator", roles.COORDINATOR)
            world_a = World(period_a, agency_a, operator_a, coordinator_a)
            coordinator_b = make_user("koordinator_b", roles.COORDINATOR, region=make_region("64.72", "Kota Samarinda"))
            world_b = _region_b_world(period_a, coordinator_b)
            users = {
                "operator_a": operator_a,
                "coordinator": coordinator_a,
                "leader": make_user("pimpinan", roles.LEADER),
                "admin": make_user("admin", roles.ADMIN, is_staff=True),
            }
        yield world_a, world_b, users


CASES = [
    (name, role, method)
    for name, entry in sorted(MATRIX.items())
    if entry.args and name not in PUBLIC_LINKS | NOT_REGION_OBJECTS
    for role in REGION_A_ROLES
    for method in ("GET", "POST")
]


@pytest.mark.parametrize(("name", "role", "method"), CASES, ids=[f"{n}-{r}-{m}" for n, r, m in CASES])
def test_region_a_never_reaches_region_bs_objects(client, worlds, name, role, method):
    _world_a, world_b, users = worlds
    entry = MATRIX[name]
    url = reverse(name, args=entry.args(world_b))
    client.force_login(users[role])
    data = entry.data(world_b) if entry.data else {}
    response = client.get(url) if method == "GET" else client.post(url, data)
    own = entry.expected(method)[role]
    allowed = {"404"} | ({own} if own in {"403", "405"} else set())
    if name in NATIONAL_MANAGERS_ONLY:
        # With two regions the instrument is the ministry's: a region's admin is refused whatever the object.
        allowed.add("403")
    actual = _outcome(response)
    assert actual in allowed, f"{method} {url} (region B) as {role} of region A: got {actual}, expected {allowed}"


# The reviewer role: a lead agency's reviewer of region A, given GOV by region A's plan, reaches
# nothing of region B (the plan is region A's; region B's rows are out of the request's scope).
REVIEWER_URLS = [
    ("evaluations:review_submission", lambda w: [w.submission_a.pk], "GET", None),
    ("evaluations:review_answer", lambda w: [w.answer_a.pk], "GET", None),
    ("evaluations:review_set_score", lambda w: [w.answer_a.pk], "POST", "score"),
    ("evaluations:review_plan_index", lambda w: [w.period.pk], "GET", None),
]


@pytest.mark.parametrize(("name", "args", "method", "data"), REVIEWER_URLS, ids=[u[0] for u in REVIEWER_URLS])
def test_a_reviewer_of_region_a_never_reaches_region_bs_objects(client, worlds, name, args, method, data):
    world_a, world_b, _users = worlds
    reviewer = make_user(
        "peninjau_a", roles.REVIEWER, Agency.objects.get(region=world_a.period.region, abbreviation="Bappeda")
    )
    plan_review(world_a.period, reviewer, "GOV")
    client.force_login(reviewer)
    url = reverse(name, args=args(world_b))
    payload = {f"score-{world_b.answer_a.pk}-verified_score": "2"} if data else {}
    response = client.get(url) if method == "GET" else client.post(url, payload)
    assert _outcome(response) == "404"
