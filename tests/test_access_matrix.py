"""The access matrix: every URL pattern the project defines, for every role, GET and POST.

Each entry names the pattern, how to build its arguments from real objects of agency A, and the
expected outcome per role in the order of ROLES:
  L   redirect to the login page          R   redirect elsewhere (after success)
  200 / 403 / 404 / 405 / 429             the status code
A URL pattern without an entry makes test_every_url_pattern_has_an_entry fail. The Django admin
(/admin/) is left out: it has its own staff and permission checks.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluations.models import Submission

from .factories import make_user

ROLES = ["anonymous", "operator_a", "operator_b", "coordinator", "leader", "admin"]
pytestmark = pytest.mark.django_db


@dataclass
class Entry:
    get: str
    post: str
    args: object = None  # callable(world) -> list of URL arguments
    data: object = None  # callable(world) -> POST data

    def expected(self, method):
        return dict(zip(ROLES, (self.get if method == "GET" else self.post).split(), strict=True))


ALL_OK = "L 200 200 200 200 200"

MATRIX = {
    "login": Entry(get="200 R R R R R", post="200 R R R R R"),
    # Logging out redirects to the login page.
    "logout": Entry(get="L 405 405 405 405 405", post="L L L L L L"),
    "password_change": Entry(get=ALL_OK, post=ALL_OK),
    "password_change_done": Entry(get=ALL_OK, post="L 405 405 405 405 405"),
    "set_language": Entry(get="R R R R R R", post="R R R R R R", data=lambda w: {"language": "en"}),
    "evaluations:home": Entry(get=ALL_OK, post=ALL_OK),
    "pillars:list": Entry(get=ALL_OK, post=ALL_OK),
    "pillars:detail": Entry(get=ALL_OK, post=ALL_OK, args=lambda w: ["GOV"]),
}


class World:
    """Real objects of agency A (and B) for the URL arguments."""

    def __init__(self, period, agency_a, agency_b):
        self.period = period
        self.agency_a, self.agency_b = agency_a, agency_b
        self.submission_a = Submission.objects.create(period=period, agency=agency_a)


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


@pytest.fixture
def world(period, agency_a, agency_b, operator_a, operator_b, coordinator, leader, admin_user):
    world = World(period, agency_a, agency_b)
    world.users = {
        "operator_a": operator_a,
        "operator_b": operator_b,
        "coordinator": coordinator,
        "leader": leader,
        "admin": admin_user,
    }
    return world


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


def test_the_matrix_size_is_reported():
    """URLs × roles × methods, for the closing note."""
    assert len(CASES) == len(MATRIX) * len(ROLES) * 2
    assert make_user  # the cast comes from conftest; make_user is available for new roles
