"""The shared cast: an operator of agency A, an operator of agency B, a coordinator, a leader and
an admin, working on the shipped 2024 Tahap I period opened with a deadline two weeks away."""

import tempfile

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test.utils import setup_databases, teardown_databases
from django.utils import translation
from django_scopes import scopes_disabled

from evaluations import roles
from evaluations.models import Agency, EvaluationPeriod

from .factories import load_reference_data, make_operator, make_user, open_period


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """The test database with the reference data. pytest-django's own fixture makes the database
    only when a selected test carries a django_db mark or asks for db, and a browser module does
    neither (see browser.py), so this one makes it whatever is selected. No test uses
    serialized_rollback, so nothing is serialised."""
    if not django_db_use_migrations:
        raise pytest.UsageError("--nomigrations is not supported: the reference data needs every migration")
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        databases = setup_databases(
            verbosity=verbosity,
            interactive=False,
            serialized_aliases=set(),
            keepdb=django_db_keepdb and not django_db_createdb,
        )
        load_reference_data()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(databases, verbosity=verbosity)


@pytest.fixture(scope="session", autouse=True)
def every_region():
    """A test's own code (its data, its assertions) reads every region; what it calls through a
    request, a job or a command runs in that entry's own region scope (evaluations.regions), which
    replaces this one. tests/test_regions_scoping.py checks that a query with no region fails."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the results' figures are cached under a stamp of their
    inputs, and on SQLite a rolled-back test's ids come back in the next one."""
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """A request in English (cookie or header) leaves English active in the thread: reset it, so a
    test's messages never depend on which test ran before it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def period(db):
    return open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))


@pytest.fixture
def agency_a(db):
    return Agency.objects.get(abbreviation="Diskominfo Staper")


@pytest.fixture
def agency_b(db):
    return Agency.objects.get(abbreviation="Bappeda")


@pytest.fixture
def operator_a(agency_a):
    return make_operator(agency_a, "operator_a")


@pytest.fixture
def operator_b(agency_b):
    return make_operator(agency_b, "operator_b")


@pytest.fixture
def coordinator(db):
    return make_user("koordinator", roles.COORDINATOR)


@pytest.fixture
def leader(db):
    return make_user("pimpinan", roles.LEADER)


@pytest.fixture
def admin_user(db):
    return make_user("admin", roles.ADMIN, is_staff=True)


@pytest.fixture
def client_a(client, operator_a):
    client.force_login(operator_a)
    return client


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    """The test client signed in as the admin (pytest-django's admin_client is the same user on a
    client of its own)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def private_media(settings, tmp_path):
    """The test's uploaded files in a folder of its own (filling.media_root() names it), for tests
    that look at the stored files or must not see another test's."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


from .browser import (  # noqa: E402,F401  (shared fixtures)
    browser_page,
    browser_server,
    chromium_browser,
    module_db,
    phone_page,
    site,
)
from .s3 import s3_bucket, s3_server  # noqa: E402,F401  (shared fixtures)
from .tables import reference_tables  # noqa: E402,F401  (a shared fixture)


def pytest_configure(config):
    # Hashing every test user's password with PBKDF2 would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files of the tests go to a throw-away folder, not to var/uploads.
    uploads = tempfile.mkdtemp(prefix="smartcity-test-uploads-")
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT = uploads
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": uploads, "base_url": None}},
    }


@pytest.fixture
def immediate_jobs(settings):
    """Jobs run inside the request that enqueues them, for tests that check a job's effect
    (the suite's default is the database queue, which only a worker process empties)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
