"""Background tasks of the exams app (django-q2). They take primary keys and call a service.

``sweep_expired_attempts`` runs every minute from ``SCHEDULES`` below (listed in the
SCHEDULE_PROVIDERS setting): it submits the attempts whose deadline and grace period have passed,
recorded as finished at their deadline. Running it twice at once submits nothing twice.
"""

from __future__ import annotations

from django_q.models import Schedule

from exams.services.delivery import attempts_sweep
from portal.tasks import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="exams.sweep_expired_attempts",
        func="exams.tasks.sweep_expired_attempts",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        save_success=False,
    ),
]


def sweep_expired_attempts() -> int:
    return attempts_sweep()
