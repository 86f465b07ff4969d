"""Court-hearing attendance (庭审旁听, seed item 13): an officer records a hearing they attended, the
legal brigade verifies or rejects it; the points sequence membership and the yearly requirement.

Verification is a state change on the attendance (submitted → verified / rejected) recorded in the
audit log; the points ledger picks verified attendances up on its next rebuild, which runs right
after each decision so the officer's ledger follows at once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import texts
from certification.models import AttendanceState, CourtAttendance, CourtRequirement, PointsSequence, Sequence
from certification.selectors.court import is_court_reviewer
from certification.services.points import points_rebuild
from people.models import Unit, User
from portal.services import audit_log, notification_send

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


class CourtError(Exception):
    """A refusal the user can act on; the message is shown as is."""


def _check_evidence(evidence: UploadedFile | None) -> None:
    if evidence is None:
        return
    if not evidence.name.lower().endswith(EVIDENCE_EXTENSIONS):
        raise CourtError(_("The evidence must be a PDF, JPG or PNG file."))
    if evidence.size > EVIDENCE_MAX_BYTES:
        raise CourtError(_("The evidence file is larger than 10 MB."))


def court_attendance_record(
    *,
    officer: User,
    date: datetime.date,
    court: str,
    case: str,
    role: str,
    evidence: UploadedFile | None = None,
    note: str = "",
    actor: User,
) -> CourtAttendance:
    """Record a hearing ``officer`` attended. Officers record their own attendance only: the legal
    brigade verifies, it does not testify for someone else."""
    if actor.pk != officer.pk:
        raise CourtError(_("You can only record your own court attendance."))
    if date > timezone.localdate():
        raise CourtError(_("The hearing date cannot be in the future."))
    court, case = court.strip(), case.strip()
    if not court or not case:
        raise CourtError(_("Name the court and the case."))
    _check_evidence(evidence)
    with transaction.atomic():
        attendance = CourtAttendance(officer=officer, date=date, court=court, case=case, role=role, note=note.strip())
        if evidence is not None:
            attendance.evidence.save(evidence.name, evidence, save=False)
        attendance.save()
        audit_log(
            actor=actor,
            action="certification.court.recorded",
            target=attendance,
            data={"date": date.isoformat(), "court": court, "case": case, "role": role},
        )
    return attendance


def _decide(*, attendance: CourtAttendance, actor: User, state: str, reason: str = "") -> tuple[CourtAttendance, bool]:
    if not is_court_reviewer(actor):
        raise CourtError(_("Only the legal brigade verifies court attendance."))
    if attendance.officer_id == actor.pk:
        raise CourtError(_("You cannot verify or reject your own court attendance."))
    with transaction.atomic():
        locked = CourtAttendance.objects.select_for_update().select_related("officer").get(pk=attendance.pk)
        if locked.state == state:
            # A double submit (or two reviewers at once) repeats the decision harmlessly.
            return locked, False
        previous = locked.state
        locked.state = state
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.reject_reason = reason
        locked.save(update_fields=["state", "reviewed_by", "reviewed_at", "reject_reason"])
        audit_log(
            actor=actor,
            action=f"certification.court.{state}",
            target=locked,
            data={"from": previous, "to": state, "reason": reason},
        )
        court, case = locked.court, locked.case
        # Stored as keys: the officer reads them in the language chosen when reading (the reason
        # stays as the reviewer typed it).
        if state == AttendanceState.VERIFIED:
            title = gettext_lazy("Your court attendance was verified")
            body = texts.COURT_VERIFIED_BODY(court=court, case=case)
        else:
            title = gettext_lazy("Your court attendance was not accepted")
            body = texts.COURT_REJECTED_BODY(court=court, case=case, reason=reason)

        officer, url = locked.officer, reverse("certification:my_court")
        transaction.on_commit(
            lambda: notification_send(recipient=officer, title=title, body=body, url=url, kind="court")
        )
        points_rebuild(locked.officer, locked.date.year)
    return locked, True


def court_attendance_verify(*, attendance: CourtAttendance, actor: User) -> tuple[CourtAttendance, bool]:
    """Verify; returns the attendance and whether anything changed (False for a repeat)."""
    return _decide(attendance=attendance, actor=actor, state=AttendanceState.VERIFIED)


def court_attendance_reject(*, attendance: CourtAttendance, reason: str, actor: User) -> tuple[CourtAttendance, bool]:
    reason = (reason or "").strip()
    if not reason:
        raise CourtError(_("Give the reason for rejecting the attendance."))
    return _decide(attendance=attendance, actor=actor, state=AttendanceState.REJECTED, reason=reason)


def court_requirement_set(
    *, year: int, sequence: str, required: int, points_each: Decimal, actor: User
) -> CourtRequirement:
    with transaction.atomic():
        requirement, created = CourtRequirement.objects.update_or_create(
            year=year, sequence=sequence, defaults={"required": required, "points_each": points_each}
        )
        audit_log(
            actor=actor,
            action="certification.court.requirement_set",
            target=requirement,
            data={
                "year": year,
                "sequence": sequence,
                "required": required,
                "points_each": str(points_each),
                "created": created,
            },
        )
    return requirement


def points_sequence_assign(
    *, officers: list[User], sequence: str = Sequence.CASE_HANDLING, actor: User, since: datetime.date | None = None
) -> int:
    """Put ``officers`` in ``sequence``; returns how many memberships were created or changed."""
    since = since or timezone.localdate()
    changed = 0
    with transaction.atomic():
        for officer in officers:
            membership = PointsSequence.objects.filter(officer=officer).first()
            if membership is None:
                PointsSequence.objects.create(officer=officer, sequence=sequence, since=since)
            elif membership.sequence != sequence:
                membership.sequence, membership.since = sequence, since
                membership.save(update_fields=["sequence", "since"])
            else:
                continue
            changed += 1
        audit_log(
            actor=actor,
            action="certification.points_sequence.assigned",
            data={
                "sequence": sequence,
                "officers": [officer.police_number for officer in officers],
                "changed": changed,
            },
        )
    return changed


def points_sequence_assign_unit(*, unit: Unit, actor: User, sequence: str = Sequence.CASE_HANDLING) -> int:
    """Everyone active in ``unit`` and the units below it."""
    officers = list(User.objects.filter(unit__path__startswith=unit.path, is_active=True).order_by("police_number"))
    return points_sequence_assign(officers=officers, sequence=sequence, actor=actor)


def points_sequence_remove(*, officer: User, actor: User) -> bool:
    with transaction.atomic():
        deleted, _rows = PointsSequence.objects.filter(officer=officer).delete()
        if deleted:
            audit_log(actor=actor, action="certification.points_sequence.removed", target=officer, data={})
    return bool(deleted)
