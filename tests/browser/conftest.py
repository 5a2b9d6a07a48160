"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

* One Chromium for the whole session (starting it is the slow part); a fresh context
  (cookies, viewport) per test.
* The browser is Debian's /usr/bin/chromium, never a downloaded one; without it the
  tests are skipped with the reason (CI's .ci/run installs it).
* pytest-django's ``live_server`` runs in another thread, so the database is
  transactional here and flushed after each test; the flush's post_migrate restores the
  reference data and the role groups for the next test.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import sync_playwright

from facilities.history import change_context
from tests.conftest import PASSWORD
from tests.factories import CertificateFactory, CleanTechMeasureFactory

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
# a thread with a running loop unless told that this is deliberate (test code only).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
# 20/11/2026 10:00 in Lai Châu; time moves on from there (the browser needs real clocks).
NOW = datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 20)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"{CHROMIUM} is missing: apt-get install chromium (CI does)"
                    )
                )


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2 takes a second a hash on this machine; the tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen_start():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(user, viewport=PHONE)`` → a logged-in page (through the login form)."""
    contexts = []

    def _open(user=None, *, viewport=LAPTOP):
        # An English browser: the pages must still open in Vietnamese.
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            login(page, user.username)
        return page

    yield _open
    for context in contexts:
        context.close()


def login(page, username: str, password: str | None = None) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.inner_text("main")


@pytest.fixture
def scene(own_facility, competitor_facility, inspector_tam_duong, admin_user):
    """Two active facilities, none assessed yet; the own one's certificate ends in 40 days.

    Establishments meeting standards: 0 of 2 — until the inspector finalizes a visit.
    """
    with change_context(user=admin_user, reason="dữ liệu ban đầu"):
        CertificateFactory(
            facility=own_facility,
            number="GCN-TD-001",
            issued_on=datetime.date(2023, 12, 1),
            valid_until=TODAY + datetime.timedelta(days=40),
        )
        CleanTechMeasureFactory(facility=own_facility, description="Bể lắng nước thải")
    return {"own": own_facility, "competitor": competitor_facility}
