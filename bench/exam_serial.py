"""Server CPU per exam request through the real server: one sync gunicorn worker, requests one
after another over HTTP, the worker's CPU (user and system, from /proc) divided by the requests.

``bench/exam_cpu.py`` measures in-process through Django's test client, which misses what only a
real server pays (it did not show the 6 ms a new SQLite connection cost every request); this
script measures what the capacity figures in docs/PERFORMANCE.md are derived from. It builds the
data of ``bench/exam_load.py`` (bank, blueprint, officers, exam, papers drawn ahead, signed-in
sessions) in a throwaway SQLite database with the production settings.

Usage: python bench/exam_serial.py [--examinees 20] [--saves 600]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import exam_load  # noqa: E402  (the load bench's data builders and server)


class Server:
    """The gunicorn server and one keep-alive connection to it."""

    def __init__(self, port: int, master: int) -> None:
        self.port, self.master = port, master
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def cpu(self) -> tuple[float, float]:
        """(user, system) CPU seconds of gunicorn's master and worker."""
        user = system = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry.name) == self.master or int(fields[1]) == self.master:
                user, system = user + int(fields[11]), system + int(fields[12])
        tick = os.sysconf("SC_CLK_TCK")
        return user / tick, system / tick

    def request(self, method: str, path: str, cookies: dict, body: str | None = None, json_body: bool = False):
        headers = {"X-Forwarded-Proto": "https", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if method == "POST":
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = headers["Origin"] + path
            headers["X-CSRFToken"] = cookies.get("csrftoken", "")
            headers["Content-Type"] = "application/json" if json_body else "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";")[0].split("=", 1)
            cookies[name] = value
        return response.status, text, response


def measure(server: Server, label: str, count: int, call) -> None:
    (user, system), began = server.cpu(), time.perf_counter()
    for n in range(count):
        call(n)
    time.sleep(0.3)  # /proc's counters move in ticks
    after_user, after_system = server.cpu()
    per = lambda value: value / count * 1000  # noqa: E731
    print(
        f"{label:<12} {count:>5}  server CPU {per(after_user + after_system - user - system):6.1f} ms "
        f"(user {per(after_user - user):5.1f}, system {per(after_system - system):4.1f})  "
        f"wall {per(time.perf_counter() - began):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examinees", type=int, default=20)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--saves", type=int, default=600)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fazhi-exam-serial-"))
    port = exam_load.free_port()
    env = exam_load.production_environment(folder, port)
    exam_load.django_setup(env)
    exam_load.prepare_database()
    exam_pk = exam_load.build_exam(examinees=args.examinees, questions=args.questions, bank_per_type=500, seed=1)
    exam_load.draw_ahead(exam_pk)
    sessions = exam_load.signed_in_sessions(args.examinees)
    urls = exam_load.url_patterns(exam_pk)
    from django.db import connections

    connections.close_all()
    options = argparse.Namespace(
        gunicorn_config=exam_load.BENCH / "gunicorn.conf.py", workers=1, worker_class="sync", threads=1
    )
    process = exam_load.start_gunicorn(env, port, options, folder / "gunicorn.log")
    try:
        exam_load.wait_until_up(port, process, folder / "gunicorn.log")
        server = Server(port, process.pid)
        people = [{sessions["cookie"]: sessions[exam_load.police_number(n)]} for n in range(args.examinees)]
        attempts: dict[int, int] = {}

        def start(n: int) -> None:
            cookies = people[n]
            status, text, response = server.request(
                "POST", urls["start"], cookies, body=f"csrfmiddlewaretoken={cookies['csrftoken']}"
            )
            assert status == 302, (status, text[:200])
            attempts[n] = int(re.search(r"/(\d+)/$", response.headers["Location"]).group(1))

        def paper(n: int) -> None:
            assert server.request("GET", urls["take"].format(attempt=attempts[n]), people[n])[0] == 200

        measure(server, "rules page", args.examinees, lambda n: server.request("GET", urls["start"], people[n]))
        measure(server, "start", args.examinees, start)
        measure(server, "paper", args.examinees, paper)
        items = {n: exam_load.read_items(attempts[n]) for n in range(args.examinees)}
        rng = random.Random(1)

        def save(k: int) -> None:
            n = k % args.examinees
            item = items[n][(k // args.examinees) % len(items[n])]
            body = json.dumps({"item": item.pk, "response": exam_load.response_for(item, rng), "seq": k + 1})
            status, text, _ = server.request(
                "POST", urls["save"].format(attempt=attempts[n]), people[n], body=body, json_body=True
            )
            assert status == 200, text[:300]

        def poll(k: int) -> None:
            n = k % args.examinees
            assert server.request("GET", urls["status"].format(attempt=attempts[n]), people[n])[0] == 200

        def submit(n: int) -> None:
            cookies = people[n]
            body = f"csrfmiddlewaretoken={cookies['csrftoken']}"
            assert server.request("POST", urls["submit"].format(attempt=attempts[n]), cookies, body=body)[0] == 302

        measure(server, "autosave", args.saves, save)
        measure(server, "status poll", args.saves, poll)
        measure(server, "submit", args.examinees, submit)
        measure(server, "bare view", args.saves, lambda k: server.request("GET", urls["healthz"], {}))
    finally:
        exam_load.stop_gunicorn(process)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
