"""Accommodations granted to several officers at once (考试特殊安排): all or nothing.

The trainer's page grants one set of terms to a list of police numbers. Every officer is checked
before anything is written, so one wrong number names itself and nothing is saved; then each
grant goes through ``exams.services.exam_day.exam_accommodation_set`` (which audits it and moves
the deadline of an attempt in progress) inside one transaction, so a failure half-way — a
concurrent exemption, say — rolls every grant of the list back.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from exams.models import Exam, ExamAccommodation
from exams.selectors.eligibility import exam_examinees
from exams.services.exam_day import ExamDayError, exam_accommodation_set
from people.models import User

__all__ = ["AccommodationError", "exam_accommodations_grant"]

ERRORS = {
    "no_officers": _("Enter at least one police number."),
    "not_examinees": _("Not examinees of this exam (nothing was saved): %(officers)s."),
}


class AccommodationError(ExamDayError):
    """A refusal of the list as a whole; ``code`` is a key of this module's or exam_day's ERRORS."""

    @property
    def message(self) -> str:
        if self.code in ERRORS:
            text = str(ERRORS[self.code])
            return text % self.params if self.params else text
        return super().message


def exam_accommodations_grant(
    *,
    actor,
    exam: Exam,
    officers: Sequence[User],
    reason: str,
    extra_minutes: int = 0,
    extra_percent: int = 0,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    extra_attempts: int = 0,
    now: datetime.datetime | None = None,
) -> list[ExamAccommodation]:
    """Grant the same accommodation to every officer listed (replacing what each had). Refused as a
    whole, with the officers named, when any of them is not an examinee of the exam."""
    if not officers:
        raise AccommodationError("no_officers")
    examinees = set(exam_examinees(exam).filter(pk__in=[o.pk for o in officers]).values_list("pk", flat=True))
    outsiders = [officer for officer in officers if officer.pk not in examinees]
    if outsiders:
        raise AccommodationError("not_examinees", officers="、".join(str(officer) for officer in outsiders))
    with transaction.atomic():
        return [
            exam_accommodation_set(
                actor=actor,
                exam=exam,
                officer=officer,
                reason=reason,
                extra_minutes=extra_minutes,
                extra_percent=extra_percent,
                opens_at=opens_at,
                closes_at=closes_at,
                extra_attempts=extra_attempts,
                now=now,
            )
            for officer in officers
        ]
