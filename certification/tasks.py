"""Background tasks of the certification app (django-q2). They take primary keys and call a service.

Listed in ``SCHEDULES`` (named by the SCHEDULE_PROVIDERS setting):

- ``expire_qualifications`` every night marks qualifications past their expiry date expired and
  sends the 90 / 30 / 7-day reminders (each once per expiry date).
- ``flag_overdue_pathways`` every morning flags new officers whose current phase is overdue and
  notifies them, their mentor and the legal brigade (once per day at most).

- ``review_reserve_pool`` every night ends reserve-pool memberships whose basis lapsed or whose
  officer left, with the reason.
- ``make_unit_reports`` every night makes last quarter's report for every unit below the root
  once the quarter has ended (only the missing ones: after the first night of a quarter it does
  nothing).
- ``rebuild_points_ledgers`` every night brings the current year's points ledgers up to date with
  their sources (idempotent: one entry per source).

- ``sweep_certificate_batches`` every minute re-queues (or fails, at the last attempt) certificate
  batches whose worker died (``portal.services.jobs``).

``issue_certificate_batch`` is queued (not scheduled) when a trainer issues the certificates of an
exam's passers.
"""

from __future__ import annotations

import datetime

from django_q.models import Schedule

from portal.tasks import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="certification.expire_qualifications",
        func="certification.tasks.expire_qualifications",
        schedule_type=Schedule.DAILY,
        first_run_at=datetime.time(1, 30),
    ),
    ScheduleSpec(
        name="certification.flag_overdue_pathways",
        func="certification.tasks.flag_overdue_pathways",
        schedule_type=Schedule.DAILY,
        first_run_at=datetime.time(7, 0),
    ),
    ScheduleSpec(
        name="certification.review_reserve_pool",
        func="certification.tasks.review_reserve_pool",
        schedule_type=Schedule.DAILY,
        first_run_at=datetime.time(1, 45),
    ),
    ScheduleSpec(
        name="certification.make_unit_reports",
        func="certification.tasks.make_unit_reports",
        schedule_type=Schedule.DAILY,
        first_run_at=datetime.time(3, 0),
    ),
    ScheduleSpec(
        name="certification.rebuild_points_ledgers",
        func="certification.tasks.rebuild_points_ledgers",
        schedule_type=Schedule.DAILY,
        first_run_at=datetime.time(2, 15),
    ),
    ScheduleSpec(
        name="certification.sweep_certificate_batches",
        func="certification.tasks.sweep_certificate_batches",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        save_success=False,
    ),
]


def expire_qualifications() -> int:
    from certification.services.qualifications import qualifications_expire_and_remind

    return qualifications_expire_and_remind()


def flag_overdue_pathways() -> int:
    from certification.services.pathway import pathways_flag_overdue

    return pathways_flag_overdue()


def sweep_certificate_batches() -> dict:
    from certification.services.certificates import certificate_batches_sweep

    outcome = certificate_batches_sweep()
    return {"requeued": outcome.requeued, "failed": outcome.failed, "resent": outcome.resent}


def issue_certificate_batch(batch_id: int) -> int:
    from certification.services.certificates import certificate_batch_run

    return certificate_batch_run(batch_id=batch_id)


def review_reserve_pool() -> int:
    from certification.services.pool import pool_memberships_review

    return pool_memberships_review()


def rebuild_points_ledgers() -> int:
    from certification.services.points import points_rebuild_all

    return points_rebuild_all()


def make_unit_reports() -> int:
    from certification.services.reports import unit_reports_quarter_end

    return unit_reports_quarter_end()
