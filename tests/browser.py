"""Shared fixtures for end-to-end tests in a real browser: Debian's chromium driven by Playwright.

Browser tests skip with a clear message where /usr/bin/chromium is missing, except under CI=true,
where a missing browser is a failure. Screenshots go to artifacts/ (git-ignored).

The live server runs in a thread of the test process and reads what the test commits, so a
browser test cannot run inside a transaction that is rolled back. pytest-django's transactional
tests empty every table after each test, and each browser test then loaded the reference data
again (most of its setup time). Here instead the reference data is loaded once per process; a
browser module starts from it (with data of its own from module-scoped fixtures, built once), and
each test puts back every table it changed when it ends (`site`), so the module's tests start
alike and never see each other's rows. A browser module carries no django_db mark: `site` (or
`module_db`) gives it database access.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import modify_settings
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from .factories import PASSWORD, load_reference_data

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium_browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"Chromium not found at {CHROMIUM}: install Debian's package with `apt-get install chromium`."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop in this thread; the ORM calls that tests make
    # between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


class Tables:
    """A copy of every row of every table of the project's models (the tables a flush empties),
    read with plain SQL; `restore()` writes back, in one transaction, each table whose rows differ."""

    def __init__(self):
        self.rows = {table: self._read(table, pk) for table, pk in self._tables()}

    @staticmethod
    def _tables():
        seen = set()
        for model in apps.get_models(include_auto_created=True):
            opts = model._meta
            if opts.managed and not opts.proxy and not opts.swapped and opts.db_table not in seen:
                seen.add(opts.db_table)
                yield opts.db_table, opts.pk.column

    @staticmethod
    def _read(table, pk):
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {qn(table)} ORDER BY {qn(pk)}")
            return [column[0] for column in cursor.description], cursor.fetchall()

    def restore(self):
        qn = connection.ops.quote_name
        # Foreign keys are checked at the commit (Django declares them deferrable), when every
        # table is back as it was.
        with transaction.atomic(), connection.cursor() as cursor:
            for table, pk in self._tables():
                columns, rows = self.rows[table]
                if self._read(table, pk) == (columns, rows):
                    continue
                cursor.execute(f"DELETE FROM {qn(table)}")
                if rows:
                    names = ", ".join(qn(column) for column in columns)
                    values = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({values})", rows)
        # After a flush the content types came back under other ids: forget those.
        ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def browser_server(request, django_db_setup):
    """One live server per test process for every browser module (pytest-django's live_server
    would make each test a transactional one, which empties the database after it)."""
    server = LiveServer(
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def reference_tables(django_db_setup, django_db_blocker):
    """The database a browser module starts from and leaves behind: emptied as after a
    transactional test (a race test may have done so already), then the reference data."""
    with django_db_blocker.unblock():
        call_command("flush", verbosity=0, interactive=False)
        load_reference_data()
        return Tables()


@pytest.fixture(scope="module")
def module_db(reference_tables, django_db_blocker):
    """Database access for a browser module and its module-scoped fixtures, on the reference data
    (committed, so the live server sees it); every table goes back to it when the module ends."""
    with django_db_blocker.unblock():
        reference_tables.restore()
        yield
        reference_tables.restore()
        # While Playwright's event loop runs in this thread, Django keeps this thread's connections
        # apart from those it had before (asgiref's Local): close them, or the test database
        # cannot be dropped at the end of the session.
        connections.close_all()


@pytest.fixture
def site(module_db, browser_server):
    """The live server, for one test: every table the test changes is put back when it ends, so
    the module's next test starts from the same rows."""
    before = Tables()
    with modify_settings(ALLOWED_HOSTS={"append": browser_server.thread.host}):
        yield browser_server
    before.restore()


@pytest.fixture
def browser_page(chromium_browser):
    context = chromium_browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium_browser):
    context = chromium_browser.new_context(locale="id-ID", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # Wait for the navigation itself: the login page is already idle, so waiting for the load
    # state alone can return before the browser leaves it.
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Masuk')")
    page.wait_for_load_state("networkidle")


def log_out(page):
    with page.expect_navigation():
        page.click("button:has-text('Keluar')")
    page.wait_for_load_state("networkidle")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
