"""Exam-day reads that every rule shares: an officer's own window, time and attempts under an
accommodation, the deadline an attempt must have, the exam's network and password rules.

The deadline of an attempt is always ``attempt_deadline``::

    min(started + duration × (1 + percent) + extra minutes, close) + time added + clock stopped

where ``close`` is the accommodation's own closing time, else the exam's — moved on by the extra
time when the accommodation gives extra time but no window of its own, so an officer granted 20
minutes who starts late still has them. Time an invigilator adds and time the clock stood still
(a technical incident) are added after the cap: they make up for time the examinee lost.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from django.utils import timezone

from exams.models import Attempt, Exam, ExamAccommodation, ExamKind, ExamRoomMessage

# Exams whose exam-day rules (focus recording, one device, no copying) are on by default.
STRICT_KINDS = frozenset({ExamKind.FORMAL, ExamKind.QUALIFICATION})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BadNetwork(ValueError):
    """A line of an allowed-networks list that is not a network; ``line`` is the text."""

    def __init__(self, line: str):
        self.line = line
        super().__init__(line)


# The examinee's page counts as in contact when it saved or polled this recently; "last seen" is
# written at most this often (by a save's transaction or, without saves, by the status poll).
HEARTBEAT_EVERY = datetime.timedelta(seconds=20)


def parse_networks(text: str) -> list[Network]:
    """The networks of an allowed-networks list: one per line (commas and spaces also separate),
    an address alone meaning just that address. ``BadNetwork`` names the first line that is not one."""
    networks = []
    for line in text.replace(",", "\n").split():
        try:
            networks.append(ipaddress.ip_network(line.strip(), strict=False))
        except ValueError:
            raise BadNetwork(line.strip()) from None
    return networks


def address_allowed(exam: Exam, address: str | None) -> bool:
    """Whether a client address may sit the exam: always when the exam names no networks."""
    if not exam.allowed_networks.strip():
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in parse_networks(exam.allowed_networks))


@dataclass(frozen=True)
class OfficerTerms:
    """The window, time and attempts that apply to one officer for one exam."""

    opens_at: datetime.datetime
    closes_at: datetime.datetime
    duration: datetime.timedelta
    attempts_allowed: int
    accommodation: ExamAccommodation | None = None

    @property
    def duration_minutes(self) -> int:
        return int(-(-self.duration.total_seconds() // 60))


def officer_terms(exam: Exam, accommodation: ExamAccommodation | None) -> OfficerTerms:
    duration = datetime.timedelta(minutes=exam.duration_minutes)
    if accommodation is None:
        return OfficerTerms(exam.opens_at, exam.closes_at, duration, exam.attempts_allowed)
    extra = duration * accommodation.extra_percent / 100 + datetime.timedelta(minutes=accommodation.extra_minutes)
    extra = datetime.timedelta(seconds=int(extra.total_seconds()))
    closes_at = accommodation.closes_at if accommodation.closes_at is not None else exam.closes_at + extra
    return OfficerTerms(
        opens_at=accommodation.opens_at or exam.opens_at,
        closes_at=closes_at,
        duration=duration + extra,
        attempts_allowed=exam.attempts_allowed + accommodation.extra_attempts,
        accommodation=accommodation,
    )


def accommodation_for(exam: Exam, officer) -> ExamAccommodation | None:
    return ExamAccommodation.objects.filter(exam=exam, officer=officer).first()


def terms_for(exam: Exam, officer) -> OfficerTerms:
    """The officer's own terms for the exam (the exam's, unless an accommodation changes them)."""
    return officer_terms(exam, accommodation_for(exam, officer))


def accommodations_by_officer(officer) -> dict[int, ExamAccommodation]:
    """Every accommodation of the officer, by exam id (one query, for "my exams")."""
    return {row.exam_id: row for row in ExamAccommodation.objects.filter(officer=officer)}


def attempt_deadline(attempt: Attempt, terms: OfficerTerms) -> datetime.datetime:
    """The deadline the attempt must have (see the module docstring)."""
    base = min(attempt.started_at + terms.duration, terms.closes_at)
    return base + datetime.timedelta(seconds=attempt.time_added_seconds + attempt.paused_seconds)


def room_messages(exam: Exam, *, after: int = 0, limit: int = 20) -> list[dict]:
    """The exam's room messages after id ``after`` (the page remembers the last it showed)."""
    rows = ExamRoomMessage.objects.filter(exam=exam, pk__gt=after).order_by("pk").values("pk", "text", "sent_at")
    return [
        {"id": row["pk"], "text": row["text"], "sent_at": timezone.localtime(row["sent_at"]).strftime("%H:%M")}
        for row in list(rows)[-limit:]
    ]
