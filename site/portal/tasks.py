"""Background tasks run by the django-q2 worker (`manage.py qcluster`), and the registry of
recurring schedules that `manage.py setup_schedules` writes to the database.

Schedules are created by code, never by hand in the admin: ``SCHEDULES`` is the single list of
them. Another app adds its own by appending a ``ScheduleSpec`` whose ``func`` is a dotted path
(``"courses.tasks.send_due_reminders"``), so portal never imports the apps above it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule, Success

from portal.services import audit_log

# Successful task results older than this are deleted by "portal.prune_task_results". Settings
# keep every result (Q_CLUSTER save_limit=0) so nothing disappears silently; this is the one
# place results are pruned, on purpose and on a schedule.
DEFAULT_TASK_RESULT_RETENTION_DAYS = 30


# --- tasks ------------------------------------------------------------------------------------


def publish_scheduled() -> None:
    """Publish Wagtail pages and snippets whose approved go-live time has passed and unpublish
    expired ones: Wagtail's own `publish_scheduled` command, run every minute by the worker."""
    call_command("publish_scheduled")


def prune_task_results(days: int | None = None) -> int:
    """Delete successful task results older than ``days`` (default TASK_RESULT_RETENTION_DAYS).

    Failures are kept: someone should read them before they go.
    """
    if days is None:
        days = getattr(settings, "TASK_RESULT_RETENTION_DAYS", DEFAULT_TASK_RESULT_RETENTION_DAYS)
    cutoff = timezone.now() - datetime.timedelta(days=days)
    with transaction.atomic():
        deleted, _by_model = Success.objects.filter(stopped__lt=cutoff).delete()
        if deleted:
            audit_log(
                actor="django-q",
                action="portal.task_results.pruned",
                data={"deleted": deleted, "older_than_days": days},
            )
    return deleted


def run_export_job(job_id: int) -> None:
    """Build one queued export (``portal.services.exports.export_job_run``)."""
    from portal.services.exports import export_job_run

    export_job_run(job_id)


def sweep_export_jobs() -> dict:
    """Re-queue (or fail, at the last attempt) exports whose worker died; send again the queued
    ones whose task may be lost (``portal.services.jobs``)."""
    from portal.services.exports import export_jobs_sweep

    outcome = export_jobs_sweep()
    return {"requeued": outcome.requeued, "failed": outcome.failed, "resent": outcome.resent}


def expire_export_files() -> int:
    """Delete the files of background exports whose download link has expired."""
    from portal.services.exports import export_files_expire

    return export_files_expire()


def run_backup() -> str:
    """The nightly backup (``portal.services.backups.backup_run``): audited either way, the
    administrators told of a failure, which is raised so the worker records the task as failed."""
    from portal.services.backups import backup_run

    return backup_run(actor="django-q").backup.name


# --- schedules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleSpec:
    """One recurring task. ``name`` identifies the row in django-q2's Schedule table."""

    name: str
    func: str
    schedule_type: str
    minutes: int | None = None
    # Local time of day of the first run, for daily and longer schedules (e.g. at night).
    first_run_at: datetime.time | None = None
    # False for chatty schedules (every minute) whose successes would bury everything else in
    # the results list; their failures are still saved.
    save_success: bool = True

    def row_values(self) -> dict:
        """The Schedule fields this spec owns; anything else on the row is left as it is."""
        return {
            "func": self.func,
            "schedule_type": self.schedule_type,
            "minutes": self.minutes,
            "repeats": -1,
            "args": None,
            "kwargs": None if self.save_success else repr({"q_options": {"save": False}}),
            "hook": None,
            "cron": None,
        }

    def runs_at(self, moment: datetime.datetime) -> bool:
        """Whether a run at ``moment`` is at this spec's local time of day (any moment is, without one)."""
        if self.first_run_at is None:
            return True
        local = timezone.localtime(moment)
        return (local.hour, local.minute) == (self.first_run_at.hour, self.first_run_at.minute)

    def first_run(self, now: datetime.datetime | None = None) -> datetime.datetime:
        now = now or timezone.now()
        if self.first_run_at is None:
            return now
        local_now = timezone.localtime(now)
        first = local_now.replace(hour=self.first_run_at.hour, minute=self.first_run_at.minute, second=0, microsecond=0)
        return first if first > local_now else first + datetime.timedelta(days=1)


SCHEDULES: list[ScheduleSpec] = [
    ScheduleSpec(
        name="wagtail.publish_scheduled",
        func="portal.tasks.publish_scheduled",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        save_success=False,
    ),
    ScheduleSpec(
        name="portal.prune_task_results",
        func="portal.tasks.prune_task_results",
        schedule_type=Schedule.DAILY,
        first_run_at=datetime.time(3, 30),
    ),
    ScheduleSpec(
        name="portal.sweep_export_jobs",
        func="portal.tasks.sweep_export_jobs",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        save_success=False,
    ),
    ScheduleSpec(
        name="portal.expire_export_files",
        func="portal.tasks.expire_export_files",
        schedule_type=Schedule.HOURLY,
    ),
    ScheduleSpec(
        name="portal.backup",
        func="portal.tasks.run_backup",
        schedule_type=Schedule.DAILY,
        first_run_at=datetime.time(settings.BACKUP_HOUR, 0),
    ),
]


def registered_schedules() -> list[ScheduleSpec]:
    """Every app's schedules: the lists named in the SCHEDULE_PROVIDERS setting (dotted paths to
    lists of ScheduleSpec), so the site layer never imports the apps above it."""
    paths = getattr(settings, "SCHEDULE_PROVIDERS", ["portal.tasks.SCHEDULES"])
    return [spec for path in paths for spec in import_string(path)]


@dataclass
class ScheduleOutcome:
    name: str
    action: Literal["created", "updated", "unchanged", "unregistered"]
    changed_fields: tuple[str, ...] = ()
    duplicates_removed: int = 0


def schedules_sync(*, specs: list[ScheduleSpec] | None = None) -> list[ScheduleOutcome]:
    """Make the Schedule table match ``specs`` (default: every registered schedule), matching rows by name.

    A row that already matches is not written (its next run stays as it is); a row that differs
    is corrected; extra rows with a registered name are deleted, since each would run the task
    again. Rows whose names are not registered were made by someone else and are left alone.
    """
    specs = registered_schedules() if specs is None else specs
    outcomes: list[ScheduleOutcome] = []
    with transaction.atomic():
        for spec in specs:
            rows = list(Schedule.objects.select_for_update().filter(name=spec.name).order_by("pk"))
            wanted = spec.row_values()
            if not rows:
                Schedule.objects.create(name=spec.name, next_run=spec.first_run(), **wanted)
                outcomes.append(ScheduleOutcome(spec.name, "created"))
                continue
            row, duplicates = rows[0], rows[1:]
            for duplicate in duplicates:
                duplicate.delete()
            changed = tuple(field for field, value in wanted.items() if getattr(row, field) != value)
            for field in changed:
                setattr(row, field, wanted[field])
            if row.next_run is None or not spec.runs_at(row.next_run):
                # A finished schedule must run again; a daily one whose hour was changed in the
                # settings (BACKUP_HOUR) moves to the new hour.
                row.next_run = spec.first_run()
                changed += ("next_run",)
            if changed:
                row.save(update_fields=list(changed))
            action = "updated" if changed or duplicates else "unchanged"
            outcomes.append(ScheduleOutcome(spec.name, action, changed, len(duplicates)))
        registered = {spec.name for spec in specs}
        for name in Schedule.objects.exclude(name__in=registered).order_by("name").values_list("name", flat=True):
            outcomes.append(ScheduleOutcome(name or "", "unregistered"))
        if any(outcome.action in {"created", "updated"} for outcome in outcomes):
            audit_log(
                actor="manage.py setup_schedules",
                action="portal.schedules.synced",
                data={o.name: o.action for o in outcomes if o.action in {"created", "updated"}},
            )
    return outcomes
