#!/usr/bin/env python3
"""The city topology on one machine, with the real components (`make stack`).

nginx (deploy/nginx/fazhi.conf, the file docs/DEPLOY.md tells operators to install) in front of two
or more gunicorn app servers (separate processes on separate ports, production settings), the
PostgreSQL server on 127.0.0.1:5432 with a database of the stack's own, Redis as django-q2 broker
and shared cache, and one or more ``qcluster`` workers. Before the servers start: the database is
created if missing, migrated, given the demo data and the schedules; static files are collected.

The one difference from production: nginx listens on 127.0.0.1 without TLS. Its configuration
still tells Django that every request came over TLS (``X-Forwarded-Proto: https``, as the TLS
terminator does in production), so production settings run unchanged: Secure cookies, HSTS, the
HTTPS redirect for anything that bypasses nginx. Browsers count http://127.0.0.1 as a secure
context and keep Secure cookies from it (tests/browser/test_stack_exam.py signs in that way).

Also a small API for tests and the load and fault scripts::

    from deploy.stack import Stack, StackConfig
    with Stack(StackConfig(nginx_port=18080, app_ports=(18101, 18102), database="fazhi_stack_test",
                           redis_url="redis://127.0.0.1:6379/5", fresh=True)) as stack:
        stack.url                      # http://127.0.0.1:18080 (nginx)
        stack.app_servers              # [AppServer(port=18101, pid=…), …]; kill -9 one:
        stack.kill_app_server(0)       # … and stack.start_app_server(0) brings it back
        stack.manage("shell", "-c", …)  # manage.py with the stack's environment
        stack.restart_redis()          # only when the stack started its own redis-server

Every child runs in a process group of its own and is told to die with this process; ``stop()``
(Ctrl-C, SIGTERM, the end of a ``with`` block) ends them all, nginx first, then the app servers and
workers, then a redis-server the stack started itself.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = ROOT / "deploy" / "nginx" / "fazhi.conf"
GUNICORN_CONF = ROOT / "bench" / "gunicorn.conf.py"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


class StackError(RuntimeError):
    """The stack cannot start: a component is missing or did not come up (the message says which)."""


@dataclasses.dataclass
class StackConfig:
    nginx_port: int = 8080
    app_ports: tuple[int, ...] = (8101, 8102)
    # The PostgreSQL server (without a database name) and the stack's database on it.
    postgres: str = "postgres://postgres@127.0.0.1:5432"
    database: str = "fazhi_stack"
    redis_url: str = "redis://127.0.0.1:6379/4"
    # Where logs, static files, media and nginx's runtime files go.
    run_dir: Path = ROOT / "data" / "stack"
    gunicorn_workers: int = 2
    qclusters: int = 1
    # Drop and recreate the database and empty the Redis database first (tests).
    fresh: bool = False
    demo_data: bool = True
    # Extra environment for every Django process (e.g. PORTAL_EXPORT_INLINE_ROWS=0).
    env: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> StackConfig:
        """`make stack`'s settings: STACK_PORT, STACK_APP_PORTS (comma-separated), STACK_DATABASE,
        STACK_REDIS_URL, STACK_POSTGRES, STACK_DIR, STACK_WORKERS (gunicorn workers per app server),
        STACK_QCLUSTERS."""
        config = cls()
        env = os.environ
        if "STACK_PORT" in env:
            config.nginx_port = int(env["STACK_PORT"])
        if "STACK_APP_PORTS" in env:
            config.app_ports = tuple(int(port) for port in env["STACK_APP_PORTS"].split(",") if port.strip())
        config.database = env.get("STACK_DATABASE", config.database)
        config.redis_url = env.get("STACK_REDIS_URL", config.redis_url)
        config.postgres = env.get("STACK_POSTGRES", config.postgres).rstrip("/")
        if "STACK_DIR" in env:
            config.run_dir = Path(env["STACK_DIR"])
        config.gunicorn_workers = int(env.get("STACK_WORKERS", config.gunicorn_workers))
        config.qclusters = int(env.get("STACK_QCLUSTERS", config.qclusters))
        return config


@dataclasses.dataclass
class AppServer:
    port: int
    process: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        """The gunicorn master's pid (kill -9 it to kill the app server; its workers follow)."""
        return self.process.pid if self.process else None

    @property
    def name(self) -> str:
        return f"app-{self.port}"


# --- small helpers --------------------------------------------------------------------------


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    with socket.socket() as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((path for path in NGINX_CANDIDATES if os.access(path, os.X_OK)), None)


def _die_with_parent() -> None:
    """In the child before exec: its own process group (Ctrl-C reaches only the launcher, which
    stops everything in order) and SIGTERM when the launcher dies, so nothing is orphaned.
    The kernel sends that signal when the *thread* that started the child ends: start processes
    from the main thread or from one that lives as long as the stack (bench/stack_faults.py)."""
    os.setsid()
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _get(host: str, port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 3.0):
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _gunicorn_has_control_socket() -> bool:
    """gunicorn 25+ opens a control socket, by default at one path per user."""
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == "control_socket" for setting in KNOWN_SETTINGS)


def _static_fingerprint() -> str:
    """What collectstatic's output depends on: the repository's static files and the installed
    packages that ship static files. Unchanged, the collected files (and their manifest) are reused:
    collectstatic with compression takes about a minute of CPU."""
    digest = hashlib.sha256()
    folders = sorted(
        folder for top in ("site", "courses", "exams", "certification") for folder in (ROOT / top).glob("**/static")
    )
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(ROOT)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    from importlib import metadata

    for package in ("django", "wagtail", "whitenoise"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{package}={metadata.version(package)}\n".encode())
    return digest.hexdigest()


# --- the stack ------------------------------------------------------------------------------


class Stack:
    def __init__(self, config: StackConfig | None = None, *, echo=None):
        self.config = config or StackConfig.from_environment()
        self.run_dir = Path(self.config.run_dir).resolve()
        self.logs = self.run_dir / "logs"
        self.app_servers = [AppServer(port) for port in self.config.app_ports]
        self.workers: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.redis: subprocess.Popen | None = None  # only when the stack started its own
        self.timings: dict[str, float] = {}
        self._echo = echo or (lambda text: print(text, flush=True))
        redis = urlsplit(self.config.redis_url)
        self.redis_host, self.redis_port = redis.hostname or "127.0.0.1", redis.port or 6379
        self.redis_db = int(redis.path.lstrip("/") or 0)

    # Addresses -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The platform as a browser reaches it: nginx."""
        return f"http://127.0.0.1:{self.config.nginx_port}"

    @property
    def database_url(self) -> str:
        return f"{self.config.postgres}/{self.config.database}"

    @property
    def env(self) -> dict[str, str]:
        """The environment of every Django process of the stack (production settings)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SQLITE_", "GUNICORN_", "PYTEST_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=self._secret_key(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            BASE_URL=self.url,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.config.redis_url,
            DATA_DIR=str(self.run_dir / "data"),
            MEDIA_ROOT=str(self.run_dir / "media"),
            STATIC_ROOT=str(self.run_dir / "static"),
            TRUSTED_PROXY_COUNT="1",
            DEMO_DATA_ALLOWED="1",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.config.env)
        return env

    def _secret_key(self) -> str:
        path = self.run_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    # Life cycle ------------------------------------------------------------------------------
    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Prepare (database, Redis, migrations, demo data, static files), then start the servers."""
        began = time.monotonic()
        self.check_requirements()
        if self.config.fresh:  # last run's logs and files belong to the database being dropped
            for folder in (self.logs, self.run_dir / "media", self.run_dir / "data"):
                shutil.rmtree(folder, ignore_errors=True)
        for folder in (self.run_dir, self.logs, self.run_dir / "media", self.run_dir / "data"):
            folder.mkdir(parents=True, exist_ok=True)
        self._ensure_redis()
        self._prepare()
        self.timings["prepare"] = time.monotonic() - began
        servers = time.monotonic()
        for index in range(len(self.app_servers)):
            self.start_app_server(index, wait=False)
        for _ in range(self.config.qclusters):
            self.workers.append(
                self._spawn(f"qcluster-{len(self.workers) + 1}", [sys.executable, "manage.py", "qcluster"])
            )
        for index in range(len(self.app_servers)):
            self.wait_app_server(index)
        self._start_nginx()
        self.timings["servers"] = time.monotonic() - servers
        self.timings["total"] = time.monotonic() - began
        (self.logs / "timings.json").write_text(json.dumps(self.timings, indent=1))

    def check_requirements(self) -> None:
        if not nginx_binary():
            raise StackError(
                "nginx is not installed (Debian: apt-get install nginx-light; `make stack` does it as root)."
            )
        if not port_open("127.0.0.1", 5432) and "127.0.0.1:5432" in self.config.postgres:
            raise StackError("PostgreSQL is not answering on 127.0.0.1:5432 (Debian: apt-get install postgresql).")
        if not port_open(self.redis_host, self.redis_port) and not shutil.which("redis-server"):
            raise StackError(
                f"Redis is not answering on {self.redis_host}:{self.redis_port} and redis-server is not installed "
                "(Debian: apt-get install redis-server)."
            )
        busy = [port for port in (self.config.nginx_port, *self.config.app_ports) if port_open("127.0.0.1", port)]
        if busy:
            raise StackError(f"Port(s) {', '.join(map(str, busy))} already in use on 127.0.0.1.")

    def _ensure_redis(self) -> None:
        """The Redis at redis_url; when none answers there, a redis-server of the stack's own."""
        if not port_open(self.redis_host, self.redis_port):
            self._start_redis()
        elif self.config.fresh:
            self._redis_command("FLUSHDB")

    def _start_redis(self) -> None:
        folder = self.run_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        command = [
            shutil.which("redis-server") or "redis-server",
            "--bind", self.redis_host, "--port", str(self.redis_port), "--dir", str(folder),
            "--save", "", "--appendonly", "no", "--daemonize", "no",
        ]  # fmt: skip
        self.redis = self._spawn("redis", command)
        self._wait(lambda: port_open(self.redis_host, self.redis_port), "redis-server", self.redis, 15)

    def restart_redis(self) -> None:
        """Stop and start the stack's own redis-server (queued tasks and cached figures are lost, as
        in a real restart without persistence). Refused for a Redis the stack did not start."""
        if self.redis is None:
            raise StackError("This stack uses a Redis it did not start; restart that one with its own service manager.")
        self._terminate(self.redis, "redis", timeout=10)
        self._start_redis()

    def _redis_command(self, *words: str) -> str:
        """One command to the stack's Redis database (RESP over a socket: no client needed here)."""
        with socket.create_connection((self.redis_host, self.redis_port), timeout=5) as sock:
            payload = b""
            for command in (("SELECT", str(self.redis_db)), words):
                payload += f"*{len(command)}\r\n".encode()
                for word in command:
                    data = word.encode()
                    payload += b"$%d\r\n%s\r\n" % (len(data), data)
            sock.sendall(payload)
            time.sleep(0.1)
            return sock.recv(65536).decode(errors="replace")

    def _prepare(self) -> None:
        """Static files in parallel with the database work (collectstatic needs no database)."""
        self._ensure_database()
        fingerprint = _static_fingerprint()
        marker = self.run_dir / "static" / ".fingerprint"
        collect = None
        if not (marker.exists() and marker.read_text() == fingerprint):
            collect = self._spawn("collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"])
        steps = [("migrate", ["migrate", "--noinput"])]
        if self.config.demo_data:
            steps.append(("seed_demo", ["seed_demo"]))
        steps.append(("setup_schedules", ["setup_schedules"]))
        for name, args in steps:
            began = time.monotonic()
            self._echo(f"stack: manage.py {' '.join(args)}")
            self._run(name, [sys.executable, "manage.py", *args])
            self.timings[name] = time.monotonic() - began
        if collect is not None:
            if collect.wait() != 0:
                raise StackError(f"collectstatic failed; see {self.logs / 'collectstatic.log'}")
            marker.write_text(fingerprint)

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.config.postgres}/postgres", autocommit=True) as connection:
            name = self.config.database
            quoted = '"' + name.replace('"', '""') + '"'
            if self.config.fresh:
                connection.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {quoted}")

    def manage(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """``manage.py`` with the stack's environment (production settings, its database and Redis)."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    # App servers -----------------------------------------------------------------------------
    def start_app_server(self, index: int, *, wait: bool = True) -> AppServer:
        server = self.app_servers[index]
        if server.process is not None:
            # What is left of its last run: after a kill -9 of the master its gthread workers
            # finish their kept-alive connections (up to graceful_timeout) and hold the port
            # meanwhile. A service manager ends the whole group on a restart; so does this.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(server.process.pid, signal.SIGKILL)
        command = [
            sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--pythonpath", "site", "config.wsgi",
            "--bind", f"127.0.0.1:{server.port}", "--workers", str(self.config.gunicorn_workers),
            "--name", f"fazhi-{server.port}",
        ]  # fmt: skip
        if _gunicorn_has_control_socket():
            # One control socket per app server (the default path is one per user, shared).
            command += ["--control-socket", str(self.run_dir / f"gunicorn-{server.port}.ctl")]
        server.process = self._spawn(server.name, command)
        if wait:
            self.wait_app_server(index)
        return server

    def wait_app_server(self, index: int, timeout: float = 60) -> None:
        server = self.app_servers[index]
        self._wait(lambda: self._healthy(server.port), server.name, server.process, timeout)

    def kill_app_server(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Kill one app server's gunicorn master (kill -9 by default), as a crash would; its workers
        notice the master is gone and exit."""
        server = self.app_servers[index]
        if server.process is not None and server.process.poll() is None:
            os.kill(server.process.pid, sig)
            server.process.wait(timeout=30)

    def _healthy(self, port: int) -> bool:
        try:
            status, _ = _get("127.0.0.1", port, "/healthz", {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
        except OSError:
            return False
        return status == 200

    # nginx -----------------------------------------------------------------------------------
    def nginx_config(self) -> Path:
        """nginx.conf for the stack: the main context around deploy/nginx/fazhi.conf (included as
        it is) and the two per-installation files it includes, written here."""
        folder = self.run_dir / "nginx"
        (folder / "fazhi").mkdir(parents=True, exist_ok=True)
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / "temp" / temp).mkdir(parents=True, exist_ok=True)
            # nginx's workers run as an unprivileged user when the master is root.
            (folder / "temp" / temp).chmod(0o777)
        (folder / "temp").chmod(0o777)
        upstream = "".join(
            f"server 127.0.0.1:{server.port} max_fails=1 fail_timeout=10s;\n" for server in self.app_servers
        )
        (folder / "fazhi" / "upstream.conf").write_text("# Written by deploy/stack.py.\n" + upstream)
        (folder / "fazhi" / "server.conf").write_text(
            "# Written by deploy/stack.py. The one difference from production: a loopback listener\n"
            "# without TLS. fazhi.conf still says X-Forwarded-Proto https, as the TLS terminator would.\n"
            f"listen 127.0.0.1:{self.config.nginx_port};\n"
            "server_name 127.0.0.1 localhost;\n"
        )
        temp = folder / "temp"
        main = f"""# Written by deploy/stack.py for `make stack`; the site itself is {NGINX_SITE}.
daemon off;
worker_processes 2;
pid {folder / "nginx.pid"};
error_log {self.logs / "nginx-error.log"} warn;
{"user nobody nogroup;" if os.geteuid() == 0 else ""}
events {{
    worker_connections 4096;
}}
http {{
    access_log {self.logs / "nginx-access.log"};
    client_body_temp_path {temp / "client_body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    types {{ }}
    default_type application/octet-stream;
    include {NGINX_SITE};
}}
"""
        path = folder / "nginx.conf"
        path.write_text(main)
        return path

    def _start_nginx(self) -> None:
        config = self.nginx_config()
        nginx = nginx_binary()
        prefix = str(config.parent) + "/"
        test = subprocess.run([nginx, "-t", "-q", "-p", prefix, "-c", str(config)], capture_output=True, text=True)
        if test.returncode != 0:
            raise StackError(f"nginx refused its configuration:\n{test.stderr}")
        self.nginx = self._spawn("nginx", [nginx, "-p", prefix, "-c", str(config)])
        self._wait(lambda: self._through_nginx_ok(), "nginx", self.nginx, 15)

    def _through_nginx_ok(self) -> bool:
        try:
            status, _ = _get("127.0.0.1", self.config.nginx_port, "/healthz")
        except OSError:
            return False
        return status == 200

    # Processes -------------------------------------------------------------------------------
    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        try:
            return subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
            )
        finally:
            log.close()

    def _run(self, name: str, command: list[str]) -> None:
        process = self._spawn(name, command)
        if process.wait() != 0:
            raise StackError(f"{' '.join(command[1:])} failed; see {self.logs / f'{name}.log'}")

    def _wait(self, ready, name: str, process: subprocess.Popen | None, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if process is not None and process.poll() is not None:
                raise StackError(f"{name} exited with {process.returncode}; see {self.logs / (name + '.log')}")
            time.sleep(0.2)
        raise StackError(f"{name} did not come up within {timeout:.0f} s; see {self.logs}")

    def processes(self) -> dict[str, subprocess.Popen]:
        found = {server.name: server.process for server in self.app_servers if server.process}
        found |= {f"qcluster-{number}": worker for number, worker in enumerate(self.workers, 1)}
        if self.nginx:
            found["nginx"] = self.nginx
        if self.redis:
            found["redis"] = self.redis
        return found

    def _terminate(self, process: subprocess.Popen, name: str, *, timeout: float, sig=signal.SIGTERM) -> None:
        """Signal the process group, wait, then SIGKILL the group."""
        self._signal_group(process, sig)
        self._reap(process, name, time.monotonic() + timeout)

    @staticmethod
    def _signal_group(process: subprocess.Popen, sig: int) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)

    def _reap(self, process: subprocess.Popen, name: str, deadline: float) -> None:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._echo(f"stack: {name} did not stop in time; killing it")
        # Whatever is left of the group (gunicorn workers, qcluster children) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def stop(self) -> None:
        """nginx first (no new requests), then the app servers and workers together, then Redis.
        gunicorn finishes its requests; django-q2 can hang after logging "stopping" (django-q2
        issue #346), so whatever is still running after 20 s is killed."""
        if self.nginx:
            self._terminate(self.nginx, "nginx", timeout=5, sig=signal.SIGQUIT)
            self.nginx = None
        others = [(server.name, server.process) for server in self.app_servers if server.process]
        others += [(f"qcluster-{number}", worker) for number, worker in enumerate(self.workers, 1)]
        for _, process in others:
            # The gunicorn master and the qcluster parent stop their own children in order.
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in others:
            self._reap(process, name, deadline)
        for server in self.app_servers:
            server.process = None
        self.workers = []
        if self.redis:
            self._terminate(self.redis, "redis", timeout=10)
            self.redis = None

    def exited(self) -> list[str]:
        """Names of the stack's processes that have ended on their own."""
        return [name for name, process in self.processes().items() if process.poll() is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the stack's database first")
    parser.add_argument("--no-demo", action="store_true", help="skip seed_demo")
    args = parser.parse_args(argv)
    config = StackConfig.from_environment()
    config.fresh, config.demo_data = args.fresh, not args.no_demo
    stack = Stack(config)
    stopping = {"now": False}

    def on_signal(signum, frame):
        if not stopping["now"]:
            stopping["now"] = True
            raise KeyboardInterrupt

    # Ctrl-C, `kill`, a closed terminal: all stop the stack. SIGINT is set explicitly because a
    # shell starting this in the background leaves it ignored.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        stack.start()
        servers = ", ".join(f"127.0.0.1:{s.port} (pid {s.pid})" for s in stack.app_servers)
        print(
            f"\nThe stack is up in {stack.timings['total']:.0f} s "
            f"(prepare {stack.timings['prepare']:.0f} s, servers {stack.timings['servers']:.0f} s).\n"
            f"  open           {stack.url}/  (demo accounts: README.md, password Demo@2026)\n"
            f"  nginx          {stack.url} -> {servers}\n"
            f"  PostgreSQL     {stack.database_url}\n"
            f"  Redis          {config.redis_url}{' (started by the stack)' if stack.redis else ''}\n"
            f"  task workers   {len(stack.workers)} qcluster\n"
            f"  logs           {stack.logs}\n"
            "Ctrl-C stops all of it.",
            flush=True,
        )
        while not (gone := stack.exited()):
            time.sleep(1)
        print(f"stack: {', '.join(gone)} exited on its own; stopping the rest (logs in {stack.logs}).", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstack: stopping …", flush=True)
        return 0
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        print("stack: stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
