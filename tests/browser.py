"""Shared fixtures for end-to-end tests in a real browser: Debian's chromium driven by Playwright.

Browser tests skip with a clear message where /usr/bin/chromium is missing, except under CI=true,
where a missing browser is a failure. Screenshots go to artifacts/ (git-ignored).
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

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


@pytest.fixture
def site(live_server):
    """The live server with the reference data (a transactional test starts from an empty database)."""
    load_reference_data()
    return live_server


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
