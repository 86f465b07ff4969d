"""Background tasks of the courses app (django-q2). They take primary keys and call a service.

``send_assignment_reminders`` runs hourly from ``SCHEDULES`` below (listed in the
SCHEDULE_PROVIDERS setting); the reminders record what was sent, so running it again (or twice at
once) sends nothing twice.
"""

from __future__ import annotations

from django_q.models import Schedule

from courses.models import StudyAssignment, StudyDiscussion
from courses.services import assignment_notify_created, assignment_reminders_send, discussion_notify_invitees
from portal.tasks import ScheduleSpec

SCHEDULES = [
    # Study-assignment reminders (3 days before and on the due date). Hourly rather than daily so a
    # worker that was down at the hour still sends the "due today" reminder that day.
    ScheduleSpec(
        name="courses.assignment_reminders",
        func="courses.tasks.send_assignment_reminders",
        schedule_type=Schedule.HOURLY,
    ),
]


def send_assignment_reminders() -> int:
    return assignment_reminders_send()


def notify_assignment_created(assignment_id: int) -> int:
    assignment = StudyAssignment.objects.filter(pk=assignment_id).first()
    return assignment_notify_created(assignment=assignment) if assignment else 0


def notify_discussion_invitees(discussion_id: int) -> int:
    discussion = StudyDiscussion.objects.filter(pk=discussion_id).first()
    return discussion_notify_invitees(discussion=discussion) if discussion else 0
