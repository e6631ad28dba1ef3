"""Hostile GET parameters on every page (issue 28, item 6): NUL, 10,000 characters, unpaired
surrogates, SQL and template syntax, digits that int() refuses, repeated and bracketed names.

The URL table comes from the resolver and the access matrix (tests/test_access_matrix.py): every URL
is asked with a parameter nobody reads, and each URL whose view reads GET parameters is asked with
each of them (PARAMS, checked against the source by test_params_lists_every_get_parameter_the_views_read),
as an operator and as a coordinator. A page answers what the matrix expects of it, or 400 or 404;
never a server error (the test client raises it). NUL, invalid UTF-8 and overlong values never
reach a view: the middleware answers 400. Run it on PostgreSQL too: that is where NUL fails.
"""

import ast
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluations import roles
from evaluations.datasets import SPECS
from evaluations.forms.periods import AssignmentFilterForm
from evaluations.forms.results import DashboardFilterForm
from evaluations.forms.review_bulk import BulkFilterForm
from evaluations.forms.review_plan import QueueFilterForm
from evaluations.models import Agency, EvaluationPeriod

from .factories import make_operator, make_user, open_period
from .test_access_matrix import MATRIX, World, _outcome, project_url_names

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("operator_a", "coordinator")
pytestmark = pytest.mark.django_db

# The GET parameters each page reads. Django's own views read `next` (login, set_language).
PARAMS = {
    "login": ["next"],
    "set_language": ["next"],
    "evaluations:results_dashboard": list(DashboardFilterForm.base_fields),
    "evaluations:results_index": ["periode"],
    "evaluations:reports_notes": ["saran"],
    # The period chosen on any page is kept (views.common.chosen_period, issue 24).
    "evaluations:common_home": ["periode"],
    "evaluations:answering_home": ["periode"],
    "evaluations:surveys_index": ["periode"],
    "evaluations:review_submission": ["bagian", "tampil", "halaman"],
    "evaluations:review_answer": ["bagian", "tampil", "halaman"],
    "evaluations:periods_assignments": list(AssignmentFilterForm.base_fields),
    "evaluations:quickwins_index": ["periode", "pilar", "opd", "status", "q"],
    "evaluations:quickwins_coverage": ["periode"],
    "evaluations:quickwins_create": ["pilar", "periode"],
    "evaluations:notifications_index": ["halaman"],
    "evaluations:datasets_page": [field for field, _label in SPECS["jalan"].filters] + ["halaman", "periode"],
    "evaluations:surveys_monitor_form": ["tampil", "tanda", "halaman"],
    "evaluations:national_index": ["periode", "provinsi", "urut", "arah"],
    "evaluations:national_province": ["periode", "provinsi", "urut", "arah"],
    "evaluations:review_plan_queue": ["periode", *QueueFilterForm.base_fields],
    "evaluations:review_bulk": list(BulkFilterForm.base_fields),
    # POST only (405 to a GET): the queue's filter, carried in its address.
    "evaluations:review_bulk_queue": ["periode", *QueueFilterForm.base_fields],
}
# Where a view hands the whole query to something else, what reads it (and is listed above).
WHOLE_QUERY = {
    "evaluations.views.results.dashboard": "DashboardFilterForm: its fields",
    "evaluations.views.results._sort_links": "copies the query for the sort links (urut)",
    "evaluations.views.datasets.page": "datasets.for_page: the spec's filters and halaman",
    "evaluations.views.periods._grid_data": "AssignmentFilterForm: its fields (jenis)",
    "evaluations.views.review_plan.queue": "QueueFilterForm: its fields (pilar, opd, status)",
    "evaluations.views.review_bulk.page": "BulkFilterForm: its fields (pilar, opd, keadaan)",
    "evaluations.views.review_bulk.queue": "QueueFilterForm: its fields (pilar, opd, status)",
}
VIEW_MODULES = sorted([*(ROOT / "evaluations" / "views").glob("*.py"), ROOT / "pillars" / "views.py"])

SQL_AND_TEMPLATE = "' OR 1=1--{{ 7*7 }}{% debug %}<script>"
# Each variant: (query string for parameter p, refused by the middleware whatever the page).
VARIANTS = {
    "nul": (lambda p: f"{p}=%00", True),
    "surrogate": (lambda p: f"{p}=%ED%A0%80", True),
    "long": (lambda p: f"{p}={'9' * 10_000}", True),
    "sql-template": (lambda p: f"{p}={quote(SQL_AND_TEMPLATE)}", False),
    # Given twice, the second time a digit that str.isdigit() accepts and int() refuses.
    "repeated": (lambda p: f"{p}={quote(SQL_AND_TEMPLATE)}&{p}={quote('²')}", False),
    # PHP-style array names: a name of their own to Django, which no page reads.
    "brackets": (lambda p: f"{p}[]=&{p}[0]={quote(SQL_AND_TEMPLATE)}", False),
}
PARAM_VARIANTS = ("nul", "surrogate", "long", "sql-template", "repeated")


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    """An operator of agency A, a coordinator and the access matrix's World, built once for the
    module in a transaction rolled back at its end; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
        agency_a = Agency.objects.get(abbreviation="Diskominfo Staper")
        operator_a = make_operator(agency_a, "operator_a")
        coordinator = make_user("koordinator", roles.COORDINATOR)
        world = World(period, agency_a, operator_a, coordinator)
        # Made now, not lazily inside a test whose savepoint would take them away again.
        for name in ("monitor_survey", "monitor_form", "monitor_response", "monitor_excluded"):
            getattr(world, name)
        world.users = {"operator_a": operator_a, "coordinator": coordinator}
        # Signed in once: each test's savepoint keeps the session rows made here.
        world.clients = {role: Client() for role in ROLES}
        for role, client in world.clients.items():
            client.force_login(world.users[role])
        yield world
        transaction.set_rollback(True)


def _url(world, name):
    entry = MATRIX[name]
    return reverse(name, args=entry.args(world) if entry.args else [])


def _get_as_each_role(world, name, query):
    """{role: outcome} of GET url?query for each role."""
    url = _url(world, name)
    return {role: _outcome(client.get(f"{url}?{query}")) for role, client in world.clients.items()}


def _expected(name, role, refused):
    if refused:
        return {"400"}
    return {MATRIX[name].expected("GET")[role], "400", "404"}


PARAM_CASES = [
    (name, param, variant) for name in sorted(PARAMS) for param in PARAMS[name] for variant in PARAM_VARIANTS
]


@pytest.mark.parametrize(("name", "param", "variant"), PARAM_CASES, ids=[f"{n}-{p}-{v}" for n, p, v in PARAM_CASES])
def test_a_hostile_value_of_a_parameter_the_page_reads_is_answered_without_error(cast, name, param, variant):
    build, refused = VARIANTS[variant]
    for role, outcome in _get_as_each_role(cast, name, build(param)).items():
        assert outcome in _expected(name, role, refused), f"{name} ?{param} ({variant}) as {role}: {outcome}"


URL_CASES = [(name, variant) for name in project_url_names() for variant in ("nul", "brackets")]


@pytest.mark.parametrize(("name", "variant"), URL_CASES, ids=[f"{n}-{v}" for n, v in URL_CASES])
def test_every_page_answers_a_hostile_parameter_it_does_not_read(cast, name, variant):
    build, refused = VARIANTS[variant]
    for role, outcome in _get_as_each_role(cast, name, build("zz")).items():
        assert outcome in _expected(name, role, refused), f"{name} ?zz ({variant}) as {role}: {outcome}"


def _patterns(patterns=None, namespace=""):
    """(name, URLPattern) for every named URL of the project (the admin left out, as in the matrix)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if not str(entry.pattern).startswith("admin/"):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from _patterns(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


STR_ARG_NAMES = sorted(name for name, pattern in _patterns() if "<str:" in str(pattern.pattern))


@pytest.mark.parametrize("name", STR_ARG_NAMES)
def test_a_nul_in_the_path_is_refused_with_the_400_page(cast, name):
    """A <str:...> segment is looked up in the database as given."""
    entry = MATRIX[name]
    args = [("\x00" if isinstance(arg, str) else arg) for arg in entry.args(cast)]
    for role, client in cast.clients.items():
        assert client.get(reverse(name, args=args)).status_code == 400, role


def test_the_400_page_says_in_indonesian_that_the_address_is_not_valid(client, cast):
    client.force_login(cast.users["operator_a"])
    response = client.get("/quick-wins/?q=%00")
    assert response.status_code == 400
    assert '<html lang="id">' in response.text
    assert "Alamat halaman ini berisi karakter yang tidak sah" in response.text


def test_without_an_account_the_public_survey_link_with_a_nul_gets_the_400_page(client, cast):
    response = client.get("/s/%00/")
    assert response.status_code == 400
    assert "Alamat halaman ini berisi karakter yang tidak sah" in response.text


def test_the_address_message_is_english_after_switching(client, cast):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/akun/masuk/?next=%ED%A0%80")
    assert response.status_code == 400
    assert "The address of this page holds characters that are not allowed" in response.text


def test_a_page_still_filters_by_an_ordinary_search(client, cast):
    client.force_login(cast.users["coordinator"])
    assert client.get("/quick-wins/?q=jalan&pilar=GOV").status_code == 200
    assert client.get("/koordinator/?q=dinas&urut=-percent").status_code == 200


# --- the lists above against the source ---------------------------------------------------------
def _get_reads(path):
    """(function qualified name, literal parameter or None) for every use of request.GET in `path`;
    None where the whole query is handed on."""
    tree = ast.parse(path.read_text())
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    reads = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "GET"):
            continue
        function = node
        while function in parents and not isinstance(function, ast.FunctionDef):
            function = parents[function]
        where = f"{module}.{getattr(function, 'name', '')}"
        parent = parents.get(node)
        literal = None
        if isinstance(parent, ast.Attribute) and parent.attr == "get":
            call = parents[parent]
            literal = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else None
        elif isinstance(parent, ast.Subscript) and isinstance(parent.slice, ast.Constant):
            literal = parent.slice.value
        reads.append((where, literal))
    return reads


def test_params_lists_every_get_parameter_the_views_read():
    callbacks = {name: pattern.callback for name, pattern in _patterns()}
    listed_by_module = {}
    for name, params in PARAMS.items():
        module = callbacks[name].__module__
        listed_by_module.setdefault(module, set()).update(params)
    unlisted, handed_on = [], []
    for path in VIEW_MODULES:
        for where, literal in _get_reads(path):
            module = where.rsplit(".", 1)[0]
            if literal is None and where not in WHOLE_QUERY:
                handed_on.append(where)
            elif literal is not None and literal not in listed_by_module.get(module, set()):
                unlisted.append(f"{where}: {literal}")
    assert not unlisted, f"add these GET parameters to PARAMS: {unlisted}"
    assert not handed_on, f"these views hand request.GET on: say in WHOLE_QUERY what reads it: {handed_on}"
