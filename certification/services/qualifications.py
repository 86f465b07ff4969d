"""Qualification records: grant and renew, approve or reject proposals, suspend, revoke, reinstate,
expire, remind — and the exam result hook that grants a qualification to whoever passes its exam.

Every change follows one shape: lock the record, check its status, change it, write a
``QualificationEvent`` (who, when, from, to, why) and an audit entry in the same transaction, and
send notifications after the commit.

There is one record per officer and type (a unique constraint): passing again, a new pathway or a
new manual grant renews it — new dates, reminders reset, a new certificate replacing the old one.
"""

from __future__ import annotations

import calendar
import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification import texts
from certification.models import (
    CertificationPolicy,
    Qualification,
    QualificationEvent,
    QualificationExam,
    QualificationSource,
    QualificationStatus,
    QualificationType,
)
from certification.selectors.qualifications import is_qualification_leader
from certification.services.certificates import certificate_issue
from people.models import Role, User
from portal.errors import CodedError
from portal.services import audit_log, notification_send
from portal.texts import StoredText, words_and_message

S = QualificationStatus

ERRORS = {
    "not_leader": _("Only a legal-brigade leader may do this."),
    "reason_required": _("Give a reason."),
    "evidence_required": _("Attach the evidence file or describe the evidence."),
    "inactive_type": _("This qualification type is no longer in use."),
    "suspended": _("This qualification is suspended: reinstate it instead of granting it again."),
    "revoked": _("This qualification was revoked: only a leader's manual grant or reinstatement restores it."),
    "not_proposed": _("This qualification is not awaiting approval."),
    "not_valid": _("Only a valid qualification can be suspended."),
    "cannot_revoke": _("This qualification cannot be revoked in its current status."),
    "cannot_reinstate": _("Only a suspended or revoked qualification can be reinstated."),
    "future_date": _("The grant date cannot be in the future."),
}

# The labels of ``QualificationEvent.action`` (the field is free text so new actions need no migration).
EVENT_LABELS = {
    "granted": _("Granted"),
    "renewed": _("Renewed"),
    "proposed": _("Proposed for approval"),
    "approved": _("Approved"),
    "rejected": _("Not approved"),
    "suspended": _("Suspended"),
    "revoked": _("Revoked"),
    "reinstated": _("Reinstated"),
    "expired": pgettext_lazy("no longer valid", "Expired"),
    "corrected": _("Withdrawn: exam result corrected"),
}

# Sources that only propose a qualification whose type needs a leader's approval. A manual grant by
# a leader is itself the approval.
PROPOSING_SOURCES = {QualificationSource.EXAM, QualificationSource.PATHWAY, QualificationSource.EVIDENCE}


class QualificationError(CodedError):
    errors = ERRORS


def _user(actor) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _record_url(record: Qualification) -> str:
    return reverse("certification:qualification_detail", args=[record.pk])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(qualification_type: QualificationType, granted_on: datetime.date) -> datetime.date | None:
    """The last valid day: ``validity_months`` after the grant (the day before the anniversary)."""
    if not qualification_type.validity_months:
        return None
    return add_months(granted_on, qualification_type.validity_months) - datetime.timedelta(days=1)


def _event(record: Qualification, *, action: str, from_status: str, actor, reason: str | StoredText = "") -> None:
    words, message = words_and_message(reason, 300)
    QualificationEvent.objects.create(
        qualification=record,
        action=action,
        from_status=from_status,
        to_status=record.status,
        reason=words,
        reason_message=message,
        actor=_user(actor),
    )
    audit_log(
        actor=actor,
        action=f"certification.qualification.{action}",
        target=record,
        data={
            "officer": record.officer_id,
            "type": record.qualification_type.code,
            "from": from_status,
            "to": record.status,
            "reason": reason,
            "granted_on": record.granted_on,
            "expires_on": record.expires_on,
        },
    )


def _notify_officer(record: Qualification, title, body, kind: str) -> None:
    officer, url = record.officer, _record_url(record)
    transaction.on_commit(lambda: notification_send(recipient=officer, title=title, body=body, url=url, kind=kind))


def _notify_leaders(record: Qualification) -> None:
    """A proposal waits for a legal-brigade leader: tell them all."""
    url = _record_url(record)
    name, qualification = record.officer.name, record.qualification_type.name

    def send():
        leaders = User.objects.filter(groups__name=Role.LEGAL_LEADER, is_active=True).distinct()
        for leader in leaders:
            notification_send(
                recipient=leader,
                title=texts.QUALIFICATION_AWAITING(name=name, qualification=qualification),
                body=_("Review the evidence and approve or reject it."),
                url=url,
                kind="certification.qualification.proposed",
            )

    transaction.on_commit(send)


def _lock(record: Qualification) -> Qualification:
    return (
        Qualification.objects.select_for_update(of=("self",))
        .select_related("officer", "qualification_type")
        .get(pk=record.pk)
    )


def _lock_or_create(officer, qualification_type: QualificationType, source: str) -> tuple[Qualification, bool]:
    """The officer's record of the type, locked; created (status proposed, no dates yet) when there
    is none. Two grants racing to create it: the unique constraint rejects the second insert, which
    then locks the row the first one made."""
    existing = Qualification.objects.filter(officer=officer, qualification_type=qualification_type).first()
    if existing is not None:
        return _lock(existing), False
    try:
        with transaction.atomic():
            record = Qualification.objects.create(
                officer=officer, qualification_type=qualification_type, status=S.PROPOSED, source=source
            )
    except IntegrityError:
        existing = Qualification.objects.get(officer=officer, qualification_type=qualification_type)
        return _lock(existing), False
    return _lock(record), True


def qualification_grant(
    *,
    officer,
    qualification_type: QualificationType,
    source: str,
    actor,
    granted_on: datetime.date | None = None,
    source_attempt=None,
    source_pathway=None,
    evidence=None,
    evidence_note: str = "",
    reason: str = "",
) -> Qualification:
    """Grant (or renew) ``officer``'s record of ``qualification_type``, or propose it.

    Valid at once, with a new certificate, unless the type needs a leader's approval and the source
    is an exam, the pathway or evidence — then the record waits as proposed and the leaders are told.
    Renewing a record that is valid today needs no new approval (recertification of an approved
    qualification). A manual grant must come from a legal-brigade leader with a reason; evidence
    needs a file or a note. Suspended records are reinstated, not granted again; revoked ones come
    back only by a leader's manual grant."""
    reason = (reason or "").strip()
    evidence_note = (evidence_note or "").strip()
    if not qualification_type.active:
        raise QualificationError("inactive_type")
    if source == QualificationSource.MANUAL:
        if not is_qualification_leader(actor):
            raise QualificationError("not_leader")
        if not reason:
            raise QualificationError("reason_required")
    if source == QualificationSource.EVIDENCE and not (evidence or evidence_note):
        raise QualificationError("evidence_required")
    today = timezone.localdate()
    granted_on = granted_on or today
    if granted_on > today:
        raise QualificationError("future_date")

    with transaction.atomic():
        record, created = _lock_or_create(officer, qualification_type, source)
        previous = "" if created else record.status
        if previous == S.SUSPENDED:
            raise QualificationError("suspended")
        if previous == S.REVOKED and source != QualificationSource.MANUAL:
            raise QualificationError("revoked")
        valid_now = previous == S.VALID and record.is_valid_on(today)
        proposing = qualification_type.requires_approval and source in PROPOSING_SOURCES and not valid_now

        record.source = source
        record.source_attempt = source_attempt
        record.source_pathway = source_pathway
        if evidence:
            record.evidence = evidence
        record.evidence_note = evidence_note[:300]
        record.reason = reason[:300]
        record.updated_at = timezone.now()
        if proposing:
            record.status = S.PROPOSED
            record.granted_on = record.expires_on = None
            record.approved_by = None
            action = "proposed"
        else:
            record.status = S.VALID
            record.granted_on = granted_on
            record.expires_on = expiry_for(qualification_type, granted_on)
            record.approved_by = _user(actor) if source == QualificationSource.MANUAL else None
            action = "renewed" if previous in (S.VALID, S.EXPIRED) else "granted"
        record.reminders_sent = []
        record.save()
        _event(record, action=action, from_status=previous, actor=actor, reason=reason or evidence_note)
        if proposing:
            _notify_leaders(record)
        else:
            certificate_issue(qualification=record, actor=actor)
            _notify_granted(record)
    return record


def _notify_granted(record: Qualification) -> None:
    name = record.qualification_type.name
    _notify_officer(
        record,
        lambda: _("Qualification granted: %(qualification)s") % {"qualification": name},
        lambda: _("Your certificate is ready to download."),
        "certification.qualification.granted",
    )


def _require_leader(actor) -> None:
    if not is_qualification_leader(actor):
        raise QualificationError("not_leader")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise QualificationError("reason_required")
    return reason


def qualification_approve(*, qualification: Qualification, actor, reason: str = "") -> Qualification:
    """A leader approves a proposal: valid from today, with a certificate."""
    _require_leader(actor)
    today = timezone.localdate()
    with transaction.atomic():
        record = _lock(qualification)
        if record.status != S.PROPOSED:
            raise QualificationError("not_proposed")
        record.status = S.VALID
        record.granted_on = today
        record.expires_on = expiry_for(record.qualification_type, today)
        record.approved_by = _user(actor)
        record.reminders_sent = []
        record.updated_at = timezone.now()
        record.save(update_fields=["status", "granted_on", "expires_on", "approved_by", "reminders_sent", "updated_at"])
        _event(record, action="approved", from_status=S.PROPOSED, actor=actor, reason=(reason or "").strip())
        certificate_issue(qualification=record, actor=actor)
        _notify_granted(record)
    return record


def qualification_reject(*, qualification: Qualification, actor, reason: str) -> Qualification:
    _require_leader(actor)
    reason = _require_reason(reason)
    with transaction.atomic():
        record = _lock(qualification)
        if record.status != S.PROPOSED:
            raise QualificationError("not_proposed")
        record.status = S.REJECTED
        record.updated_at = timezone.now()
        record.save(update_fields=["status", "updated_at"])
        _event(record, action="rejected", from_status=S.PROPOSED, actor=actor, reason=reason)
        name = record.qualification_type.name
        _notify_officer(
            record,
            texts.QUALIFICATION_NOT_APPROVED(qualification=name),
            reason,
            "certification.qualification.rejected",
        )
    return record


def _change(
    record: Qualification, *, to_status: str, action: str, actor, reason: str | StoredText, title
) -> Qualification:
    previous = record.status
    record.status = to_status
    record.updated_at = timezone.now()
    record.save(update_fields=["status", "updated_at"])
    _event(record, action=action, from_status=previous, actor=actor, reason=reason)
    _notify_officer(record, title, reason, f"certification.qualification.{action}")
    return record


def qualification_suspend(*, qualification: Qualification, actor, reason: str) -> Qualification:
    """Suspend a valid qualification (e.g. during an investigation): the certificate verifies as
    suspended and the ladder no longer counts it until it is reinstated."""
    _require_leader(actor)
    reason = _require_reason(reason)
    with transaction.atomic():
        record = _lock(qualification)
        if record.status != S.VALID:
            raise QualificationError("not_valid")
        name = record.qualification_type.name
        return _change(
            record,
            to_status=S.SUSPENDED,
            action="suspended",
            actor=actor,
            reason=reason,
            title=texts.QUALIFICATION_SUSPENDED(qualification=name),
        )


def qualification_revoke(*, qualification: Qualification, actor, reason: str) -> Qualification:
    _require_leader(actor)
    reason = _require_reason(reason)
    with transaction.atomic():
        record = _lock(qualification)
        if record.status not in (S.VALID, S.SUSPENDED, S.EXPIRED):
            raise QualificationError("cannot_revoke")
        name = record.qualification_type.name
        return _change(
            record,
            to_status=S.REVOKED,
            action="revoked",
            actor=actor,
            reason=reason,
            title=texts.QUALIFICATION_REVOKED(qualification=name),
        )


def qualification_reinstate(*, qualification: Qualification, actor, reason: str) -> Qualification:
    """Undo a suspension or revocation: valid again until its expiry date (already past → expired).
    The current certificate verifies as valid again; no new one is issued."""
    _require_leader(actor)
    reason = _require_reason(reason)
    today = timezone.localdate()
    with transaction.atomic():
        record = _lock(qualification)
        if record.status not in (S.SUSPENDED, S.REVOKED):
            raise QualificationError("cannot_reinstate")
        expired = record.expires_on is not None and record.expires_on < today
        name = record.qualification_type.name
        return _change(
            record,
            to_status=S.EXPIRED if expired else S.VALID,
            action="reinstated",
            actor=actor,
            reason=reason,
            title=texts.QUALIFICATION_REINSTATED(qualification=name),
        )


# --- schedule -----------------------------------------------------------------------------------


def qualifications_expire_and_remind(today: datetime.date | None = None) -> int:
    """Nightly: valid records past their expiry become expired (with an event); records expiring
    within the policy's reminder days get one reminder per reminder day and expiry date (a missed
    night sends the nearest one only). Returns how many records were expired or reminded."""
    today = today or timezone.localdate()
    changed = 0
    for pk in Qualification.objects.filter(status=S.VALID, expires_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            record = _lock(Qualification(pk=pk))
            if record.status != S.VALID or record.expires_on is None or record.expires_on >= today:
                continue
            name = record.qualification_type.name
            _change(
                record,
                to_status=S.EXPIRED,
                action="expired",
                actor=None,
                reason="",
                title=texts.QUALIFICATION_EXPIRED(qualification=name),
            )
            changed += 1

    days = CertificationPolicy.current().reminder_day_list
    if not days:
        return changed
    window_end = today + datetime.timedelta(days=max(days))
    expiring = Qualification.objects.filter(status=S.VALID, expires_on__gte=today, expires_on__lte=window_end)
    for pk in expiring.values_list("pk", flat=True):
        with transaction.atomic():
            record = _lock(Qualification(pk=pk))
            if record.status != S.VALID or record.expires_on is None:
                continue
            left = (record.expires_on - today).days
            sent = {int(day) for day in record.reminders_sent}
            due = [day for day in days if left <= day and day not in sent]
            if not due:
                continue
            record.reminders_sent = sorted(sent | set(due), reverse=True)
            record.save(update_fields=["reminders_sent"])
            _remind(record, left)
            changed += 1
    return changed


def _remind(record: Qualification, left: int) -> None:
    name, expires_on = record.qualification_type.name, record.expires_on.isoformat()
    _notify_officer(
        record,
        lambda: _("%(qualification)s expires in %(days)s days") % {"qualification": name, "days": left},
        lambda: _("Valid until %(date)s. Pass the qualification exam again to renew it.") % {"date": expires_on},
        "certification.qualification.expiring",
    )


# --- the exam result hook -----------------------------------------------------------------------


def qualification_from_attempt(*, attempt, actor=None) -> Qualification | None:
    """EXAMS_RESULT_HOOKS: passing a qualification exam grants (or proposes) its qualification.

    Idempotent: an attempt that already granted the record grants nothing again; a later passing
    attempt renews it (recertification); an earlier one is ignored. Failing does nothing — unless a
    key correction turned the attempt that granted the record into a fail, which withdraws it.
    A suspended or revoked record is left alone (a leader decides), and never fails the grading."""
    link = QualificationExam.objects.filter(exam_id=attempt.exam_id).select_related("qualification_type").first()
    if link is None:
        return None
    qualification_type = link.qualification_type
    record = (
        Qualification.objects.filter(officer_id=attempt.officer_id, qualification_type=qualification_type)
        .select_related("source_attempt")
        .first()
    )
    if not attempt.passed:
        if record is not None and record.source_attempt_id == attempt.pk and record.status in (S.VALID, S.PROPOSED):
            return _withdraw_corrected(record, attempt)
        return record
    if record is not None:
        if record.source_attempt_id == attempt.pk:
            return record
        earlier = record.source_attempt
        if (
            earlier is not None
            and earlier.submitted_at
            and attempt.submitted_at
            and earlier.submitted_at > attempt.submitted_at
        ):
            return record
        if record.status in (S.SUSPENDED, S.REVOKED) or (not qualification_type.active):
            audit_log(
                actor=actor,
                action="certification.qualification.not_renewed",
                target=record,
                data={"attempt": attempt.pk, "status": record.status, "active_type": qualification_type.active},
            )
            return record
    if not qualification_type.active:
        return None
    officer = User.objects.get(pk=attempt.officer_id)
    return qualification_grant(
        officer=officer,
        qualification_type=qualification_type,
        source=QualificationSource.EXAM,
        actor=actor,
        source_attempt=attempt,
    )


def _withdraw_corrected(record: Qualification, attempt) -> Qualification:
    with transaction.atomic():
        record = _lock(record)
        name = record.qualification_type.name
        return _change(
            record,
            to_status=S.REVOKED,
            action="corrected",
            actor=None,
            reason=texts.QUALIFICATION_CORRECTED_REASON(attempt=attempt.pk),
            title=texts.QUALIFICATION_CORRECTED(qualification=name),
        )
