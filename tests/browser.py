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
from django.db import connections
from django.test.utils import modify_settings
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from .factories import PASSWORD
from .tables import Tables

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


@pytest.fixture(scope="session")
def browser_server(request, django_db_setup):
    """One live server per test process for every browser module (pytest-django's live_server
    would make each test a transactional one, which empties the database after it)."""
    server = LiveServer(
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    yield server
    server.stop()


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
