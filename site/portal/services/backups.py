"""Backups that restore: the database and the uploaded files, written while the platform runs,
checked by a restore that finds the same rows again.

One backup is one folder in ``BACKUP_DIR`` (default ``DATA_DIR/backups``) named by its local time,
``20260307-020000``::

    manifest.json         when, which database, Django's migrations, row counts, each file's sha256
    database.sqlite3.gz   SQLite: a copy made by SQLite's online backup API, gzipped
    database.pgdump       PostgreSQL: ``pg_dump --format=custom``
    media.tar.gz          MEDIA_ROOT

What settles each hazard:

- **Writes during the backup.** SQLite: the backup API copies every page in one step inside one
  read transaction, so the copy is the database at one instant; in WAL mode the server keeps
  writing meanwhile. PostgreSQL: a REPEATABLE READ transaction exports its snapshot, counts the
  rows in it, and ``pg_dump --snapshot`` dumps exactly that snapshot, so the manifest's counts are
  the dump's. The media tar is taken after the database, so a file the database refers to (files
  are written before the rows that name them) is in the tar unless it was deleted meanwhile.
- **A half-written backup.** Everything is written into ``.<stamp>.partial`` and renamed to
  ``<stamp>`` once the manifest is on disk; rotation and restore only see folders with a manifest.
  A partial folder left by a crash is removed by the next backup.
- **Two backups at once** (the schedule and an operator): a lock file in the folder; the second
  one is refused.
- **Rotation** keeps the newest ``BACKUP_KEEP`` complete backups and never deletes the one just
  written.
- **A damaged or cut-off copy** (a USB stick, a bad transfer): restore checks every file's size and
  sha256 against the manifest, and reads the database copy, before it touches anything.
- **Restoring over live data**: refused when the target database has any table, unless ``force``.
  SQLite is written through the backup API into the configured file (one transaction; the file's
  own write-ahead log stays consistent, which copying a file over it would not). PostgreSQL runs
  ``pg_restore --single-transaction`` (with ``--clean --if-exists`` under ``force``): a failure
  leaves the database as it was. Afterwards the tables of the manifest are counted again and must
  match. The media are unpacked beside MEDIA_ROOT first and moved into place last.

Credentials never reach a command line: pg_dump and pg_restore get the connection from the
environment (PGPASSWORD among it).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from portal.backup_texts import BACKUP_ERRORS
from portal.services.audit import audit_log
from portal.texts import StoredText

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3.gz"
POSTGRES_FILE = "database.pgdump"
MEDIA_FILE = "media.tar.gz"
FORMAT = 1
STAMP = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
# Working folders under MEDIA_ROOT while media are restored; never part of a backup.
_MEDIA_WORK = (".restoring-", ".replaced-")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; ``text`` is the stored text naming why."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.text: StoredText = BACKUP_ERRORS[code](**{k: str(v) for k, v in params.items()})
        super().__init__(str(self.text))


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def total_bytes(self) -> int:
        return sum(entry["bytes"] for entry in self.manifest["files"].values())


@dataclass
class BackupResult:
    backup: Backup
    seconds: float
    removed: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    backup: Backup
    counts: dict[str, int]
    media_files: int
    seconds: float
    # Migrations this code has that the restored database lacks (a backup from an older release):
    # ``manage.py migrate`` brings it up to date.
    pending_migrations: int = 0


# --- the configured database --------------------------------------------------------------------


def _vendor(database: dict) -> str:
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise ValueError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _counted_tables() -> dict[str, str]:
    """Model label → table, for the models of the BACKUP_COUNTED_MODELS setting."""
    return {label: apps.get_model(label)._meta.db_table for label in settings.BACKUP_COUNTED_MODELS}


def _count(cursor, tables: dict[str, str]) -> dict[str, int]:
    counts = {}
    for label, table in tables.items():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names come from models
        counts[label] = cursor.fetchone()[0]
    return counts


def _latest_migrations(cursor) -> dict[str, Any]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    rows = cursor.fetchall()
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = max(latest.get(app, ""), name)
    return {"applied": len(rows), "latest": latest}


class _Sqlite:
    vendor = "sqlite"
    file_name = SQLITE_FILE

    def __init__(self, database: dict) -> None:
        self.path = Path(database["NAME"])

    def describe(self) -> dict[str, Any]:
        return {"path": str(self.path)}

    def label(self) -> str:
        return str(self.path)

    def table_count(self) -> int:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return 0
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            return connection.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]

    def dump(self, folder: Path, tables: dict[str, str]) -> tuple[dict[str, int], dict[str, Any]]:
        if not self.path.exists():
            raise BackupError("database_missing", path=self.path)
        copy = folder / "database.sqlite3"
        source = sqlite3.connect(self.path, timeout=60)
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1): every page inside one read transaction, so the copy is one instant
            # of the database; writers go on in WAL mode. Stepwise copying would restart on each write.
            source.backup(target)
        except sqlite3.Error as error:
            if "full" in str(error):  # SQLITE_FULL: "database or disk is full"
                raise BackupError("disk_full", folder=folder.parent) from error
            raise BackupError("database_error", error=error) from error
        finally:
            source.close()
        try:
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            cursor = target.cursor()
            counts, migrations = _count(cursor, tables), _latest_migrations(cursor)
        finally:
            target.close()
        with copy.open("rb") as raw, gzip.open(folder / SQLITE_FILE, "wb", compresslevel=6) as packed:
            shutil.copyfileobj(raw, packed, _CHUNK)
        copy.unlink()
        return counts, migrations

    def check_copy(self, backup: Backup) -> Path:
        """Unpack the copy beside the target (same disk) and make SQLite read all of it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        unpacked = self.path.with_name(f".{self.path.name}.restore-{os.getpid()}")
        try:
            with gzip.open(backup.path / SQLITE_FILE, "rb") as packed, unpacked.open("wb") as raw:
                shutil.copyfileobj(packed, raw, _CHUNK)
            with contextlib.closing(sqlite3.connect(unpacked)) as connection:
                result = connection.execute("PRAGMA quick_check").fetchone()[0]
        except (OSError, EOFError, sqlite3.Error) as error:
            unpacked.unlink(missing_ok=True)
            if isinstance(error, OSError) and error.errno == errno.ENOSPC:
                raise BackupError("disk_full", folder=self.path.parent) from error
            raise BackupError("unreadable", file=SQLITE_FILE, error=error) from error
        if result != "ok":
            unpacked.unlink(missing_ok=True)
            raise BackupError("unreadable", file=SQLITE_FILE, error=result)
        return unpacked

    def discard(self, copy: Path | None) -> None:
        if copy is not None:
            copy.unlink(missing_ok=True)

    def restore(self, copy: Path, *, force: bool) -> None:
        source = sqlite3.connect(copy)
        target = sqlite3.connect(self.path, timeout=60)
        try:
            source.backup(target)  # replaces the whole target in one write transaction
        finally:
            source.close()
            target.close()

    def counts(self, tables: dict[str, str]) -> dict[str, int]:
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            return _count(connection.cursor(), tables)


# libpq settings Django may carry in OPTIONS, passed to pg_dump / pg_restore as environment.
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}


class _Postgres:
    vendor = "postgresql"
    file_name = POSTGRES_FILE

    def __init__(self, database: dict) -> None:
        self.database = database

    def describe(self) -> dict[str, Any]:
        return {k: self.database.get(k.upper()) or "" for k in ("host", "port", "name")}

    def label(self) -> str:
        return self.database["NAME"]

    def _params(self) -> dict[str, Any]:
        db = self.database
        params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
        params = {key: value for key, value in params.items() if value}
        params.update((key, value) for key, value in (db.get("OPTIONS") or {}).items() if key in _PG_OPTION_ENV)
        return {**params, "dbname": db["NAME"]}

    def env(self) -> dict[str, str]:
        """The connection for pg_dump / pg_restore: all of it in the environment, nothing in argv."""
        db = self.database
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        pairs = {"PGHOST": db["HOST"], "PGPORT": db["PORT"], "PGUSER": db["USER"], "PGPASSWORD": db["PASSWORD"]}
        env.update({key: str(value) for key, value in pairs.items() if value})
        for option, variable in _PG_OPTION_ENV.items():
            if (db.get("OPTIONS") or {}).get(option):
                env[variable] = str(db["OPTIONS"][option])
        env["PGDATABASE"] = db["NAME"]
        return env

    def _connect(self, **kwargs):
        import psycopg

        try:
            return psycopg.connect(**self._params(), **kwargs)
        except psycopg.Error as error:
            raise BackupError("database_error", error=str(error).strip()) from error

    @staticmethod
    def _program(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            raise BackupError("program_missing", program=name)
        return path

    def _run(self, command: list[str], *, folder: Path | None = None) -> None:
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            message = (done.stderr or done.stdout).strip()
            if folder is not None and "No space left" in message:
                raise BackupError("disk_full", folder=folder)
            raise BackupError("program_failed", program=Path(command[0]).name, error=message[-2000:])

    def table_count(self) -> int:
        with contextlib.closing(self._connect(autocommit=True)) as connection:
            return connection.execute(
                "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchone()[0]

    def dump(self, folder: Path, tables: dict[str, str]) -> tuple[dict[str, int], dict[str, Any]]:
        import psycopg

        pg_dump = self._program("pg_dump")
        connection = self._connect()
        try:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            cursor = connection.cursor()
            # The counts and the dump read one snapshot: pg_dump joins this transaction's snapshot,
            # which stays valid while the transaction is open.
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts, migrations = _count(cursor, tables), _latest_migrations(cursor)
            target = folder / POSTGRES_FILE
            self._run(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
                folder=folder,
            )
        except psycopg.Error as error:
            raise BackupError("database_error", error=str(error).strip()) from error
        finally:
            connection.close()
        return counts, migrations

    def check_copy(self, backup: Backup) -> Path:
        """pg_restore reads the archive's table of contents: a dump it cannot read is refused here."""
        dump = backup.path / POSTGRES_FILE
        try:
            self._run([self._program("pg_restore"), "--list", "--file=/dev/null", str(dump)])
        except BackupError as error:
            if error.code == "program_failed":
                raise BackupError("unreadable", file=POSTGRES_FILE, error=error.text.params["error"]) from error
            raise
        return dump

    def discard(self, copy: Path | None) -> None:
        pass  # pg_restore reads the backup's own file

    def restore(self, copy: Path, *, force: bool) -> None:
        command = [
            self._program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--no-password",
            "--exit-on-error",
            "--single-transaction",  # all or nothing: a failure leaves the database as it was
            f"--dbname={self.database['NAME']}",
        ]
        if force:
            command += ["--clean", "--if-exists"]
        self._run([*command, str(copy)])

    def counts(self, tables: dict[str, str]) -> dict[str, int]:
        with contextlib.closing(self._connect(autocommit=True)) as connection:
            return _count(connection.cursor(), tables)


def _database(alias: str = "default") -> _Sqlite | _Postgres:
    database = settings.DATABASES[alias]
    return _Sqlite(database) if _vendor(database) == "sqlite" else _Postgres(database)


# --- files ------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _pack_media(target: Path, backup_dir: Path) -> dict[str, int]:
    """MEDIA_ROOT as a gzipped tar of its contents (names relative to MEDIA_ROOT)."""
    root = _media_root()
    files = size = 0
    skip = {backup_dir.resolve()}

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        nonlocal files, size
        if (root / info.name).resolve() in skip:
            return None
        if info.isfile():
            files += 1
            size += info.size
        return info

    # Level 1: uploads are mostly images, PDFs, videos and office files, compressed already; the
    # time goes to reading them, not to squeezing them.
    with tarfile.open(target, "w:gz", compresslevel=1) as tar:
        if root.is_dir():
            for entry in sorted(root.iterdir()):
                if not entry.name.startswith(_MEDIA_WORK):
                    tar.add(entry, arcname=entry.name, filter=keep)
    return {"files": files, "bytes": size}


def _unpack_media(backup: Backup, staging: Path) -> int:
    try:
        with tarfile.open(backup.path / MEDIA_FILE, "r:gz") as tar:
            members = tar.getmembers()
            tar.extractall(staging, filter="data")  # no absolute paths, no links out of the folder
    except (OSError, EOFError, tarfile.TarError) as error:
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            raise BackupError("disk_full", folder=staging.parent) from error
        raise BackupError("unreadable", file=MEDIA_FILE, error=error) from error
    return sum(1 for member in members if member.isfile())


def _swap_media(staging: Path, stamp: str) -> None:
    """Put the unpacked media in MEDIA_ROOT's place, entry by entry: MEDIA_ROOT may be a mount point
    (shared storage in a city), which cannot itself be renamed."""
    root = _media_root()
    replaced = root / f"{_MEDIA_WORK[1]}{stamp}"
    replaced.mkdir()
    for entry in list(root.iterdir()):
        if entry not in (staging, replaced) and not entry.name.startswith(_MEDIA_WORK):
            entry.rename(replaced / entry.name)
    for entry in list(staging.iterdir()):
        entry.rename(root / entry.name)
    shutil.rmtree(replaced)


# --- backups --------------------------------------------------------------------------------------


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def backups_list(folder: Path | None = None) -> list[Backup]:
    """Complete backups in ``folder``, newest first. A folder without a readable manifest is not one."""
    folder = folder or backup_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.is_dir() and STAMP.match(path.name):
            with contextlib.suppress(OSError, ValueError):
                found.append(Backup(path, json.loads((path / MANIFEST).read_text(encoding="utf-8"))))
    return sorted(found, key=lambda backup: backup.name, reverse=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    with (folder / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError("busy", folder=folder) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stamp(folder: Path, now: datetime.datetime) -> str:
    base = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    stamp, number = base, 1
    while (folder / stamp).exists() or (folder / f".{stamp}.partial").exists():
        number += 1
        stamp = f"{base}-{number}"
    return stamp


def backups_rotate(*, keep: int, protect: str, folder: Path | None = None) -> list[str]:
    """Delete complete backups beyond the newest ``keep``; never the one named ``protect``."""
    removed = []
    for backup in backups_list(folder)[keep:]:
        if backup.name != protect:
            shutil.rmtree(backup.path)
            removed.append(backup.name)
    return removed


def backup_create(*, keep: int | None = None, now: datetime.datetime | None = None) -> BackupResult:
    """Write one backup of the default database and MEDIA_ROOT into BACKUP_DIR, then rotate."""
    started = time.monotonic()
    folder = backup_dir()
    keep = settings.BACKUP_KEEP if keep is None else keep
    database = _database()
    tables = _counted_tables()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            for stale in folder.glob(".*.partial"):  # left by a backup that crashed; we hold the lock
                shutil.rmtree(stale, ignore_errors=True)
            now = now or timezone.now()
            stamp = _stamp(folder, now)
            partial = folder / f".{stamp}.partial"
            partial.mkdir()
            try:
                counts, migrations = database.dump(partial, tables)
                media = _pack_media(partial / MEDIA_FILE, folder)
                files = {
                    name: {"bytes": (partial / name).stat().st_size, "sha256": _sha256(partial / name)}
                    for name in (database.file_name, MEDIA_FILE)
                }
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.localtime(now).isoformat(),
                    "vendor": database.vendor,
                    "database": database.describe(),
                    "django": django.get_version(),
                    "migrations": migrations,
                    "counts": {label: {"table": tables[label], "rows": rows} for label, rows in counts.items()},
                    "media": media,
                    "files": files,
                    "seconds": round(time.monotonic() - started, 2),
                }
                with (partial / MANIFEST).open("w", encoding="utf-8") as stream:
                    json.dump(manifest, stream, ensure_ascii=False, indent=2)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.rename(partial, folder / stamp)  # from here on it is a complete backup
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            removed = backups_rotate(keep=keep, protect=stamp, folder=folder)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise BackupError("disk_full", folder=folder) from error
        raise BackupError("not_writable", folder=folder, error=error.strerror or error) from error
    backup = Backup(folder / stamp, manifest)
    return BackupResult(backup=backup, seconds=time.monotonic() - started, removed=removed)


# --- restore --------------------------------------------------------------------------------------


def backup_find(name_or_path: str) -> Path:
    """A backup given as a folder path, or by name (``20260307-020000``, ``latest``) in BACKUP_DIR."""
    if name_or_path == "latest":
        found = backups_list()
        if not found:
            raise BackupError("not_found", path=backup_dir())
        return found[0].path
    path = Path(name_or_path)
    if not path.exists() and not path.is_absolute() and (backup_dir() / name_or_path).exists():
        path = backup_dir() / name_or_path
    if not path.is_dir():
        raise BackupError("not_found", path=path)
    return path


def backup_verify(path: Path) -> Backup:
    """The backup at ``path`` if its manifest reads and every file matches it; else BackupError."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        manifest["counts"], manifest["vendor"]  # noqa: B018 - present, or the backup is incomplete
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError("incomplete", path=path) from None
    for name, expected in files.items():
        file = path / name
        if not file.is_file():
            raise BackupError("missing_file", file=name)
        size = file.stat().st_size
        if size != expected["bytes"] or _sha256(file) != expected["sha256"]:
            raise BackupError("damaged", file=name, found=f"{size:,}", expected=f"{expected['bytes']:,}")
    return Backup(path, manifest)


def backup_restore(*, path: Path, force: bool = False) -> RestoreResult:
    """Restore the backup at ``path`` into the default database and MEDIA_ROOT.

    Run with the platform stopped (web servers and workers). Refuses a database that has tables
    unless ``force``; verifies every file before anything is changed and the row counts after."""
    started = time.monotonic()
    backup = backup_verify(path)
    database = _database()
    if backup.manifest["vendor"] != database.vendor:
        raise BackupError("vendor_mismatch", backup=backup.manifest["vendor"], configured=database.vendor)
    connections.close_all()  # nothing of ours holds the database while it is replaced
    tables = database.table_count()
    if tables and not force:
        raise BackupError("not_empty", database=database.label(), tables=tables)

    root = _media_root()
    root.mkdir(parents=True, exist_ok=True)
    stamp = f"{backup.name}-{os.getpid()}"
    staging = root / f"{_MEDIA_WORK[0]}{stamp}"
    copy = None
    try:
        staging.mkdir()
        copy = database.check_copy(backup)
        media_files = _unpack_media(backup, staging)
        database.restore(copy, force=force)
        expected = {label: entry["rows"] for label, entry in backup.manifest["counts"].items()}
        tables_by_label = {label: entry["table"] for label, entry in backup.manifest["counts"].items()}
        found = database.counts(tables_by_label)
        if found != expected:
            details = ", ".join(
                f"{label}: {found.get(label)} / {rows}" for label, rows in expected.items() if found.get(label) != rows
            )
            raise BackupError("counts_differ", details=details)
        _swap_media(staging, stamp)
    finally:
        database.discard(copy)
        shutil.rmtree(staging, ignore_errors=True)
        connections.close_all()
    pending = _pending_migrations()
    if not pending:  # the schema is this release's: the log can say what happened to it
        with transaction.atomic():
            audit_log(
                actor="manage.py restore",
                action="portal.backup.restored",
                data={"backup": backup.name, "backup_taken": backup.manifest["created_at"], "forced": force},
            )
    return RestoreResult(
        backup=backup,
        counts=found,
        media_files=media_files,
        seconds=time.monotonic() - started,
        pending_migrations=pending,
    )


def _pending_migrations() -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# --- the door the command and the schedule use ---------------------------------------------------


def backup_run(*, actor: str, keep: int | None = None) -> BackupResult:
    """Take a backup and say so where an administrator looks: an audit entry either way, and on
    failure a notification to every administrator (the cause in their language). Re-raises the
    failure, so the worker records the task as failed and the command exits non-zero."""
    try:
        result = backup_create(keep=keep)
    except BackupError as error:
        _report_failure(actor=actor, error=error)
        raise
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="portal.backup.written",
            data={
                "backup": result.backup.name,
                "size": result.backup.total_bytes,
                "seconds": round(result.seconds, 1),
                "removed": result.removed,
            },
        )
    return result


def _report_failure(*, actor: str, error: BackupError) -> None:
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError
    from django.db.models import Q
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from people.models import Role
    from portal.services.notifications import notification_send

    try:
        with transaction.atomic():
            audit_log(actor=actor, action="portal.backup.write_failed", data={"cause": error.text})
            admins = get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True)
            for admin in admins.distinct():
                notification_send(
                    recipient=admin,
                    title=_("The backup failed"),
                    body=error.text,
                    url=reverse("portal:audit_log"),
                    kind="portal.backup.failed",
                )
    except DatabaseError:
        pass  # the database itself is what failed; the worker's failure record and the exit code remain
