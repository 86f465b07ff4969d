"""A server restart mid-exam loses no acknowledged answer (issue 14, technical incidents).

A real gunicorn serves the platform (the settings of ``make run``) on a database of the test's own:
a SQLite file, or a fresh PostgreSQL database when the suite runs on PostgreSQL. An officer signs
in and takes the exam over HTTP as the paper's script does (JSON autosaves with the CSRF header)
while the server is killed with SIGKILL — between saves, right after a save was acknowledged, and
with a save on the wire — and started again. Afterwards every save answered 200 ``saved: true``
is stored with its latest value, the attempt is still in progress with the same deadline, the
officer keeps saving in the same session, and the submission grades the answers stored.

About 35 s: four server starts and a few Django commands in subprocesses. The first run for a set
of migrations also migrates (~30 s) and keeps the result in the temp folder for the next runs
(``restart_support.ServerDatabase.migrate``). ``requests`` comes with Wagtail.
"""

from __future__ import annotations

import json
import re
import threading
import time
from decimal import Decimal

import pytest
import requests
from django.conf import settings

from exams.models import AttemptState
from tests.exams.restart_support import PASSWORD, Server, ServerDatabase, free_port, migrations_key, run

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def server_database(tmp_path):
    database = ServerDatabase.create(tmp_path, settings.DATABASES["default"])
    try:
        database.migrate(migrations_key())
        yield database
    finally:
        database.drop()


@pytest.fixture
def server(server_database, tmp_path):
    server = Server(server_database.env, free_port(), tmp_path / "gunicorn.log")
    yield server
    server.kill()


class Officer:
    """The officer's browser: one cookie jar (session and CSRF cookies) across server restarts."""

    def __init__(self, server: Server, attempt_pk: int | None = None) -> None:
        self.server = server
        self.http = requests.Session()
        self.attempt_pk = attempt_pk
        self.seq = 0
        self.acknowledged: dict[int, tuple[int, object]] = {}  # item → (seq, response) of its last 200 saved

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"

    def post_form(self, path: str, data: dict | None = None) -> requests.Response:
        page = self.http.get(self.url(path), timeout=10)
        assert page.status_code == 200, (path, page.status_code)
        token = CSRF_FIELD.search(page.text).group(1)
        return self.http.post(
            self.url(path), data={"csrfmiddlewaretoken": token, **(data or {})}, allow_redirects=False, timeout=20
        )

    def sign_in(self, police_number: str) -> None:
        response = self.post_form("/login/", {"username": police_number, "password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == "/dashboard/", response.text[:500]

    def start(self, exam_pk: int) -> None:
        response = self.post_form(f"/exams/take/{exam_pk}/")
        assert response.status_code == 302, response.text[:500]
        self.attempt_pk = int(re.fullmatch(r"/exams/attempts/(\d+)/", response.headers["Location"]).group(1))

    def status(self) -> dict:
        response = self.http.get(self.url(f"/exams/attempts/{self.attempt_pk}/status/"), timeout=10)
        assert response.status_code == 200
        return response.json()

    def send(self, item: int, response, seq: int | None = None) -> requests.Response:
        """One autosave as take.js sends it. Raises ``requests.ConnectionError`` if the server dies."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        return self.http.post(
            self.url(f"/exams/attempts/{self.attempt_pk}/save/"),
            data=json.dumps({"item": item, "response": response, "seq": seq}),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.http.cookies["csrftoken"]},
            timeout=20,
        )

    def save(self, item: int, response) -> dict:
        """A save that must be acknowledged; remembered as acknowledged."""
        reply = self.send(item, response)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["saved"] is True and body["seq"] == self.seq, body
        self.acknowledged[item] = (self.seq, response)
        return body


def wrong(item: dict):
    """A wrong response to a paper item as ``inspect`` describes it (labels as shown)."""
    right = item["right"]
    if item["type"] == "single":
        return next(label for label in item["labels"] if label != right)
    if item["type"] == "multiple":
        return sorted([label for label in item["labels"] if label not in right][:1] + right[:1])
    if item["type"] == "true_false":
        return not right
    return ["不知道"]


def assert_acknowledged_stored(stored: dict, officer: Officer) -> None:
    """Every save answered 200 ``saved: true`` is stored with the latest value acknowledged."""
    for item, (seq, response) in officer.acknowledged.items():
        assert stored["answers"].get(str(item)) == {"response": response, "seq": seq}, item


def test_a_server_killed_mid_exam_loses_no_acknowledged_answer(server_database, server):
    env = server_database.env
    prepared = json.loads(run(env, "-m", "tests.exams.restart_support", "prepare"))
    server.start()

    officer = Officer(server)
    officer.sign_in(prepared["officer"])
    officer.start(prepared["exam"])
    paper = officer.http.get(officer.url(f"/exams/attempts/{officer.attempt_pk}/"), timeout=10)
    assert paper.status_code == 200
    before = officer.status()
    assert before["state"] == AttemptState.IN_PROGRESS

    def inspect() -> dict:
        return json.loads(run(env, "-m", "tests.exams.restart_support", "inspect", str(officer.attempt_pk)))

    def still_in_progress(status: dict) -> None:
        assert status["state"] == AttemptState.IN_PROGRESS
        assert status["deadline"] == before["deadline"]

    items = inspect()["items"]
    shown = [int(pk) for pk in re.findall(r'<article class="take-item" id="item-(\d+)"', paper.text)]
    assert shown == [item["id"] for item in items]
    assert len(items) == 8  # 3 single, 2 multiple, 2 true/false, 1 fill in the blank: 100 points
    first = items[0]
    wrong_kept = next(item for item in items[1:] if item["type"] == "single")
    rest = [item for item in items if item not in (first, wrong_kept)]

    # 1. Answers saved, one of them changed, then the server dies between two saves; the next save
    #    fails to connect (the page keeps it and retries).
    officer.save(first["id"], wrong(first))
    officer.save(wrong_kept["id"], wrong(wrong_kept))
    officer.save(rest[0]["id"], rest[0]["right"])
    officer.save(first["id"], first["right"])
    server.kill()
    with pytest.raises(requests.ConnectionError):
        officer.send(rest[1]["id"], rest[1]["right"])
    server.start()
    still_in_progress(officer.status())

    # 2. Back up, the same session saves on; the server dies right after acknowledging a save.
    officer.save(rest[1]["id"], rest[1]["right"])
    officer.save(rest[2]["id"], wrong(rest[2]))
    officer.save(rest[2]["id"], rest[2]["right"])
    officer.save(rest[3]["id"], rest[3]["right"])
    server.kill()
    stored = inspect()  # read from the database while no server runs
    assert_acknowledged_stored(stored, officer)
    still_in_progress(stored)
    server.start()

    # 3. The server dies with a save on the wire: stored or not, the page sends it again with the
    #    same sequence number, and it ends up stored once, with that number.
    officer.seq += 1
    flight_seq = officer.seq
    outcome: dict = {}

    def in_flight():
        try:
            outcome["reply"] = officer.send(rest[4]["id"], rest[4]["right"], seq=flight_seq)
        except requests.ConnectionError as error:
            outcome["error"] = error

    sender = threading.Thread(target=in_flight)
    sender.start()
    time.sleep(0.02)
    server.kill()
    sender.join(timeout=30)
    assert outcome, "the save on the wire neither failed nor got an answer"
    if "reply" in outcome:
        assert outcome["reply"].status_code == 200 and outcome["reply"].json()["saved"] is True
    server.start()
    retried = officer.send(rest[4]["id"], rest[4]["right"], seq=flight_seq)
    assert retried.status_code == 200
    assert retried.json()["seq"] == flight_seq  # saved now, or already stored before the kill (saved: false)
    officer.acknowledged[rest[4]["id"]] = (flight_seq, rest[4]["right"])

    # 4. The last answer; the paper opens with the same deadline; the hand-in grades what is stored.
    officer.save(rest[5]["id"], rest[5]["right"])
    stored = inspect()
    assert_acknowledged_stored(stored, officer)
    assert len(stored["answers"]) == len(items)
    after = officer.status()
    still_in_progress(after)
    assert after["remaining_seconds"] <= before["remaining_seconds"]
    page = officer.http.get(officer.url(f"/exams/attempts/{officer.attempt_pk}/"), timeout=10)
    assert page.status_code == 200 and 'id="take-timer"' in page.text

    handed_in = officer.http.post(
        officer.url(f"/exams/attempts/{officer.attempt_pk}/submit/"),
        data={"csrfmiddlewaretoken": officer.http.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=20,
    )
    assert handed_in.status_code == 302
    assert handed_in.headers["Location"] == f"/exams/attempts/{officer.attempt_pk}/result/"
    graded = inspect()
    assert graded["state"] in {AttemptState.GRADED, AttemptState.RELEASED}
    assert Decimal(graded["score"]) == 100 - Decimal(wrong_kept["points"])
    assert server.starts == 4
