"""Settings from the environment: nonsense fails at start-up, the documented variables work.

Settings are evaluated when their module is imported, so the production checks run a fresh
interpreter with exactly the environment under test.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, env_bool, env_int, env_list, env_str, redis_from_url

ROOT = Path(__file__).resolve().parent.parent
# Variables a developer's shell, CI or tests/conftest.py (DJANGO_ALLOW_ASYNC_UNSAFE) may have set
# that would change what is under test.
_CONFIG_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "BASE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "CSRF_TRUSTED_ORIGINS",
    "DEMO_DATA_ALLOWED",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
}


# --- helpers -----------------------------------------------------------------------------------


def test_env_bool_rejects_a_word_it_does_not_understand(monkeypatch):
    monkeypatch.setenv("X", "maybe")

    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        env_bool("X")
    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        env_bool("X", False)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("Yes", True), ("on", True), ("0", False), ("off", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X", raw)

    assert env_bool("X", not expected) is expected


def test_unset_variable_gives_the_default_or_is_required_when_there_is_none(monkeypatch):
    monkeypatch.delenv("X", raising=False)

    assert env_bool("X", True) is True
    assert env_int("X", 7) == 7
    with pytest.raises(ImproperlyConfigured, match="X is required"):
        env_bool("X")
    with pytest.raises(ImproperlyConfigured, match="X is required"):
        env_int("X")
    with pytest.raises(ImproperlyConfigured, match="X is required"):
        env_str("X")


def test_env_int_rejects_a_non_number_and_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("X", 1)

    monkeypatch.setenv("X", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X", 5, minimum=1)

    monkeypatch.setenv("X", "42")
    assert env_int("X", 5, minimum=1) == 42


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("X", " a.example , b.example,, ")

    assert env_list("X", []) == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@db/fazhi", "scheme 'mysql' is not supported"),
        ("sqlite:///data/db.sqlite3", "scheme 'sqlite' is not supported"),
        ("postgres://postgres@db:5432/", "must name a database"),
        ("postgres://postgres@db:port/fazhi", "invalid port"),
    ],
)
def test_database_url_nonsense_is_refused(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


def test_database_url_gives_a_postgresql_connection():
    config = database_from_url("postgresql://fazhi:p%40ss@db.internal:6432/fazhi_city?sslmode=require")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("fazhi_city", "fazhi", "p@ss")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6432")
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["http://cache:6379/0", "redis://cache:6379/queue", "redis://cache:port/0"])
def test_redis_url_nonsense_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        redis_from_url(url)


def test_redis_url_error_does_not_print_the_password():
    with pytest.raises(ImproperlyConfigured) as error:
        redis_from_url("redis://:hunter2-secret@cache:63x9/0")

    assert "hunter2-secret" not in str(error.value)


def test_redis_url_gives_connection_keywords():
    assert redis_from_url("rediss://worker:s3cret@cache.internal:6380/2") == {
        "host": "cache.internal",
        "port": 6380,
        "db": 2,
        "username": "worker",
        "password": "s3cret",
        "ssl": True,
    }
    assert redis_from_url("redis://cache") == {"host": "cache", "port": 6379, "db": 0}


# --- production settings in a fresh interpreter -------------------------------------------------


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _CONFIG_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        PYTHONPATH=os.pathsep.join([str(ROOT / "site"), str(ROOT)]),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="fazhi.branch.example",
        BASE_URL="https://fazhi.branch.example",
        DATA_DIR=str(tmp_path),
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def production_settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=str))"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = run_python("from django.conf import settings; settings.DEBUG", env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Environment variable SECRET_KEY is required." in result.stderr


def test_production_settings_refuse_a_short_secret_key_and_missing_hosts(tmp_path):
    short = run_python(
        "from django.conf import settings; settings.DEBUG", production_env(tmp_path, SECRET_KEY="x" * 20)
    )
    no_hosts = run_python(
        "from django.conf import settings; settings.DEBUG", production_env(tmp_path, ALLOWED_HOSTS="")
    )

    assert "SECRET_KEY must be at least 50 random characters" in short.stderr
    assert "ALLOWED_HOSTS is required" in no_hosts.stderr


def test_check_deploy_is_clean_with_the_documented_variables(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_database_url_switches_production_to_postgresql(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://fazhi:secret@db.internal:5432/fazhi_province")

    databases = production_settings(env, "DATABASES")["DATABASES"]

    assert databases["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert databases["default"]["NAME"] == "fazhi_province"


def test_without_database_url_a_branch_runs_on_sqlite_in_the_data_folder(tmp_path):
    databases = production_settings(production_env(tmp_path), "DATABASES")["DATABASES"]

    assert databases["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert databases["default"]["NAME"] == str(tmp_path / "db.sqlite3")


def test_redis_url_switches_the_task_queue_to_redis(tmp_path):
    with_redis = production_settings(production_env(tmp_path, REDIS_URL="redis://cache.internal:6379/1"), "Q_CLUSTER")
    without = production_settings(production_env(tmp_path), "Q_CLUSTER")

    assert with_redis["Q_CLUSTER"]["redis"] == {"host": "cache.internal", "port": 6379, "db": 1}
    assert "orm" not in with_redis["Q_CLUSTER"]
    assert without["Q_CLUSTER"]["orm"] == "default"
    assert "redis" not in without["Q_CLUSTER"]


def test_redis_url_gives_every_app_server_one_shared_cache(tmp_path):
    with_redis = production_settings(production_env(tmp_path, REDIS_URL="redis://cache.internal:6379/1"), "CACHES")
    without = production_settings(production_env(tmp_path), "CACHES")

    assert with_redis["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert with_redis["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/1"
    assert without["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_production_keeps_demo_data_out_unless_asked(tmp_path):
    assert production_settings(production_env(tmp_path), "DEMO_DATA_ALLOWED") == {"DEMO_DATA_ALLOWED": False}
    assert production_settings(production_env(tmp_path, DEMO_DATA_ALLOWED="yes"), "DEMO_DATA_ALLOWED") == {
        "DEMO_DATA_ALLOWED": True
    }
