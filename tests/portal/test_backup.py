"""Backups that restore (issue 15, item 5): `manage.py backup` and `manage.py restore`.

The round trips run the real commands in subprocesses on databases of the test's own (the
settings of ``make run``, ``tests.exams.restart_support``): a SQLite file, or PostgreSQL databases
created beside the suite's when the suite runs on PostgreSQL. The source database is migrated and
given two officers' qualification exam (graded attempts, answers, a qualification, audit entries)
and an uploaded file; it is backed up once per module; each test restores into a database of its
own that starts empty (no tables). About 60 s: a dozen Django commands in subprocesses.

Rotation, the schedule and how a nightly failure is reported run in the test process.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from portal.models import AuditEntry, Notification
from portal.selectors.audit_display import audit_lines
from portal.services.backups import BackupError, backup_create, backups_list
from portal.tasks import run_backup
from tests.exams.restart_support import ROOT, ServerDatabase, migrations_key, run

POSTGRES = not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
COUNTED = ["people.User", "exams.Attempt", "exams.Answer", "certification.Qualification", "portal.AuditEntry"]


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def inspect(database: ServerDatabase) -> dict:
    return json.loads(run(database.env, "-m", "tests.portal.backup_support", "inspect"))


def new_database(folder: Path) -> ServerDatabase:
    folder.mkdir(parents=True)
    return ServerDatabase.create(folder, settings.DATABASES["default"])


def table_count(database: ServerDatabase) -> int:
    code = "from portal.services.backups import _database; print(_database().table_count())"
    return int(run(database.env, "manage.py", "shell", "-c", code).split()[-1])


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The branch's database with records, and one backup of it."""
    folder = tmp_path_factory.mktemp("backup")
    database = new_database(folder / "source")
    try:
        database.migrate(migrations_key())
        run(database.env, "-m", "tests.portal.backup_support", "prepare", timeout=120)
        records = inspect(database)
        done = manage(database.env, "backup")
        assert done.returncode == 0, done.stderr
        (backup,) = (b.path for b in backups_list(folder / "source" / "backups"))
        yield database, records, backup
    finally:
        database.drop()


@pytest.fixture
def target(tmp_path):
    database = new_database(tmp_path / "target")
    yield database
    database.drop()


def test_a_backup_restores_into_an_empty_database_with_the_same_records(source, target):
    database, records, backup = source
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["vendor"] == ("postgresql" if POSTGRES else "sqlite")
    assert sorted(manifest["files"]) == sorted(
        ["database.pgdump" if POSTGRES else "database.sqlite3.gz", "media.tar.gz"]
    )
    assert {label: entry["rows"] for label, entry in manifest["counts"].items()} == records["counts"]
    assert records["counts"]["exams.Attempt"] == 2 and records["counts"]["exams.Answer"] == 8
    assert records["counts"]["certification.Qualification"] == 1
    assert manifest["migrations"]["latest"]["exams"]
    assert table_count(target) == 0

    done = manage(target.env, "restore", str(backup))

    assert done.returncode == 0, done.stderr
    restored = inspect(target)
    assert restored["attempts"] == records["attempts"]
    assert [a[3:] for a in restored["attempts"]] == [["100.00", True], ["0.00", False]]
    assert restored["answers"] == records["answers"]
    assert restored["qualifications"] == records["qualifications"]
    assert restored["qualifications"][0][:3] == ["270001", "basic", "valid"]
    assert restored["media"] == records["media"]
    assert any(name.endswith("备份测试.txt") for name in restored["media"])
    # Every audit entry of the backup, then the restore's own.
    assert restored["audit"][: len(records["audit"])] == records["audit"]
    assert [entry[0] for entry in restored["audit"][len(records["audit"]) :]] == ["portal.backup.restored"]
    assert restored["counts"] == {**records["counts"], "portal.AuditEntry": records["counts"]["portal.AuditEntry"] + 1}


def test_a_database_that_is_not_empty_is_replaced_only_with_force(source, target):
    _database, records, backup = source
    assert manage(target.env, "restore", str(backup)).returncode == 0

    refused = manage(target.env, "restore", str(backup))

    assert refused.returncode == 1
    assert "--force" in refused.stderr and "不是空的" in refused.stderr
    forced = manage(target.env, "restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    # Replaced, not added to: the first restore's audit entry went with the old contents.
    restored = inspect(target)
    assert restored["attempts"] == records["attempts"]
    assert [entry[0] for entry in restored["audit"][len(records["audit"]) :]] == ["portal.backup.restored"]


@pytest.mark.parametrize("damage", ["flipped byte", "cut off", "no manifest", "vendor"])
def test_a_damaged_backup_is_refused_and_changes_nothing(source, target, tmp_path, damage):
    _database, _records, backup = source
    copy = tmp_path / backup.name
    shutil.copytree(backup, copy)
    database_file = copy / ("database.pgdump" if POSTGRES else "database.sqlite3.gz")
    data = bytearray(database_file.read_bytes())
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
        database_file.write_bytes(data)
    elif damage == "cut off":
        database_file.write_bytes(data[: len(data) // 3])
    elif damage == "no manifest":
        (copy / "manifest.json").unlink()
    else:
        manifest = json.loads((copy / "manifest.json").read_text())
        manifest["vendor"] = "sqlite" if POSTGRES else "postgresql"
        (copy / "manifest.json").write_text(json.dumps(manifest))

    refused = manage(target.env, "restore", str(copy))

    assert refused.returncode == 1
    expected = {
        "flipped byte": "已损坏",
        "cut off": "已损坏",
        "no manifest": "不是完整的备份",
        "vendor": "未恢复任何内容",
    }
    assert expected[damage] in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert table_count(target) == 0
    media = Path(target.env["MEDIA_ROOT"])
    assert not media.exists() or not any(media.iterdir())


def test_a_backup_taken_while_the_platform_writes_holds_one_moment(source, target):
    database, _records, _backup = source
    stop = Path(target.env["DATA_DIR"]) / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.portal.backup_support", "write", str(stop)],
        cwd=ROOT,
        env=database.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "writing", writer.stderr.read()
        before = time.monotonic()
        done = manage(database.env, "backup")
        assert done.returncode == 0, done.stderr
        time.sleep(0.5)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = json.loads(out.strip().splitlines()[-1])["written"]
    assert time.monotonic() - before > 0.5

    backup = backups_list(Path(database.env["DATA_DIR"]) / "backups")[0]
    restore = manage(target.env, "restore", str(backup.path))
    assert restore.returncode == 0, restore.stderr
    restored = inspect(target)
    # Writes went on before, during and after the backup; it holds whole transactions only, up to
    # one moment: as many notifications as audit entries of the writer.
    assert 0 < restored["writer"]["audit"] < written
    assert restored["writer"]["notifications"] == restored["writer"]["audit"]


@pytest.mark.skipif(not POSTGRES, reason="pg_dump is used on PostgreSQL only")
def test_a_backup_without_pg_dump_fails_with_a_clear_message(source, tmp_path):
    database, _records, _backup = source
    env = {**database.env, "PATH": str(tmp_path), "BACKUP_DIR": str(tmp_path / "backups")}

    done = manage(env, "backup")

    assert done.returncode == 1
    assert "pg_dump" in done.stderr and "postgresql-client" in done.stderr
    assert [path.name for path in (tmp_path / "backups").iterdir()] == [".lock"]  # no backup, no partial one


# --- in the test process ------------------------------------------------------------------------


@pytest.fixture
def backup_folder(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


def at(hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, 7, hour, 0))


@pytest.mark.django_db(transaction=True)
def test_rotation_keeps_the_newest_backups_and_never_the_one_just_written(backup_folder):
    for hour in (1, 2, 3):
        backup_create(keep=2, now=at(hour))
    assert [b.name for b in backups_list()] == ["20260307-030000", "20260307-020000"]

    # A crashed backup's partial folder and a clock that went backwards.
    (backup_folder / ".20260307-040000.partial").mkdir()
    (backup_folder / "notes").mkdir()
    result = backup_create(keep=1, now=at(0))

    assert result.backup.name == "20260307-000000"
    assert [b.name for b in backups_list()] == ["20260307-030000", "20260307-000000"]
    assert result.removed == ["20260307-020000"]
    assert sorted(p.name for p in backup_folder.iterdir()) == [
        ".lock",
        "20260307-000000",
        "20260307-030000",
        "notes",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_nightly_backup_is_scheduled_at_the_backup_hour_and_runs_in_the_worker(backup_folder, settings):
    call_command("setup_schedules", stdout=io.StringIO())
    schedule = Schedule.objects.get(name="portal.backup")
    assert (schedule.func, schedule.schedule_type) == ("portal.tasks.run_backup", Schedule.DAILY)
    assert timezone.localtime(schedule.next_run).time() == datetime.time(settings.BACKUP_HOUR, 0)

    name = run_backup()

    assert [b.name for b in backups_list()] == [name]
    entry = AuditEntry.objects.get(action="portal.backup.written")
    assert entry.actor_label == "django-q" and entry.data["backup"] == name
    assert "写入了数据库和上传文件的备份" in audit_lines([entry])[0].sentence


@pytest.mark.django_db(transaction=True)
def test_a_changed_backup_hour_moves_the_schedule(settings):
    from portal import tasks

    call_command("setup_schedules", stdout=io.StringIO())
    moved = [
        tasks.ScheduleSpec(**{**spec.__dict__, "first_run_at": datetime.time(4, 0)})
        if spec.name == "portal.backup"
        else spec
        for spec in tasks.registered_schedules()
    ]

    tasks.schedules_sync(specs=moved)

    schedule = Schedule.objects.get(name="portal.backup")
    assert timezone.localtime(schedule.next_run).time() == datetime.time(4, 0)


@pytest.mark.django_db(transaction=True)
def test_a_failed_nightly_backup_is_in_the_audit_log_and_the_administrators_are_told(
    tmp_path, settings, admin_user, officer
):
    settings.BACKUP_DIR = tmp_path / "a-file"
    settings.BACKUP_DIR.write_text("not a folder")

    with pytest.raises(BackupError):
        run_backup()

    entry = AuditEntry.objects.get(action="portal.backup.write_failed")
    line = audit_lines([entry])[0]
    assert "未能写入备份" in line.sentence
    assert any("a-file" in detail for detail in line.details)
    (notice,) = Notification.objects.all()  # the administrator's, not the officer's
    assert notice.recipient == admin_user
    assert "备份失败" in notice.display_title and "a-file" in notice.display_body


def test_the_sqlite_copy_in_a_backup_is_one_self_contained_file(source, tmp_path):
    if POSTGRES:
        pytest.skip("the SQLite copy only exists on SQLite")
    _database, records, backup = source
    plain = tmp_path / "copy.sqlite3"
    plain.write_bytes(gzip.decompress((backup / "database.sqlite3.gz").read_bytes()))
    import sqlite3

    with sqlite3.connect(plain) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("SELECT COUNT(*) FROM exams_answer").fetchone()[0] == 8
