"""The invigilation board (考务监控): every examinee of one exam, what they are doing now, for the
invigilator's page and its 5-second poll.

The poll runs every 5 s per open board while up to a thousand examinees autosave, so the board is
read with a FIXED number of queries whatever the number of examinees: the examinee list (the
eligibility rule's own queryset, as ``values()`` rows, cached for
``EXAMS_BOARD_EXAMINEES_CACHE_SECONDS``, 15 by default: a roster change reaches the board within
that), the attempts of the exam, one grouped aggregate over their answers, and the exemptions,
absences and accommodations of the exam — no query per row, no model instances.
``tests/exams/test_invigilation.py`` holds it to that; ``bench/exam_load.py`` measures it with
1,000 examinees (docs/PERFORMANCE.md).

Which attempt a row reports: the one in progress, else the latest started one. States, in the order
the board counts them: not started, in progress, submitted (graded, released and expired count as
submitted: the examinee is done), absent (``ExamAbsence``), exempt (``ExamExemption``) — an
examinee who started shows the attempt's state even when marked absent or exempted afterwards.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.models import Answer, Attempt, AttemptState, Exam, ExamAbsence, ExamAccommodation, ExamExemption
from exams.selectors.eligibility import exam_examinees
from people.models import Unit

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
ABSENT = "absent"
EXEMPT = "exempt"
BOARD_STATES = (NOT_STARTED, IN_PROGRESS, SUBMITTED, ABSENT, EXEMPT)
STATE_LABELS = {
    NOT_STARTED: _("Not started"),
    IN_PROGRESS: _("In progress"),
    SUBMITTED: _("Submitted"),
    ABSENT: _("Absent"),
    EXEMPT: _("Exempt"),
}
FINISHED = (AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED, AttemptState.EXPIRED)

OFFICER_FIELDS = ("name", "police_number", "unit_id", "unit__name", "unit__path")


@dataclass
class BoardRow:
    officer_id: int
    name: str
    police_number: str
    unit_name: str
    unit_path: str
    state: str  # one of BOARD_STATES
    attempt_id: int | None = None
    attempt_state: str = ""  # the attempt's own state (graded, released…) when there is one
    started_at: datetime.datetime | None = None
    deadline: datetime.datetime | None = None
    last_save: datetime.datetime | None = None
    answered: int = 0
    remaining_seconds: int | None = None  # while in progress
    focus_losses: int = 0
    device_changes: int = 0
    paused: bool = False
    accommodation: bool = False
    no_contact: bool = False


@dataclass
class Board:
    exam: Exam
    rows: list[BoardRow]  # the rows the filters let through, by police number
    counts: dict[str, int]  # per state, within the unit filter
    total: int  # rows within the unit filter
    generated_at: datetime.datetime
    state: str = ""
    unit: Unit | None = None


def _remaining(deadline, paused_at, now) -> int:
    """``exams.selectors.taking.remaining_seconds`` on plain values (no model instance)."""
    if deadline is None:
        return 0
    return max(0, int((deadline - (paused_at or now)).total_seconds()))


def _reported(attempts: list[dict]) -> dict | None:
    started = [a for a in attempts if a["state"] != AttemptState.NOT_STARTED]
    for attempt in started:
        if attempt["state"] == AttemptState.IN_PROGRESS:
            return attempt
    return max(started, key=lambda a: a["number"]) if started else None


def _officer(values: dict, prefix: str = "") -> dict:
    return {field: values[prefix + field] for field in OFFICER_FIELDS}


def _examinees(exam: Exam) -> dict[int, dict]:
    """The exam's examinees (officer id → name, number, unit), kept for a few seconds: the audience
    rule is the board's most expensive read and changes rarely, while attempts, exemptions and
    absences (read live) change by the second. Keyed by the exam's creation time as well as its
    key, so a key reused by another database (tests) never meets an old list."""
    seconds = settings.EXAMS_BOARD_EXAMINEES_CACHE_SECONDS
    key = f"exams:board:examinees:{exam.pk}:{exam.created_at.timestamp()}"
    officers = cache.get(key) if seconds else None
    if officers is None:
        officers = {values["pk"]: _officer(values) for values in exam_examinees(exam).values("pk", *OFFICER_FIELDS)}
        if seconds:
            cache.set(key, officers, seconds)
    return officers


def board_rows(exam: Exam, *, now: datetime.datetime | None = None) -> list[BoardRow]:
    """Every examinee of the exam with what the board shows, by police number (fixed queries)."""
    now = now or timezone.now()
    officers = dict(_examinees(exam))
    attempts: dict[int, list[dict]] = {}
    for values in Attempt.objects.filter(exam=exam).values(
        "pk",
        "officer_id",
        "number",
        "state",
        "started_at",
        "deadline",
        "paused_at",
        "focus_losses",
        "device_changes",
        "last_seen_at",
        *(f"officer__{field}" for field in OFFICER_FIELDS),
    ):
        attempts.setdefault(values["officer_id"], []).append(values)
        officers.setdefault(values["officer_id"], _officer(values, "officer__"))
    exempted = set()
    for values in ExamExemption.objects.filter(exam=exam).values(
        "officer_id", *(f"officer__{field}" for field in OFFICER_FIELDS)
    ):
        exempted.add(values["officer_id"])
        officers.setdefault(values["officer_id"], _officer(values, "officer__"))
    absent = set(ExamAbsence.objects.filter(exam=exam).values_list("officer_id", flat=True))
    accommodated = set(ExamAccommodation.objects.filter(exam=exam).values_list("officer_id", flat=True))
    saves = {
        values["attempt_id"]: values
        for values in Answer.objects.filter(attempt__exam=exam)
        .values("attempt_id")
        .annotate(last_save=Max("saved_at"), answered=Count("pk", filter=Q(response__isnull=False)))
        .order_by()
    }
    silence = datetime.timedelta(seconds=settings.EXAMS_NO_CONTACT_SECONDS)

    rows = []
    for officer_id, officer in officers.items():
        row = BoardRow(
            officer_id=officer_id,
            name=officer["name"],
            police_number=officer["police_number"],
            unit_name=officer["unit__name"] or "",
            unit_path=officer["unit__path"] or "",
            state=NOT_STARTED,
            accommodation=officer_id in accommodated,
        )
        attempt = _reported(attempts.get(officer_id, []))
        if attempt is not None:
            save = saves.get(attempt["pk"], {})
            row.attempt_id, row.attempt_state = attempt["pk"], attempt["state"]
            row.started_at, row.deadline = attempt["started_at"], attempt["deadline"]
            row.last_save, row.answered = save.get("last_save"), save.get("answered", 0)
            row.focus_losses, row.device_changes = attempt["focus_losses"], attempt["device_changes"]
            if attempt["state"] == AttemptState.IN_PROGRESS:
                row.state = IN_PROGRESS
                row.paused = attempt["paused_at"] is not None
                row.remaining_seconds = _remaining(attempt["deadline"], attempt["paused_at"], now)
                contact = max(
                    moment
                    for moment in (attempt["started_at"], row.last_save, attempt["last_seen_at"])
                    if moment is not None
                )
                row.no_contact = now - contact > silence
            else:
                row.state = SUBMITTED
        elif officer_id in exempted:
            row.state = EXEMPT
        elif officer_id in absent:
            row.state = ABSENT
        rows.append(row)
    rows.sort(key=lambda row: row.police_number)
    return rows


def invigilation_board(
    exam: Exam, *, state: str = "", unit: Unit | None = None, now: datetime.datetime | None = None
) -> Board:
    """The board of the exam: rows within ``unit``'s subtree (every unit when None) in ``state``
    (every state when empty), and the count of each state within the unit."""
    now = now or timezone.now()
    rows = board_rows(exam, now=now)
    if unit is not None:
        rows = [row for row in rows if row.unit_path.startswith(unit.path)]
    counts = Counter(row.state for row in rows)
    state = state if state in BOARD_STATES else ""
    return Board(
        exam=exam,
        rows=[row for row in rows if row.state == state] if state else rows,
        counts={code: counts.get(code, 0) for code in BOARD_STATES},
        total=len(rows),
        generated_at=now,
        state=state,
        unit=unit,
    )
