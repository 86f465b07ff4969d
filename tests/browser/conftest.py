"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the intranet machines cannot download browsers.
Live-server tests are transactional: the database is flushed after each, which would wipe the
Wagtail root page, Site, Locale and role groups created by migrations. ``serialized_rollback``
restores that migration data before each test.
"""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def phone_context_args():
    return {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def login(page, live_server, password):
    """Log in through the real form; returns a function taking the user."""

    def _login(user, *, pwd: str | None = None, target=page):
        target.goto(f"{live_server.url}/login/")
        target.fill("input[name=username]", user.police_number)
        target.fill("input[name=password]", pwd or password)
        target.click("main form button[type=submit]")
        target.wait_for_load_state("networkidle")
        return target

    return _login
