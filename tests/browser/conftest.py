"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the intranet machines cannot download browsers.
Live-server tests are transactional: the database is flushed after each, which would wipe the
Wagtail root page, Site, Locale and role groups created by migrations. ``serialized_rollback``
restores that migration data before each test.
"""

from __future__ import annotations

import contextlib
import os
import time

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


# Django's connection wrappers live in context-local storage, and Playwright's sync API switches
# contexts between a test's phases: a phase may get a wrapper without the database snapshot Django
# took after migrating (``_test_serialized_contents``). ``serialized_rollback`` would then restore
# nothing after a live-server test flushed the database (Wagtail root page, Site, role groups …)
# whenever another test had set the database up first. The snapshot is carried to every wrapper.
_migration_snapshot: dict[str, str] = {}


def _carry_migration_snapshot() -> None:
    from django.db import connections

    connection = connections["default"]
    value = getattr(connection, "_test_serialized_contents", None)
    if value is not None:
        _migration_snapshot["default"] = value
    elif "default" in _migration_snapshot:
        connection._test_serialized_contents = _migration_snapshot["default"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _carry_migration_snapshot()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    _carry_migration_snapshot()


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname == "_django_db_helper":
        _carry_migration_snapshot()


# Every browser test also watches the Content-Security-Policy: a page whose script, style, image or
# connection the policy refused fails the test that loaded it. The listener is injected by the
# browser itself (an init script and a binding), which the page's policy does not govern.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture(autouse=True)
def csp_violations(request, monkeypatch):
    """The policy violations seen by every context the test opened; asserted empty at the end."""
    seen: list[str] = []
    if "tests/browser/" not in str(request.node.fspath).replace(os.sep, "/"):
        yield seen
        return
    from playwright.sync_api import Browser

    original = Browser.new_context
    opened = []

    def new_context(self, *args, **kwargs):
        context = original(self, *args, **kwargs)
        opened.append(context)
        context.expose_binding(
            "__reportCspViolation", lambda source, text: seen.append(f"{source['page'].url}: {text}")
        )
        context.add_init_script(_CSP_LISTENER)
        context.on(
            "console",
            lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
        )
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield seen
    # Before the database is emptied for the next test: no page may still be polling or saving.
    # A request the live server was still handling (a save holds a row lock) deadlocked with
    # PostgreSQL's TRUNCATE of the flush, which then left the next test's data behind.
    for context in opened:
        with contextlib.suppress(Exception):
            context.close()
    if opened:
        time.sleep(0.5)
    assert not seen, "Content-Security-Policy violations:\n" + "\n".join(seen)
