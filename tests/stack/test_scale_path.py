"""The scale path through real processes (issue 15, item 2): nginx in front of two gunicorn app
servers on production settings, PostgreSQL, Redis as broker and cache, a qcluster worker.

- A background export: the app server that took the request queues the job on Redis, the
  ``qcluster`` worker builds the file into the shared MEDIA_ROOT and marks the job done in
  PostgreSQL, and the file downloads through nginx.
- A dashboard figure counted by one app server is what the other app server shows: the cache is
  Redis, shared, not each process's memory.
- Sign-in through nginx: the lockout and the audit log key on the address nginx appended to
  X-Forwarded-For, so a browser that forges the header gains no extra guesses and locks out only
  itself, while the same police number still signs in from another computer.
"""

from __future__ import annotations

import io
import re
import time

import openpyxl

from tests.stack.support import Browserless, query

DIRECT = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}  # what nginx adds


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")


def test_background_export_runs_on_the_worker_through_the_redis_broker(stack):
    hr = Browserless(stack)
    response, _ = hr.log_in("hr001")
    assert (response.status, response.headers["Location"]) == (302, "/dashboard/")

    response, _ = hr.get("/people/officers.xlsx")
    assert response.status == 302
    job_path = response.headers["Location"]
    job_id = int(re.fullmatch(r"/exports/(\d+)/", job_path).group(1))

    def finished():
        rows = query(stack, "SELECT status, error FROM portal_exportjob WHERE id = %s", [job_id])
        return rows[0] if rows and rows[0][0] not in {"queued", "running"} else None

    status, error = _wait_for(finished, 90, "the export job finishing on the worker")
    assert (status, error) == ("done", "")
    # The worker took it from Redis: django-q2 stored its result, and nothing went through the ORM broker.
    assert query(stack, "SELECT success FROM django_q_task WHERE name = %s", [f"export-job-{job_id}"]) == [(True,)]
    assert query(stack, "SELECT count(*) FROM django_q_ormq") == [(0,)]

    response, content = hr.get(f"/exports/{job_id}/download/")
    assert response.status == 200
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    cells = {value for row in sheet.iter_rows(values_only=True) for value in row}
    assert {"officer001", "hr001", "031001"} <= cells


def test_dashboard_figures_counted_on_one_app_server_are_shown_by_the_other(stack):
    hr = Browserless(stack)
    hr.log_in("hr001")
    first, second = stack.config.app_ports
    page = "/certification/dashboards/qualifications/"

    # Straight to the app servers (as nginx would forward): app server 1 recounts and keeps the figures …
    response, counted = hr.get(f"{page}?fresh=1", port=first, headers=DIRECT)
    assert response.status == 200
    assert b'id="figures-as-of"' not in counted

    # … and app server 2, another process with its own memory, shows the very same count.
    response, shown = hr.get(page, port=second, headers=DIRECT)
    assert response.status == 200
    as_of = re.search(rb'id="figures-as-of">([^<]+)<', shown)
    assert as_of, "app server 2 counted again instead of reading the shared cache"
    response, again = hr.get(page, port=first, headers=DIRECT)
    assert re.search(rb'id="figures-as-of">([^<]+)<', again).group(1) == as_of.group(1)


def test_lockout_and_audit_through_nginx_key_on_the_address_nginx_appended(stack):
    police_number = "031005"
    attacker = Browserless(stack, source="127.0.0.21")

    outcomes = []
    for guess in range(7):
        forged = {"X-Forwarded-For": f"192.0.2.{guess}, 10.0.0.1"}
        response, _ = attacker.log_in(police_number, "wrong-password", headers=forged)
        outcomes.append(response.status)
    # Five failures from one address lock that address out, whatever it writes in the header.
    assert outcomes == [200, 200, 200, 200, 429, 429, 429]
    response, _ = attacker.log_in(police_number, headers={"X-Forwarded-For": "192.0.2.200"})
    assert response.status == 429

    colleague = Browserless(stack, source="127.0.0.22")
    response, _ = colleague.log_in(police_number, headers={"X-Forwarded-For": "127.0.0.21"})
    assert (response.status, response.headers["Location"]) == (302, "/dashboard/")
    response, _ = colleague.get("/dashboard/")
    assert response.status == 200

    failures = query(
        stack,
        "SELECT host(ip_address), failures_since_start FROM axes_accessattempt WHERE username = %s",
        [police_number],
    )
    # Every try from the locked-out address counted (each one restarts the cool-off), the eight of
    # them against that one address whatever it forged; none against the colleague's.
    assert failures == [("127.0.0.21", 8)]
    signed_in = query(
        stack,
        "SELECT host(e.ip_address) FROM portal_auditentry e JOIN people_user u ON u.id = e.actor_id"
        " WHERE u.police_number = %s AND e.action = 'portal.user.logged_in'",
        [police_number],
    )
    assert signed_in == [("127.0.0.22",)]


def test_nginx_routes_around_a_killed_app_server(stack):
    """kill -9 of one app server: nginx's connection to it is refused, so every request (a POST
    sign-in too, which was never sent) goes to the other; brought back, it serves again."""
    stack.kill_app_server(0)
    try:
        officer = Browserless(stack, source="127.0.0.31")
        statuses = [officer.get("/login/")[0].status for _ in range(6)]
        response, _ = officer.log_in("officer001")
        statuses.append(response.status)
        statuses += [officer.get("/dashboard/")[0].status for _ in range(6)]
        assert statuses == [200] * 6 + [302] + [200] * 6
    finally:
        stack.start_app_server(0)
    assert Browserless(stack).get("/healthz", port=stack.config.app_ports[0], headers=DIRECT)[0].status == 200
