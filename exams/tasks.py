"""Background tasks of the exams app (django-q2). They take primary keys and call a service.

Listed in ``SCHEDULES`` (named by the SCHEDULE_PROVIDERS setting):

- ``sweep_expired_attempts`` every minute submits the attempts whose deadline and grace period have
  passed, recorded as finished at their deadline. Running it twice at once submits nothing twice.
- ``draw_papers_ahead`` every minute keeps one paper drawn per examinee who has not started an
  exam opening within ``EXAMS_DRAW_AHEAD_MINUTES`` (or open now), so the start burst only takes
  them (``exams.services.papers_ahead``); leftovers of closed exams are thrown away.
- ``notify_exam_openings`` tells examinees that an exam's window has opened (once per exam).
- ``release_due_results`` releases results whose exam's release rule is now met (window closed,
  grading finished) and notifies the officers.
- ``record_sampling_outcomes`` records, once a random test's window has closed, which drawn
  officers were tested and which did not show.
"""

from __future__ import annotations

from django_q.models import Schedule

from portal.tasks import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="exams.sweep_expired_attempts",
        func="exams.tasks.sweep_expired_attempts",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        save_success=False,
    ),
    ScheduleSpec(
        name="exams.draw_papers_ahead",
        func="exams.tasks.draw_papers_ahead",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        save_success=False,
    ),
    ScheduleSpec(
        name="exams.notify_exam_openings",
        func="exams.tasks.notify_exam_openings",
        schedule_type=Schedule.MINUTES,
        minutes=5,
        save_success=False,
    ),
    ScheduleSpec(
        name="exams.release_due_results",
        func="exams.tasks.release_due_results",
        schedule_type=Schedule.MINUTES,
        minutes=5,
        save_success=False,
    ),
    ScheduleSpec(
        name="exams.record_sampling_outcomes",
        func="exams.tasks.record_sampling_outcomes",
        schedule_type=Schedule.HOURLY,
        save_success=False,
    ),
]


def sweep_expired_attempts() -> int:
    from exams.services.delivery import attempts_sweep

    return attempts_sweep()


def draw_papers_ahead() -> int:
    from exams.services.papers_ahead import exams_draw_ahead

    return exams_draw_ahead()


def notify_exam_openings() -> int:
    from exams.services.exams import exams_notify_opening

    return exams_notify_opening()


def release_due_results() -> int:
    from exams.services.grading import results_release_due

    return results_release_due()


def record_sampling_outcomes() -> int:
    from exams.services.sampling import sampling_outcomes_record

    return sampling_outcomes_record()
