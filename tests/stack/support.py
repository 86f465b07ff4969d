"""The stack the scale-path tests drive: deploy/stack.py on ports of their own.

nginx on 18080 in front of gunicorn app servers on 18101 and 18102 (production settings), the
PostgreSQL server's database ``fazhi_stack_test`` (dropped and created afresh), Redis database 5 at
127.0.0.1:6379 (emptied first; a redis-server of the stack's own when nothing answers there) and one
``qcluster``. It starts once per test session, whoever asks first (tests/stack and
tests/browser/test_stack_*.py), and stops when the session ends.

These processes have their own environment: the test settings, which run tasks inline and keep the
cache in the process, govern only the pytest process itself.
"""

from __future__ import annotations

import http.client
import re
import shutil
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from deploy.stack import Stack, StackConfig, nginx_binary, port_open

NGINX_PORT = 18080
APP_PORTS = (18101, 18102)
DATABASE = "fazhi_stack_test"
REDIS_URL = "redis://127.0.0.1:6379/5"
DEMO_PASSWORD = "Demo@2026"

_started: dict[str, Stack] = {}


def missing_requirement() -> str | None:
    """Why the stack cannot run on this machine, or None."""
    if not nginx_binary():
        return "nginx is not installed (apt-get install nginx-light; .ci/run installs it)"
    if not port_open("127.0.0.1", 6379) and not shutil.which("redis-server"):
        return "no Redis on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server)"
    if not port_open("127.0.0.1", 5432):
        return "PostgreSQL is not answering on 127.0.0.1:5432"
    return None


def stack_for_session(request) -> Stack:
    """The session's stack, started on first use and stopped when the session ends."""
    reason = missing_requirement()
    if reason:
        pytest.skip(f"stack tests need nginx, Redis and PostgreSQL: {reason}")
    if "stack" not in _started:
        config = StackConfig(
            nginx_port=NGINX_PORT,
            app_ports=APP_PORTS,
            database=DATABASE,
            redis_url=REDIS_URL,
            # Kept between runs so collected static files are reused; the database is fresh.
            run_dir=Path(tempfile.gettempdir()) / "fazhi-stack-test",
            fresh=True,
            # Every export goes to the task worker, so a small demo export exercises the broker.
            env={"PORTAL_EXPORT_INLINE_ROWS": "0"},
        )
        stack = Stack(config, echo=lambda text: None)
        request.config.add_cleanup(stack.stop)
        began = time.monotonic()
        stack.start()
        stack.timings["observed"] = time.monotonic() - began
        _started["stack"] = stack
        terminal = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if terminal is not None and capture is not None:
            parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in stack.timings.items())
            with capture.global_and_fixture_disabled():
                terminal.write_line(f"\nstack up at {stack.url} ({parts})")
    return _started["stack"]


class Browserless:
    """A minimal HTTP client that behaves like a browser towards the platform: keeps cookies
    (Secure ones too, as browsers do on http://127.0.0.1), sends the form's CSRF token and an
    Origin header, and may connect from another loopback address (127.0.0.x), so nginx sees a
    different client address."""

    def __init__(self, stack: Stack, *, source: str = "127.0.0.1", port: int | None = None):
        self.stack = stack
        self.source = source
        self.port = port or stack.config.nginx_port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, data: dict | None = None, headers: dict | None = None, port=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", port or self.port, timeout=30, source_address=(self.source, 0)
        )
        sent = {"Host": f"127.0.0.1:{self.stack.config.nginx_port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.stack.url
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response, content

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, form_page: str, data: dict, **kwargs):
        """GET ``form_page`` for the CSRF token, then POST ``data`` with it to ``path``."""
        _, page = self.get(form_page, **kwargs)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {form_page}"
        return self.request("POST", path, data={"csrfmiddlewaretoken": token.group(1).decode(), **data}, **kwargs)

    def log_in(self, police_number: str, password: str = DEMO_PASSWORD, **kwargs):
        return self.post_form("/login/", "/login/", {"username": police_number, "password": password}, **kwargs)


def query(stack: Stack, sql: str, params: list | tuple = ()) -> list[tuple]:
    """Rows from the stack's PostgreSQL database, read as an operator would with psql."""
    import psycopg

    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()
