"""The reserve talent pool (法制后备人才库, seed item 9): nominate, decide, end, the nightly review,
activities and attendance.

The legal brigade nominates an officer who holds a valid basis (法律职业资格 or 高级执法资格); a
legal-brigade leader approves (member from that day) or rejects with a note. A membership ends by
hand with a reason, or at the nightly review when its officer left or its basis lapsed — unless the
officer holds another valid basis, which then becomes the membership's basis. Every change is
audited in the same transaction; the officer is notified after the commit.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification import texts
from certification.models import (
    AttendanceStatus,
    MemberStatus,
    PoolActivity,
    PoolAttendance,
    QualificationStatus,
    ReserveMember,
)
from certification.models.pool import ActivityKind
from certification.selectors.pool import (
    OPEN_STATUSES,
    can_decide_pool,
    can_manage_pool,
    is_in_service,
    is_valid_basis,
    members_active_on,
    officer_valid_bases,
)
from people.models import OfficerStatus, Role, User
from portal.errors import CodedError
from portal.services import audit_log, notification_send
from portal.texts import StoredText, words_and_message

ERRORS = {
    "not_manager": _("Only the legal brigade may do this."),
    "not_leader": _("Only a legal-brigade leader may decide a nomination."),
    "not_in_service": _("This officer is not in service."),
    "no_basis": _(
        "This officer holds no valid legal professional qualification or advanced law-enforcement "
        "qualification for the membership to rest on: nothing was changed."
    ),
    "already_open": _("This officer is already nominated or a member of the pool."),
    "reason_required": _("Give a reason."),
    "note_required": _("Give the reason for not approving."),
    "not_nominated": _("This nomination was already decided."),
    "not_active": _("Only an active membership can be ended."),
    "title_required": _("Give the activity a title."),
    "bad_kind": _("Choose the kind of activity from the list."),
    "future_activity": _("Attendance can be recorded once the activity has taken place."),
    "not_on_roster": _("%(name)s was not a member of the pool on the activity's date."),
    "bad_status": _("Choose present, excused or absent for every member."),
}


class PoolError(CodedError):
    errors = ERRORS


def _member_url(member: ReserveMember) -> str:
    return reverse("certification:pool_member", args=[member.pk])


def _lock(member: ReserveMember) -> ReserveMember:
    return (
        ReserveMember.objects.select_for_update(of=("self",))
        .select_related("officer", "basis", "basis__qualification_type")
        .get(pk=member.pk)
    )


def _audit(member: ReserveMember, verb: str, actor, **data) -> None:
    audit_log(
        actor=actor,
        action=f"certification.pool.{verb}",
        target=member,
        data={
            "officer": member.officer_id,
            "status": member.status,
            "basis": member.basis.qualification_type.code if member.basis_id else "",
            **data,
        },
    )


def _notify(member: ReserveMember, title, body, kind: str) -> None:
    officer, url = member.officer, _member_url(member)
    transaction.on_commit(lambda: notification_send(recipient=officer, title=title, body=body, url=url, kind=kind))


def _notify_leaders(member: ReserveMember) -> None:
    url, name = _member_url(member), member.officer.name

    def send():
        leaders = User.objects.filter(groups__name=Role.LEGAL_LEADER, is_active=True).distinct()
        for leader in leaders:
            notification_send(
                recipient=leader,
                title=texts.POOL_NOMINATION_WAITING(name=name),
                body=_("Approve or reject the nomination on the reserve talent pool page."),
                url=url,
                kind="certification.pool.nominated",
            )

    transaction.on_commit(send)


# --- nominations and decisions --------------------------------------------------------------------


def pool_nominate(*, officer: User, basis, reason: str, actor) -> ReserveMember:
    """The legal brigade nominates ``officer`` on ``basis`` (one of the officer's valid basis
    records); the leaders are told. Refused when the officer is not in service, the basis is not a
    valid basis of theirs, or they already have an open membership (a double submit included)."""
    if not can_manage_pool(actor):
        raise PoolError("not_manager")
    reason = (reason or "").strip()
    if not reason:
        raise PoolError("reason_required")
    if not is_in_service(officer):
        raise PoolError("not_in_service")
    if not is_valid_basis(basis, officer):
        raise PoolError("no_basis")
    if ReserveMember.objects.filter(officer=officer, status__in=OPEN_STATUSES).exists():
        raise PoolError("already_open")
    try:
        with transaction.atomic():
            member = ReserveMember.objects.create(
                officer=officer,
                basis=basis,
                status=MemberStatus.NOMINATED,
                nomination_reason=reason[:300],
                nominated_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            _audit(member, "nominated", actor, reason=reason)
            _notify_leaders(member)
    except IntegrityError as race:
        raise PoolError("already_open") from race
    return member


def pool_decide(*, member: ReserveMember, approve: bool, note: str, actor) -> ReserveMember:
    """A leader approves (member from today) or rejects (with a note) a nomination. Approving
    re-checks the basis: lapsed since the nomination, another valid basis of the officer's takes its
    place; none left, the approval is refused."""
    if not can_decide_pool(actor):
        raise PoolError("not_leader")
    note = (note or "").strip()
    if not approve and not note:
        raise PoolError("note_required")
    today = timezone.localdate()
    with transaction.atomic():
        member = _lock(member)
        if member.status != MemberStatus.NOMINATED:
            raise PoolError("not_nominated")
        data = {"note": note}
        if approve:
            if not is_in_service(member.officer):
                raise PoolError("not_in_service")
            if not is_valid_basis(member.basis, member.officer, today):
                bases = officer_valid_bases(member.officer, today)
                if not bases:
                    raise PoolError("no_basis")
                data["basis_before"] = member.basis.qualification_type.code if member.basis_id else ""
                member.basis = bases[0]
            member.status = MemberStatus.ACTIVE
            member.started_on = today
        else:
            member.status = MemberStatus.REJECTED
        member.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        member.decided_at = timezone.now()
        member.decision_note = note[:300]
        member.save(update_fields=["status", "basis", "started_on", "decided_by", "decided_at", "decision_note"])
        _audit(member, "approved" if approve else "rejected", actor, **data)
        if approve:
            _notify(
                member,
                _("You joined the legal reserve talent pool"),
                _("The legal brigade will invite you to the pool's study research and case discussions."),
                "certification.pool.approved",
            )
        else:
            _notify(member, _("Your reserve pool nomination was not approved"), note, "certification.pool.rejected")
    return member


def _end(member: ReserveMember, *, reason: str | StoredText, cause: str, actor, today: datetime.date) -> ReserveMember:
    """``reason``: typed by the legal brigade, or generated by the nightly review (kept as a key)."""
    member.status = MemberStatus.ENDED
    member.ended_on = today
    member.end_reason, member.end_reason_message = words_and_message(reason, 300)
    member.save(update_fields=["status", "ended_on", "end_reason", "end_reason_message"])
    _audit(member, "ended", actor, cause=cause, reason=reason)
    _notify(
        member,
        _("Your membership of the legal reserve talent pool ended"),
        reason,
        "certification.pool.ended",
    )
    return member


def pool_member_end(*, member: ReserveMember, reason: str, actor) -> ReserveMember:
    """The legal brigade ends an active membership by hand, with a reason."""
    if not can_manage_pool(actor):
        raise PoolError("not_manager")
    reason = (reason or "").strip()
    if not reason:
        raise PoolError("reason_required")
    with transaction.atomic():
        member = _lock(member)
        if member.status != MemberStatus.ACTIVE:
            raise PoolError("not_active")
        return _end(member, reason=reason, cause="manual", actor=actor, today=timezone.localdate())


# --- the nightly review ---------------------------------------------------------------------------


def _lapse_reason(member: ReserveMember, today: datetime.date) -> tuple[str, StoredText] | None:
    """Why an active membership can no longer stand, as (cause, reason as a stored text shown in
    the reader's language), or None while its officer is in service and its basis valid."""
    officer = member.officer
    if officer.status == OfficerStatus.LEFT:
        return "officer_left", texts.POOL_OFFICER_LEFT()
    if not officer.is_active:
        return "officer_inactive", texts.POOL_OFFICER_INACTIVE()
    if is_valid_basis(member.basis, officer, today):
        return None
    if member.basis_id is None:
        return "basis_lapsed", texts.POOL_NO_BASIS()
    record = member.basis
    if record.expires_on is not None and record.expires_on < today:
        state = texts.POOL_BASIS_EXPIRED_ON(date=record.expires_on)
    else:
        state = QualificationStatus(record.status)
    return "basis_lapsed", texts.POOL_BASIS_LAPSED(qualification=record.qualification_type.name, state=state)


def pool_memberships_review(today: datetime.date | None = None) -> int:
    """Nightly: end active memberships whose officer left or was deactivated, or whose basis is no
    longer valid — switching to another valid basis of the officer's instead of ending when there
    is one. Returns how many memberships were ended or switched."""
    today = today or timezone.localdate()
    changed = 0
    for pk in ReserveMember.objects.filter(status=MemberStatus.ACTIVE).values_list("pk", flat=True):
        with transaction.atomic():
            member = _lock(ReserveMember(pk=pk))
            if member.status != MemberStatus.ACTIVE:
                continue
            lapse = _lapse_reason(member, today)
            if lapse is None:
                continue
            cause, reason = lapse
            if cause == "basis_lapsed" and (bases := officer_valid_bases(member.officer, today)):
                before = member.basis.qualification_type.code if member.basis_id else ""
                member.basis = bases[0]
                member.save(update_fields=["basis"])
                _audit(member, "basis_switched", None, basis_before=before, reason=reason)
                name = member.basis.qualification_type.name
                _notify(
                    member,
                    texts.POOL_BASIS_SWITCHED(qualification=name),
                    reason,
                    "certification.pool.basis_switched",
                )
            else:
                _end(member, reason=reason, cause=cause, actor=None, today=today)
            changed += 1
    return changed


# --- activities and attendance --------------------------------------------------------------------


ACTIVITY_FIELDS = ("title", "kind", "date", "place", "summary")


def _activity_values(title: str, kind: str, date: datetime.date, place: str, summary: str) -> dict:
    title = (title or "").strip()
    if not title:
        raise PoolError("title_required")
    if kind not in ActivityKind.values:
        raise PoolError("bad_kind")
    return {
        "title": title[:200],
        "kind": kind,
        "date": date,
        "place": (place or "").strip()[:200],
        "summary": (summary or "").strip(),
    }


def pool_activity_create(
    *, title: str, kind: str, date: datetime.date, place: str = "", summary: str = "", actor
) -> PoolActivity:
    if not can_manage_pool(actor):
        raise PoolError("not_manager")
    values = _activity_values(title, kind, date, place, summary)
    with transaction.atomic():
        activity = PoolActivity.objects.create(organiser=actor, **values)
        audit_log(actor=actor, action="certification.pool.activity_created", target=activity, data=values)
    return activity


def pool_activity_update(
    *, activity: PoolActivity, title: str, kind: str, date: datetime.date, place: str = "", summary: str = "", actor
) -> PoolActivity:
    """Change an activity; audited with what changed (nothing changed, nothing written)."""
    if not can_manage_pool(actor):
        raise PoolError("not_manager")
    values = _activity_values(title, kind, date, place, summary)
    with transaction.atomic():
        activity = PoolActivity.objects.select_for_update().get(pk=activity.pk)
        changes = {
            name: [getattr(activity, name), value] for name, value in values.items() if getattr(activity, name) != value
        }
        if changes:
            for name, value in values.items():
                setattr(activity, name, value)
            activity.save(update_fields=list(values))
            audit_log(actor=actor, action="certification.pool.activity_updated", target=activity, data=changes)
    return activity


def pool_attendance_record(*, activity: PoolActivity, entries: dict[int, tuple[str, str]], actor) -> int:
    """Record attendance: ``entries`` maps officer pk → (status, note). Only members active on the
    activity's date, only once the activity has taken place; any bad entry and nothing is written.
    Returns how many rows were created or changed."""
    if not can_manage_pool(actor):
        raise PoolError("not_manager")
    if activity.date > timezone.localdate():
        raise PoolError("future_activity")
    roster = {m.officer_id: m.officer for m in members_active_on(activity.date)}
    roster.update({row.officer_id: row.officer for row in activity.attendance.select_related("officer")})
    for officer_id, (status, _note) in entries.items():
        if officer_id not in roster:
            officer = User.objects.filter(pk=officer_id).first()
            raise PoolError("not_on_roster", name=officer.name if officer else str(officer_id))
        if status not in AttendanceStatus.values:
            raise PoolError("bad_status")
    changed = 0
    summary: dict[str, int] = {}
    with transaction.atomic():
        existing = {row.officer_id: row for row in PoolAttendance.objects.select_for_update().filter(activity=activity)}
        for officer_id, (status, note) in entries.items():
            note = (note or "").strip()[:200]
            summary[status] = summary.get(status, 0) + 1
            row = existing.get(officer_id)
            if row is None:
                PoolAttendance.objects.create(activity=activity, officer_id=officer_id, status=status, note=note)
                changed += 1
            elif (row.status, row.note) != (status, note):
                row.status, row.note = status, note
                row.save(update_fields=["status", "note"])
                changed += 1
        if changed:
            audit_log(
                actor=actor,
                action="certification.pool.attendance_recorded",
                target=activity,
                data={"changed": changed, "counts": summary},
            )
    return changed
