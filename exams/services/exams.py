"""Exam arrangements (考试安排): create, edit, publish, close; roster, exemptions and notifications.

An exam is a draft until a trainer publishes it; publishing checks that it can be sat (an active
blueprint or a fixed paper, a window still ahead, somebody to sit it) and tells every examinee
once. Once an officer has started it, the exam's substance is frozen — only its title, rules
text, window end, roster and exemptions may change — so everybody sits the same exam.

Every change is audited. The two notifications ("you have an exam", "the exam is open now") are
sent at most once per exam: the time each went out is stored on the exam, inside the same
transaction, under a row lock, so a schedule running twice (or a double click) sends nothing twice.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.models.choices import Tier
from exams import texts
from exams.models import (
    Attempt,
    AttemptCounting,
    AttemptState,
    Blueprint,
    BlueprintStatus,
    Exam,
    ExamExemption,
    ExamInvitation,
    ExamKind,
    ExamLayout,
    ExamStatus,
    ExemptionReason,
    InvitationSource,
    Paper,
    ReleaseRule,
    ReviewRule,
)
from exams.selectors.eligibility import exam_examinees, is_examinee
from exams.selectors.exam_day import STRICT_KINDS, BadNetwork, parse_networks
from exams.selectors.papers import blueprint_plan
from people.models import User
from people.models.audience import AudienceSpec
from people.selectors import audience_labels
from portal.services import audit_log, notification_send

ERRORS = {
    "no_title": _("Give the exam a title."),
    "no_source": _("Choose a paper blueprint or a fixed paper."),
    "both_sources": _("Choose either a paper blueprint or a fixed paper, not both."),
    "practice_blueprint": _("This blueprint belongs to an officer's personal practice and cannot be used."),
    "archived_blueprint": _("The blueprint “%(title)s” is archived; choose an active one."),
    "window": _("The exam must close after it opens."),
    "duration": _("The duration must be at least one minute."),
    "attempts": _("At least one attempt must be allowed."),
    "pass_mark": _("The pass mark cannot be negative."),
    "bad_network": _("“%(line)s” is not a network; write one per line, such as 10.12.0.0/16."),
    "focus_order": _("Hand-in after focus losses must come after the warning."),
    "pass_mark_total": _("The pass mark %(mark)s is above the paper's total of %(total)s points."),
    "locked": _(
        "Officers have already started this exam, so only its title, rules, closing time, roster and "
        "exemptions may change; nothing was saved. These cannot change now: %(fields)s."
    ),
    "closed_locked": _(
        "This exam is closed, so only its title and rules may change; nothing was saved. "
        "These cannot change now: %(fields)s."
    ),
    "closes_in_past": _("The closing time %(time)s has already passed. To end the exam now, close it."),
    "not_draft": _("Only a draft can be published; this exam is already %(status)s."),
    "blueprint_not_active": _("The blueprint “%(title)s” is not active. Activate it before publishing."),
    "already_closed_window": _("The exam window closed at %(time)s; move the closing time before publishing."),
    "nobody": _(
        "Nobody would sit this exam: its audience and roster include no officer in service. "
        "Choose units, categories, positions or named officers first."
    ),
    "not_published": _("Only a published exam can be closed; this exam is %(status)s."),
    "roster_closed": _("The exam is closed; its roster can no longer change."),
    "no_officers": _("Enter at least one police number."),
    "not_on_roster": _("%(officer)s is not on this exam's roster."),
    "not_named": _("%(officer)s was not named by a trainer (%(source)s) and cannot be removed here."),
    "roster_has_attempt": _("%(officer)s has already sat this exam and stays on the roster; exempt them instead."),
    "bad_reason": _("Choose a reason for the exemption."),
    "not_examinee": _("%(officer)s is not an examinee of this exam."),
    "exempt_in_progress": _(
        "%(officer)s is taking this exam right now and cannot be exempted. Wait until the paper is submitted."
    ),
    "not_exempted": _("%(officer)s is not exempted from this exam."),
}

# Exam-day rules whose default depends on the kind of exam.
ADAPTIVE_RULES = ("track_focus", "single_device", "prevent_copy")

# Fields that may still change once an officer has started the exam.
EDITABLE_AFTER_START = frozenset(
    {
        "title",
        "description",
        "closes_at",
        # Exam-day rules may be corrected during the sitting (a mistyped network, a new password).
        "track_focus",
        "focus_warn_after",
        "focus_submit_after",
        "room_password",
        "allowed_networks",
        "single_device",
        "prevent_copy",
    }
)
EDITABLE_AFTER_CLOSE = frozenset({"title", "description"})


def _error(code: str, field_name: str | None = None, **params) -> ValidationError:
    error = ValidationError(ERRORS[code], code=code, params=params or None)
    return ValidationError({field_name: [error]}) if field_name else error


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class ExamSpec:
    """Everything a trainer sets on an exam, as plain values: what the form gives the services."""

    title: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    duration_minutes: int
    blueprint: Blueprint | None = None
    fixed_paper: Paper | None = None
    kind: str = ExamKind.FORMAL
    tier: str = Tier.BASIC
    description: str = ""
    layout: str = ExamLayout.ONE_QUESTION
    attempts_allowed: int = 1
    counts: str = AttemptCounting.HIGHEST
    pass_mark: Decimal = Decimal("60")
    grace_seconds: int = 30
    release_rule: str = ReleaseRule.AFTER_GRADING
    review_rule: str = ReviewRule.EXPLANATIONS
    blind_grading: bool = True
    # Exam-day rules; None takes the default for the kind (on for formal and qualification exams).
    track_focus: bool | None = None
    focus_warn_after: int | None = None
    focus_submit_after: int | None = None
    room_password: str = ""
    allowed_networks: str = ""
    single_device: bool | None = None
    prevent_copy: bool | None = None
    audience: AudienceSpec = field(default_factory=AudienceSpec)

    @classmethod
    def from_exam(cls, exam: Exam) -> ExamSpec:
        values = {f.name: getattr(exam, f.name) for f in fields(cls) if f.name != "audience"}
        return cls(**values, audience=exam.audience_spec())

    def model_values(self) -> dict:
        """The spec's values for the ``Exam`` row."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "audience"}
        values["title"] = values["title"].strip()
        values["description"] = values["description"].strip()
        values["room_password"] = values["room_password"].strip()
        values["allowed_networks"] = "\n".join(str(network) for network in parse_networks(values["allowed_networks"]))
        strict = self.kind in STRICT_KINDS
        for name in ADAPTIVE_RULES:
            if values[name] is None:
                values[name] = strict
        return values


def _validate(spec: ExamSpec) -> None:
    """The checks every saved exam passes, draft or not; errors keyed by form field."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field_name: str, code: str, **params) -> None:
        errors.setdefault(field_name, []).append(ValidationError(ERRORS[code], code=code, params=params or None))

    if not spec.title.strip():
        add("title", "no_title")
    if spec.blueprint is None and spec.fixed_paper is None:
        add(NON_FIELD_ERRORS, "no_source")
    elif spec.blueprint is not None and spec.fixed_paper is not None:
        add(NON_FIELD_ERRORS, "both_sources")
    elif spec.blueprint is not None:
        if spec.blueprint.practice_for_id is not None:
            add("blueprint", "practice_blueprint")
        elif spec.blueprint.status == BlueprintStatus.ARCHIVED:
            add("blueprint", "archived_blueprint", title=spec.blueprint.title)
    if spec.closes_at <= spec.opens_at:
        add("closes_at", "window")
    if spec.duration_minutes < 1:
        add("duration_minutes", "duration")
    if spec.attempts_allowed < 1:
        add("attempts_allowed", "attempts")
    if spec.pass_mark < 0:
        add("pass_mark", "pass_mark")
    try:
        parse_networks(spec.allowed_networks)
    except BadNetwork as bad:
        add("allowed_networks", "bad_network", line=bad.line)
    if spec.focus_warn_after and spec.focus_submit_after and spec.focus_submit_after <= spec.focus_warn_after:
        add("focus_submit_after", "focus_order")
    if errors:
        raise ValidationError(errors)


def _audit_values(spec: ExamSpec) -> dict:
    return {
        "title": spec.title,
        "kind": spec.kind,
        "tier": spec.tier,
        "blueprint": spec.blueprint.pk if spec.blueprint else None,
        "fixed_paper": spec.fixed_paper.pk if spec.fixed_paper else None,
        "opens_at": spec.opens_at.isoformat(),
        "closes_at": spec.closes_at.isoformat(),
        "duration_minutes": spec.duration_minutes,
        "attempts_allowed": spec.attempts_allowed,
        "pass_mark": str(spec.pass_mark),
        "release_rule": spec.release_rule,
        "review_rule": spec.review_rule,
        "audience": audience_labels(spec.audience),
    }


# --- create and edit ----------------------------------------------------------------------------


def exam_create(*, actor, spec: ExamSpec, submission_key: uuid.UUID | None = None) -> Exam:
    """Create a draft exam. Raises ValidationError (keyed by form field) and writes nothing when
    the spec is not a possible exam. A repeated ``submission_key`` (the same form posted twice)
    returns the exam the first post created."""
    if submission_key is not None:
        existing = Exam.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    _validate(spec)
    with transaction.atomic():
        exam = Exam.objects.create(
            **spec.model_values(),
            status=ExamStatus.DRAFT,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            submission_key=submission_key,
        )
        exam.audience_store(spec.audience)
        audit_log(actor=actor, action="exams.exam.created", target=exam, data=_audit_values(spec))
    return exam


def _changed_fields(exam: Exam, spec: ExamSpec) -> list[str]:
    current = ExamSpec.from_exam(exam)
    changed = [
        f.name for f in fields(ExamSpec) if f.name != "audience" and getattr(current, f.name) != getattr(spec, f.name)
    ]
    if _audience_key(current.audience) != _audience_key(spec.audience):
        changed.append("audience")
    return changed


def _audience_key(spec: AudienceSpec) -> tuple:
    return (
        sorted(unit.pk for unit in spec.units_with_subtree),
        sorted(unit.pk for unit in spec.units_only),
        sorted(spec.categories),
        sorted(spec.positions),
        sorted(officer.pk for officer in spec.officers),
    )


def _field_labels(names: list[str]) -> str:
    labels = []
    for name in names:
        if name == "audience":
            labels.append(gettext("audience"))
        else:
            labels.append(str(Exam._meta.get_field(name).verbose_name))
    return "、".join(labels)


def exam_update(*, actor, exam: Exam, spec: ExamSpec, now: datetime.datetime | None = None) -> Exam:
    """Save a trainer's edit. Once an officer has started the exam only ``EDITABLE_AFTER_START``
    may change (a closed exam: ``EDITABLE_AFTER_CLOSE``); any other change is refused as a whole
    with the fields named. A published exam must stay publishable; officers a new audience adds
    to an announced exam are told."""
    now = now or timezone.now()
    _validate(spec)
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        # An edit that leaves an exam-day rule unset keeps the exam's current rule.
        spec = replace(spec, **{name: getattr(exam, name) for name in ADAPTIVE_RULES if getattr(spec, name) is None})
        changed = _changed_fields(exam, spec)
        if not changed:
            return exam
        if exam.status == ExamStatus.CLOSED:
            locked = [name for name in changed if name not in EDITABLE_AFTER_CLOSE]
            if locked:
                raise _error("closed_locked", fields=_field_labels(locked))
        elif Attempt.objects.filter(exam=exam).exclude(state=AttemptState.NOT_STARTED).exists():
            locked = [name for name in changed if name not in EDITABLE_AFTER_START]
            if locked:
                raise _error("locked", fields=_field_labels(locked))
        if exam.status == ExamStatus.PUBLISHED and "closes_at" in changed and spec.closes_at <= now:
            raise _error("closes_in_past", "closes_at", time=_local(spec.closes_at))
        for name, value in spec.model_values().items():
            setattr(exam, name, value)
        columns = [name for name in changed if name != "audience"]
        if columns:
            exam.save(update_fields=columns)
        told_before = None
        if "audience" in changed:
            if exam.assigned_notified_at is not None:
                told_before = set(exam_examinees(exam).values_list("pk", flat=True))
            exam.audience_store(spec.audience)
        if exam.status == ExamStatus.PUBLISHED and set(changed) - EDITABLE_AFTER_CLOSE:
            # Raising here rolls the whole edit back.
            _check_publishable(exam, now=now, check_examinees="audience" in changed)
        if told_before is not None:
            # Officers the widened audience brings in learn of the exam as the first ones did.
            _notify(exam, exam_examinees(exam).exclude(pk__in=told_before), kind="assigned")
        audit_log(
            actor=actor,
            action="exams.exam.updated",
            target=exam,
            data={"changed": changed, **{k: v for k, v in _audit_values(spec).items() if k in changed}},
        )
    return exam


# --- publish and close --------------------------------------------------------------------------


def _paper_total(exam: Exam) -> Decimal:
    if exam.fixed_paper_id is not None:
        return exam.fixed_paper.total_points
    return blueprint_plan(exam.blueprint).total_points


def _check_publishable(exam: Exam, *, now: datetime.datetime, check_examinees: bool = True) -> None:
    if exam.blueprint_id is not None:
        # Read from the database: the blueprint object handed in may predate a status change.
        exam.blueprint = Blueprint.objects.get(pk=exam.blueprint_id)
        if exam.blueprint.status != BlueprintStatus.ACTIVE:
            raise _error("blueprint_not_active", title=exam.blueprint.title)
    if exam.closes_at <= now:
        raise _error("already_closed_window", time=_local(exam.closes_at))
    total = _paper_total(exam)
    if exam.pass_mark > total:
        raise _error("pass_mark_total", mark=f"{exam.pass_mark:g}", total=f"{total:g}")
    if check_examinees and not exam_examinees(exam).exists():
        raise _error("nobody")


def exam_publish(*, actor, exam: Exam, now: datetime.datetime | None = None, notify: bool = True) -> Exam:
    """Publish a draft: officers see it in their exams from now on, and every examinee is told
    once (``assigned_notified_at``). An exam whose window is already open counts as announced
    open too, so the opening reminder does not repeat the news. Publishing twice is refused
    without any change."""
    now = now or timezone.now()
    with transaction.atomic():
        exam = Exam.objects.select_for_update(of=("self",)).select_related("blueprint", "fixed_paper").get(pk=exam.pk)
        if exam.status != ExamStatus.DRAFT:
            raise _error("not_draft", status=exam.get_status_display())
        _check_publishable(exam, now=now)
        exam.status = ExamStatus.PUBLISHED
        update = ["status"]
        sent = 0
        if notify and exam.assigned_notified_at is None:
            sent = _notify(exam, exam_examinees(exam), kind="assigned")
            exam.assigned_notified_at = now
            update.append("assigned_notified_at")
            if exam.opens_at <= now:
                exam.opening_notified_at = now
                update.append("opening_notified_at")
        exam.save(update_fields=update)
        audit_log(actor=actor, action="exams.exam.published", target=exam, data={"notified": sent})
    return exam


def exam_close(*, actor, exam: Exam, now: datetime.datetime | None = None) -> Exam:
    """Close a published exam by hand: nobody can start it any more. Papers in progress keep
    their deadline (the sweep submits them); the window end is left as set."""
    now = now or timezone.now()
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        if exam.status != ExamStatus.PUBLISHED:
            raise _error("not_published", status=exam.get_status_display())
        exam.status = ExamStatus.CLOSED
        exam.save(update_fields=["status"])
        in_progress = Attempt.objects.filter(exam=exam, state=AttemptState.IN_PROGRESS).count()
        audit_log(
            actor=actor,
            action="exams.exam.closed",
            target=exam,
            data={"closed_at": now.isoformat(), "in_progress": in_progress},
        )
    return exam


# --- notifications ------------------------------------------------------------------------------


def _exam_notification(exam: Exam, kind: str):
    """Title and body as stored texts: each reader sees them in their own language."""
    title = (texts.EXAM_OPENING if kind == "opening" else texts.EXAM_INVITED)(title=exam.title)
    body = texts.EXAM_WINDOW(
        opens=timezone.localtime(exam.opens_at),
        closes=timezone.localtime(exam.closes_at),
        minutes=exam.duration_minutes,
    )
    return title, body


def _notify(exam: Exam, officers, *, kind: str) -> int:
    title, body = _exam_notification(exam, kind)
    url = reverse("exams:exam_start", args=[exam.pk])
    sent = 0
    for officer in officers:
        notification_send(recipient=officer, title=title, body=body, url=url, kind=f"exams.exam.{kind}")
        sent += 1
    return sent


def exams_notify_opening(now: datetime.datetime | None = None) -> int:
    """Tell the examinees of every published exam whose window has opened (and not yet closed)
    that they can start now, once per exam. Returns the number of notifications sent; a second
    run, or two at once, sends none again (the exam row is locked and re-checked)."""
    now = now or timezone.now()
    due = Exam.objects.filter(
        status=ExamStatus.PUBLISHED,
        practice_for__isnull=True,
        opening_notified_at__isnull=True,
        opens_at__lte=now,
        closes_at__gt=now,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            exam = Exam.objects.select_for_update().get(pk=pk)
            if exam.opening_notified_at is not None or exam.status != ExamStatus.PUBLISHED:
                continue
            started = Attempt.objects.filter(exam=exam).values("officer_id")
            count = _notify(exam, exam_examinees(exam).exclude(pk__in=started), kind="opening")
            exam.opening_notified_at = now
            exam.save(update_fields=["opening_notified_at"])
            audit_log(actor="django-q", action="exams.exam.opening_notified", target=exam, data={"notified": count})
            sent += count
    return sent


# --- roster -------------------------------------------------------------------------------------


def exam_roster_add(*, actor, exam: Exam, officers: list[User], now: datetime.datetime | None = None) -> int:
    """Name officers as examinees besides the audience (source "named"). Officers already on the
    roster are left as they are. On a published exam the newly named are told at once. Returns
    how many were added."""
    now = now or timezone.now()
    if not officers:
        raise _error("no_officers", "officers")
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        if exam.status == ExamStatus.CLOSED:
            raise _error("roster_closed")
        present = set(ExamInvitation.objects.filter(exam=exam).values_list("officer_id", flat=True))
        new = [officer for officer in dict.fromkeys(officers) if officer.pk not in present]
        ExamInvitation.objects.bulk_create(
            [
                ExamInvitation(exam=exam, officer=officer, source=InvitationSource.NAMED, created_at=now)
                for officer in new
            ]
        )
        if new and exam.status == ExamStatus.PUBLISHED and exam.assigned_notified_at is not None:
            exempted = set(ExamExemption.objects.filter(exam=exam).values_list("officer_id", flat=True))
            _notify(exam, [o for o in new if o.pk not in exempted and o.in_audience], kind="assigned")
        if new:
            audit_log(
                actor=actor,
                action="exams.exam.roster_added",
                target=exam,
                data={"officers": [officer.police_number for officer in new]},
            )
    return len(new)


def exam_roster_remove(*, actor, exam: Exam, officer: User) -> None:
    """Take a named officer off the roster. Officers drawn by a sampling plan or who have already
    sat the exam stay (exempt them instead), so no result loses its reason to exist."""
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        if exam.status == ExamStatus.CLOSED:
            raise _error("roster_closed")
        invitation = ExamInvitation.objects.filter(exam=exam, officer=officer).first()
        if invitation is None:
            raise _error("not_on_roster", officer=str(officer))
        if invitation.source != InvitationSource.NAMED:
            raise _error("not_named", officer=str(officer), source=invitation.get_source_display())
        if Attempt.objects.filter(exam=exam, officer=officer).exclude(state=AttemptState.NOT_STARTED).exists():
            raise _error("roster_has_attempt", officer=str(officer))
        invitation.delete()
        audit_log(actor=actor, action="exams.exam.roster_removed", target=exam, data={"officer": officer.police_number})


# --- exemptions ---------------------------------------------------------------------------------


def exam_exemption_set(*, actor, exam: Exam, officer: User, reason: str, note: str = "") -> ExamExemption:
    """Excuse an examinee from the exam (免考) with a reason, or change the reason of an existing
    exemption. An officer taking the exam at this moment cannot be exempted: their paper would be
    left in limbo."""
    if reason not in ExemptionReason.values:
        raise _error("bad_reason", "reason")
    note = note.strip()[:200]
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        existing = ExamExemption.objects.filter(exam=exam, officer=officer).first()
        if existing is None and not is_examinee(exam, officer):
            raise _error("not_examinee", officer=str(officer))
        if Attempt.objects.filter(exam=exam, officer=officer, state=AttemptState.IN_PROGRESS).exists():
            raise _error("exempt_in_progress", officer=str(officer))
        if existing is None:
            exemption = ExamExemption.objects.create(
                exam=exam,
                officer=officer,
                reason=reason,
                note=note,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        else:
            exemption = existing
            exemption.reason, exemption.note = reason, note
            exemption.save(update_fields=["reason", "note"])
        audit_log(
            actor=actor,
            action="exams.exam.exemption_set",
            target=exam,
            data={"officer": officer.police_number, "reason": reason, "note": note, "changed": existing is not None},
        )
    return exemption


def exam_exemption_remove(*, actor, exam: Exam, officer: User) -> None:
    """Withdraw an exemption: the officer is an examinee again (if still in the audience or roster)."""
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        exemption = ExamExemption.objects.filter(exam=exam, officer=officer).first()
        if exemption is None:
            raise _error("not_exempted", officer=str(officer))
        reason = exemption.reason
        exemption.delete()
        audit_log(
            actor=actor,
            action="exams.exam.exemption_removed",
            target=exam,
            data={"officer": officer.police_number, "reason": reason},
        )
