"""The "123" new-officer pathway (seed item 6): enrolment, shadowing logs, phase moves, the
lead-officer test's result, completion, withdrawal and overdue flags.

Every phase move (and every extension) leaves a ``PathwayTransition`` row and an audit entry.
Planned dues come from ``CertificationPolicy`` in calendar months, never from fixed numbers.
Granting 主办民警资格 itself is the qualification hook's work (it runs first in
``EXAMS_RESULT_HOOKS``); this module only moves the pathway.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import texts
from certification.models import (
    CertificationPolicy,
    LogStatus,
    MentorBinding,
    Pathway,
    PathwayPhase,
    PathwayTransition,
    ShadowingLogEntry,
    WorkType,
)
from certification.selectors.pathway import (
    ACTIVE_PHASES,
    active_binding,
    add_months,
    is_legal_brigade_staff,
    phase1_log_counts,
)
from people.models import Role, User
from portal.models import AuditEntry
from portal.services import audit_log, notification_send
from portal.texts import StoredText, words_and_message

LEAD_OFFICER_CODE = "lead_officer"
MIN_LOG_HOURS = Decimal("0.5")
MAX_LOG_HOURS = Decimal("24")


class PathwayError(Exception):
    """A refused pathway action; the message is one sentence for the user."""


def _user_or_none(actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _transition(
    pathway: Pathway,
    *,
    from_phase: str,
    to_phase: str,
    actor,
    reason: str | StoredText = "",
    extension_days: int = 0,
):
    """A typed reason is kept as typed; a generated one as its key (shown in the reader's language)."""
    words, message = words_and_message(reason, 300)
    return PathwayTransition.objects.create(
        pathway=pathway,
        from_phase=from_phase,
        to_phase=to_phase,
        reason=words,
        reason_message=message,
        extension_days=extension_days,
        actor=_user_or_none(actor),
    )


def _locked(pathway: Pathway) -> Pathway:
    return Pathway.objects.select_for_update(of=("self",)).select_related("officer").get(pk=pathway.pk)


def _pathway_url(pathway: Pathway) -> str:
    return reverse("certification:pathway_detail", args=[pathway.pk])


def _refresh(target: Pathway, source: Pathway) -> None:
    for field in (
        "phase",
        "phase_started_on",
        "phase1_due",
        "phase2_due",
        "phase3_due",
        "extension_days",
        "retake_from",
        "completed_on",
        "overdue_notified_on",
    ):
        setattr(target, field, getattr(source, field))


def _recompute_case_shares(officer_id: int) -> None:
    # Cases dated in a phase-3 window count for the mentor; a phase move may open or close it.
    from certification.services.cases import case_shares_recompute_for_officer

    case_shares_recompute_for_officer(officer_id=officer_id)


# --- Enrolment --------------------------------------------------------------------------------


def pathway_enrol(*, officer: User, start_date: datetime.date | None = None, actor) -> Pathway:
    """Enrol a new officer; planned dues follow the policy's phase lengths from ``start_date``.

    Idempotent: an officer who already has a pathway (in any phase) gets that one back unchanged,
    so the personnel import may set 新警 again without a second enrolment."""
    start = start_date or timezone.localdate()
    policy = CertificationPolicy.current()
    with transaction.atomic():
        existing = Pathway.objects.filter(officer=officer).first()
        if existing is not None:
            return existing
        pathway = Pathway.objects.create(
            officer=officer,
            phase=PathwayPhase.PHASE1,
            start_date=start,
            phase_started_on=start,
            phase1_due=add_months(start, policy.phase1_months),
            phase2_due=add_months(start, policy.phase1_months + policy.phase2_months),
            phase3_due=add_months(start, policy.phase1_months + policy.phase2_months + policy.phase3_months),
            enrolled_by=_user_or_none(actor),
        )
        _transition(pathway, from_phase="", to_phase=PathwayPhase.PHASE1, actor=actor, reason=texts.PATHWAY_ENROLLED())
        audit_log(
            actor=actor,
            action="certification.pathway.enrolled",
            target=pathway,
            data={
                "officer": officer.police_number,
                "start_date": start.isoformat(),
                "phase1_due": pathway.phase1_due.isoformat(),
                "phase2_due": pathway.phase2_due.isoformat(),
                "phase3_due": pathway.phase3_due.isoformat(),
            },
        )
        transaction.on_commit(
            lambda: notification_send(
                recipient=officer,
                title=gettext_lazy("You are enrolled in the new-officer pathway"),
                body=gettext_lazy("Phase 1: shadow the legal department and record each day in your shadowing log."),
                url=reverse("certification:my_pathway"),
                kind="certification.pathway",
            )
        )
    return pathway


def pathway_enrol_on_officer_change(*, officer, actor, created: bool, changes: dict) -> None:
    """PEOPLE_OFFICER_HOOKS: a 新警 created, imported or marked as new is enrolled automatically."""
    if "is_new_officer" not in changes or not changes["is_new_officer"][1]:
        return
    pathway_enrol(officer=officer, actor=actor)


# --- Shadowing logs ---------------------------------------------------------------------------


def pathway_log_add(
    *,
    pathway: Pathway,
    date: datetime.date,
    work_type: str,
    description: str,
    hours,
    actor,
    today: datetime.date | None = None,
) -> ShadowingLogEntry:
    """The new officer records a day of shadowing in the current phase (1 or 2)."""
    today = today or timezone.localdate()
    description = (description or "").strip()
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise PathwayError(_("Hours must be a number.")) from None
    with transaction.atomic():
        pathway = _locked(pathway)
        if getattr(actor, "pk", None) != pathway.officer_id:
            raise PathwayError(_("Only the new officer records their own shadowing log."))
        if pathway.phase not in (PathwayPhase.PHASE1, PathwayPhase.PHASE2):
            raise PathwayError(_("Shadowing logs are kept in phases 1 and 2 only."))
        if work_type not in WorkType.values:
            raise PathwayError(_("Choose a work type from the list."))
        if not description:
            raise PathwayError(_("Describe what was done."))
        if not MIN_LOG_HOURS <= hours <= MAX_LOG_HOURS:
            raise PathwayError(_("Hours must be between 0.5 and 24."))
        if date > today:
            raise PathwayError(_("The date is in the future."))
        if date < pathway.phase_started_on:
            raise PathwayError(
                _("The date is before the current phase began (%(day)s).")
                % {"day": pathway.phase_started_on.isoformat()}
            )
        entry = ShadowingLogEntry.objects.create(
            pathway=pathway, phase=pathway.phase, date=date, work_type=work_type, description=description, hours=hours
        )
        audit_log(
            actor=actor,
            action="certification.log.added",
            target=entry,
            data={"pathway": pathway.pk, "phase": pathway.phase, "date": date.isoformat(), "hours": str(hours)},
        )
    return entry


def log_signer_problem(entry: ShadowingLogEntry, user, *, binding=...) -> str:
    """Why ``user`` may not sign ``entry`` (an empty string when they may). ``binding``: the
    officer's active mentor binding when the caller has it already."""
    if user.pk == entry.pathway.officer_id:
        return _("Nobody signs their own shadowing log.")
    if entry.phase == PathwayPhase.PHASE1:
        if not is_legal_brigade_staff(user):
            return _("Phase-1 logs are signed by a legal / pre-trial department supervisor.")
        return ""
    if binding is ...:
        binding = active_binding(entry.pathway.officer)
    if binding is None or binding.mentor_id != user.pk:
        return _("Phase-2 logs are signed by the new officer's bound mentor only.")
    return ""


def _log_decide(*, entry: ShadowingLogEntry, actor, status: str, comment: str, action: str) -> ShadowingLogEntry:
    with transaction.atomic():
        entry = (
            ShadowingLogEntry.objects.select_for_update(of=("self",))
            .select_related("pathway", "pathway__officer")
            .get(pk=entry.pk)
        )
        if entry.status != LogStatus.SUBMITTED:
            raise PathwayError(_("This log entry was already %(status)s.") % {"status": entry.get_status_display()})
        problem = log_signer_problem(entry, actor)
        if problem:
            raise PathwayError(problem)
        entry.status = status
        entry.signer = actor
        entry.signed_at = timezone.now()
        entry.signer_comment = comment[:300]
        entry.save(update_fields=["status", "signer", "signed_at", "signer_comment"])
        audit_log(
            actor=actor,
            action=action,
            target=entry,
            data={"pathway": entry.pathway_id, "phase": entry.phase, "comment": comment},
        )
    return entry


def pathway_log_sign(*, entry: ShadowingLogEntry, actor, comment: str = "") -> ShadowingLogEntry:
    """Sign a submitted entry: phase 1 by the legal brigade, phase 2 by the bound mentor."""
    return _log_decide(
        entry=entry, actor=actor, status=LogStatus.SIGNED, comment=comment, action="certification.log.signed"
    )


def pathway_log_return(*, entry: ShadowingLogEntry, actor, comment: str) -> ShadowingLogEntry:
    """Return an entry to the new officer with the reason (who may is the same as for signing)."""
    comment = (comment or "").strip()
    if not comment:
        raise PathwayError(_("Say why the entry is returned."))
    entry = _log_decide(
        entry=entry, actor=actor, status=LogStatus.RETURNED, comment=comment, action="certification.log.returned"
    )
    officer = entry.pathway.officer
    transaction.on_commit(
        lambda: notification_send(
            recipient=officer,
            title=gettext_lazy("A shadowing log entry was returned"),
            body=comment,
            url=reverse("certification:my_pathway"),
            kind="certification.log",
        )
    )
    return entry


# --- Phase moves ------------------------------------------------------------------------------


def pathway_advance_to_phase2(*, pathway: Pathway, actor, today: datetime.date | None = None) -> Pathway:
    """Phase 1 → phase 2, by the legal brigade: the phase-1 log must be signed (at least one entry,
    none waiting) and a mentor must be bound. The refusal names everything still missing."""
    today = today or timezone.localdate()
    policy = CertificationPolicy.current()
    with transaction.atomic():
        locked = _locked(pathway)
        if not is_legal_brigade_staff(actor):
            raise PathwayError(_("Only the legal brigade moves a new officer on to phase 2."))
        if locked.phase != PathwayPhase.PHASE1:
            raise PathwayError(_("The pathway is not in phase 1."))
        missing = []
        counts = phase1_log_counts(locked)
        if counts["signed"] == 0:
            missing.append(_("no signed phase-1 shadowing log entry"))
        if counts["pending"]:
            missing.append(_("%(count)d phase-1 log entries still await a signature") % {"count": counts["pending"]})
        if active_binding(locked.officer) is None:
            missing.append(_("no mentor is bound"))
        if missing:
            raise PathwayError(_("Phase 2 cannot start yet: %(missing)s.") % {"missing": "; ".join(missing)})
        locked.phase = PathwayPhase.PHASE2
        locked.phase_started_on = today
        # Phase 2 runs its full length from the day it really starts; phase 3 follows it.
        locked.phase2_due = add_months(today, policy.phase2_months)
        locked.phase3_due = add_months(locked.phase2_due, policy.phase3_months)
        locked.overdue_notified_on = None
        locked.save(update_fields=["phase", "phase_started_on", "phase2_due", "phase3_due", "overdue_notified_on"])
        _transition(locked, from_phase=PathwayPhase.PHASE1, to_phase=PathwayPhase.PHASE2, actor=actor)
        audit_log(
            actor=actor,
            action="certification.pathway.phase2",
            target=locked,
            data={"phase2_due": locked.phase2_due.isoformat(), "phase3_due": locked.phase3_due.isoformat()},
        )
        officer = locked.officer
        transaction.on_commit(
            lambda: notification_send(
                recipient=officer,
                title=gettext_lazy("Phase 2 of your pathway has started"),
                body=gettext_lazy("Shadow your mentor and record each day; the phase ends with the lead-officer test."),
                url=reverse("certification:my_pathway"),
                kind="certification.pathway",
            )
        )
    _refresh(pathway, locked)
    return pathway


def _lead_officer_exam(attempt) -> bool:
    from certification.models import QualificationExam

    return QualificationExam.objects.filter(
        exam_id=attempt.exam_id, qualification_type__code=LEAD_OFFICER_CODE
    ).exists()


def pathway_on_attempt_result(*, attempt) -> None:
    """EXAMS_RESULT_HOOKS: the lead-officer test decides phase 2 of a new officer.

    Passed → phase 3 starts today (its due recomputed from today). Failed → an extension: the
    retake waits ``retake_wait_days``, and phase 2 (and 3) move by as much. Idempotent per attempt:
    a regrade that repeats the result changes nothing, and a failure is extended once."""
    if attempt.passed is None or not _lead_officer_exam(attempt):
        return
    today = timezone.localdate()
    policy = CertificationPolicy.current()
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update(of=("self",)).filter(officer_id=attempt.officer_id).first()
        if pathway is None or pathway.phase != PathwayPhase.PHASE2:
            return
        if attempt.passed:
            pathway.phase = PathwayPhase.PHASE3
            pathway.phase_started_on = today
            pathway.phase3_due = add_months(today, policy.phase3_months)
            pathway.retake_from = None
            pathway.overdue_notified_on = None
            pathway.save(
                update_fields=["phase", "phase_started_on", "phase3_due", "retake_from", "overdue_notified_on"]
            )
            _transition(
                pathway,
                from_phase=PathwayPhase.PHASE2,
                to_phase=PathwayPhase.PHASE3,
                actor=None,
                reason=texts.LEAD_TEST_PASSED(number=attempt.number),
            )
            audit_log(
                actor="certification",
                action="certification.pathway.phase3",
                target=pathway,
                data={"attempt": attempt.pk, "score": str(attempt.score), "phase3_due": pathway.phase3_due.isoformat()},
            )
            _recompute_case_shares(pathway.officer_id)
            return
        already = AuditEntry.objects.filter(
            action="certification.pathway.extended", target_id=str(pathway.pk), data__attempt=attempt.pk
        ).exists()
        if already:
            return
        wait = policy.retake_wait_days
        pathway.retake_from = today + datetime.timedelta(days=wait)
        pathway.extension_days += wait
        pathway.phase2_due += datetime.timedelta(days=wait)
        pathway.phase3_due += datetime.timedelta(days=wait)
        pathway.save(update_fields=["retake_from", "extension_days", "phase2_due", "phase3_due"])
        _transition(
            pathway,
            from_phase=PathwayPhase.PHASE2,
            to_phase=PathwayPhase.PHASE2,
            actor=None,
            extension_days=wait,
            reason=texts.LEAD_TEST_FAILED(number=attempt.number, day=pathway.retake_from),
        )
        audit_log(
            actor="certification",
            action="certification.pathway.extended",
            target=pathway,
            data={
                "attempt": attempt.pk,
                "score": str(attempt.score),
                "retake_from": pathway.retake_from.isoformat(),
                "extension_days": wait,
                "phase2_due": pathway.phase2_due.isoformat(),
            },
        )
        officer = User.objects.get(pk=pathway.officer_id)
        retake_from = pathway.retake_from
        transaction.on_commit(
            lambda: notification_send(
                recipient=officer,
                title=gettext_lazy("Lead-officer test not passed: phase 2 extended"),
                body=texts.RETAKE_FROM(day=retake_from),
                url=reverse("certification:my_pathway"),
                kind="certification.pathway",
            )
        )


def pathway_can_retake(officer, *, today: datetime.date | None = None) -> bool:
    """False while a new officer who failed the lead-officer test still waits for the retake day."""
    today = today or timezone.localdate()
    pathway = Pathway.objects.filter(officer=officer).first()
    if pathway is None or pathway.phase != PathwayPhase.PHASE2 or pathway.retake_from is None:
        return True
    return today >= pathway.retake_from


def _end_binding(officer, *, actor, reason: StoredText, today: datetime.date) -> None:
    binding = (
        MentorBinding.objects.select_for_update(of=("self",)).filter(mentee=officer, ended_on__isnull=True).first()
    )
    if binding is None:
        return
    binding.ended_on = today
    binding.end_reason, binding.end_reason_message = words_and_message(reason, 300)
    binding.ended_by = _user_or_none(actor)
    binding.save(update_fields=["ended_on", "end_reason", "end_reason_message", "ended_by"])
    audit_log(actor=actor, action="certification.binding.ended", target=binding, data={"reason": reason})


def pathway_complete(*, pathway: Pathway, actor, reason: str = "", today: datetime.date | None = None) -> Pathway:
    """Phase 3 → completed, by the legal brigade once phase 3's due date has come. The mentor
    binding ends with it (the mentor's place is free again)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(pathway)
        if not is_legal_brigade_staff(actor):
            raise PathwayError(_("Only the legal brigade closes a pathway."))
        if locked.phase != PathwayPhase.PHASE3:
            raise PathwayError(_("Only a pathway in phase 3 can be completed."))
        if today < locked.phase3_due:
            raise PathwayError(
                _("Phase 3 runs until %(day)s; the pathway can be completed from then.")
                % {"day": locked.phase3_due.isoformat()}
            )
        locked.phase = PathwayPhase.COMPLETED
        locked.phase_started_on = today
        locked.completed_on = today
        locked.save(update_fields=["phase", "phase_started_on", "completed_on"])
        _transition(locked, from_phase=PathwayPhase.PHASE3, to_phase=PathwayPhase.COMPLETED, actor=actor, reason=reason)
        _end_binding(locked.officer, actor=actor, reason=texts.BINDING_ENDED_COMPLETED(), today=today)
        _recompute_case_shares(locked.officer_id)
        audit_log(actor=actor, action="certification.pathway.completed", target=locked, data={"reason": reason})
        officer = locked.officer
        transaction.on_commit(
            lambda: notification_send(
                recipient=officer,
                title=gettext_lazy("You have completed the new-officer pathway"),
                url=reverse("certification:my_pathway"),
                kind="certification.pathway",
            )
        )
    _refresh(pathway, locked)
    return pathway


def pathway_withdraw(*, pathway: Pathway, reason: str, actor, today: datetime.date | None = None) -> Pathway:
    """Take an officer off the pathway (left, transferred, enrolled by mistake); the reason is kept."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise PathwayError(_("Give the reason for the withdrawal."))
    with transaction.atomic():
        locked = _locked(pathway)
        if locked.phase not in ACTIVE_PHASES:
            raise PathwayError(_("The pathway is already closed."))
        from_phase = locked.phase
        locked.phase = PathwayPhase.WITHDRAWN
        locked.phase_started_on = today
        locked.save(update_fields=["phase", "phase_started_on"])
        _transition(locked, from_phase=from_phase, to_phase=PathwayPhase.WITHDRAWN, actor=actor, reason=reason)
        _end_binding(locked.officer, actor=actor, reason=texts.BINDING_ENDED_WITHDRAWN(), today=today)
        _recompute_case_shares(locked.officer_id)
        audit_log(
            actor=actor,
            action="certification.pathway.withdrawn",
            target=locked,
            data={"from": from_phase, "reason": reason},
        )
    _refresh(pathway, locked)
    return pathway


# --- Overdue ----------------------------------------------------------------------------------


def pathways_flag_overdue(today: datetime.date | None = None) -> int:
    """Daily: notify each overdue pathway's officer and mentor, and the legal brigade once with the
    count, at most once a day per pathway (``overdue_notified_on``). Returns the pathways flagged."""
    today = today or timezone.localdate()
    flagged: list[Pathway] = []
    with transaction.atomic():
        candidates = (
            Pathway.objects.select_for_update(of=("self",))
            .select_related("officer")
            .filter(phase__in=ACTIVE_PHASES)
            .exclude(overdue_notified_on=today)
        )
        for pathway in candidates:
            if not pathway.is_overdue(today):
                continue
            pathway.overdue_notified_on = today
            pathway.save(update_fields=["overdue_notified_on"])
            flagged.append(pathway)
        if not flagged:
            return 0
        mentors = {
            binding.mentee_id: binding.mentor
            for binding in MentorBinding.objects.select_related("mentor").filter(
                mentee_id__in=[pathway.officer_id for pathway in flagged], ended_on__isnull=True
            )
        }
        for pathway in flagged:
            overdue = texts.PHASE_OVERDUE(phase=PathwayPhase(pathway.phase), day=pathway.current_due)
            name = pathway.officer.name
            notification_send(
                recipient=pathway.officer,
                title=gettext_lazy("Your pathway phase is overdue"),
                body=overdue,
                url=reverse("certification:my_pathway"),
                kind="certification.overdue",
            )
            mentor = mentors.get(pathway.officer_id)
            if mentor is not None:
                notification_send(
                    recipient=mentor,
                    title=texts.MENTEE_OVERDUE(name=name),
                    body=overdue,
                    url=_pathway_url(pathway),
                    kind="certification.overdue",
                )
        count = len(flagged)
        staff = User.objects.filter(is_active=True, groups__name__in=[Role.TRAINER, Role.LEGAL_LEADER]).distinct()
        for member in staff:
            notification_send(
                recipient=member,
                title=texts.PATHWAYS_OVERDUE(count=count),
                body=gettext_lazy("The pathway board lists them first."),
                url=reverse("certification:pathway_board"),
                kind="certification.overdue",
            )
        audit_log(
            actor="certification",
            action="certification.pathway.overdue_flagged",
            data={"day": today.isoformat(), "pathways": [pathway.pk for pathway in flagged]},
        )
    return len(flagged)
