"""Background tasks of the certification app (django-q2). They take primary keys and call a service.

Listed in ``SCHEDULES`` (named by the SCHEDULE_PROVIDERS setting):

- ``expire_qualifications`` every night marks qualifications past their expiry date expired and
  sends the 90 / 30 / 7-day reminders (each once per expiry date).
- ``flag_overdue_pathways`` every morning flags new officers whose current phase is overdue and
  notifies them, their mentor and the legal brigade (once per day at most).

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
]


def expire_qualifications() -> int:
    from certification.services.qualifications import qualifications_expire_and_remind

    return qualifications_expire_and_remind()


def flag_overdue_pathways() -> int:
    from certification.services.pathway import pathways_flag_overdue

    return pathways_flag_overdue()


def issue_certificate_batch(batch_id: int) -> int:
    from certification.services.certificates import certificate_batch_run

    return certificate_batch_run(batch_id=batch_id)
