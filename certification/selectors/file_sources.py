"""File-entry providers for the records that have no ``file_entries`` of their own: lessons,
study discussions, exams, qualifications (with their events and certificates), the new-officer
pathway, mentor bindings and case-quality records. Each provider costs one or two queries so a
whole file stays cheap however long the officer's history is."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    CaseQualityShare,
    Certificate,
    MentorBinding,
    PathwayPhase,
    PathwayTransition,
    QualificationEvent,
    QualificationStatus,
)
from certification.selectors.file import FileEntry
from courses.selectors.discussions import attendance_of
from courses.selectors.progress import completions_of
from exams.models import Attempt, AttemptState, ExamKind
from people.models import User


def _day(moment):
    return timezone.localdate(moment) if moment else None


def lesson_entries(officer: User) -> list[FileEntry]:
    """Every lesson the officer finished reading, with the reading time."""
    return [
        FileEntry(
            date=_day(completion.completed_at),
            kind="lesson",
            kind_label=_("Lesson learned"),
            title=completion.lesson_title,
            detail=" · ".join(
                part
                for part in (
                    completion.course_title,
                    _("%(minutes)s min reading") % {"minutes": max(1, round(completion.read_seconds / 60))},
                )
                if part
            ),
        )
        for completion in completions_of(officer)
    ]


def discussion_entries(officer: User) -> list[FileEntry]:
    """Every study discussion the officer signed in to."""
    return [
        FileEntry(
            date=_day(attendance.discussion.starts_at),
            kind="discussion",
            kind_label=_("Study discussion"),
            title=attendance.discussion.topic,
            detail=attendance.discussion.place,
            status=attendance.get_method_display(),
        )
        for attendance in attendance_of(officer)
    ]


def exam_entries(officer: User) -> list[FileEntry]:
    """Released exam results with score and pass; submitted or graded attempts as awaiting their
    result (the score is not the officer's to see yet). Practice exams are the officer's own
    exercise and stay out of the file."""
    attempts = (
        Attempt.objects.filter(
            officer=officer, state__in=[AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED]
        )
        .exclude(exam__kind=ExamKind.PRACTICE)
        .select_related("exam")
        .order_by("-submitted_at", "-pk")
    )
    entries = []
    for attempt in attempts:
        released = attempt.state == AttemptState.RELEASED
        if released:
            status = _("Passed") if attempt.passed else (_("Not passed") if attempt.passed is False else "")
            detail = _("Score %(score)s") % {"score": attempt.score} if attempt.score is not None else ""
        else:
            status, detail = _("Awaiting result"), ""
        entries.append(
            FileEntry(
                date=_day(attempt.released_at if released and attempt.released_at else attempt.submitted_at)
                or _day(attempt.started_at),
                kind="exam",
                kind_label=attempt.exam.get_kind_display(),
                title=attempt.exam.title,
                detail=detail,
                status=status,
            )
        )
    return entries


def qualification_entries(officer: User) -> list[FileEntry]:
    """Each qualification's status changes and each certificate issued for it."""
    events = (
        QualificationEvent.objects.filter(qualification__officer=officer)
        .select_related("qualification__qualification_type")
        .order_by("-at", "-pk")
    )
    entries = [
        FileEntry(
            date=_day(event.at),
            kind="qualification",
            kind_label=_("Qualification"),
            title=event.qualification.qualification_type.name,
            detail=event.display_reason,
            status=QualificationStatus(event.to_status).label if event.to_status else "",
            url=reverse("certification:qualification_detail", args=[event.qualification_id]),
        )
        for event in events
    ]
    certificates = Certificate.objects.filter(qualification__officer=officer).select_related(
        "qualification__qualification_type"
    )
    for certificate in certificates:
        valid = (
            _("valid until %(day)s") % {"day": certificate.valid_until.isoformat()}
            if certificate.valid_until
            else _("no expiry")
        )
        entries.append(
            FileEntry(
                date=certificate.issued_on,
                kind="qualification",
                kind_label=_("Certificate"),
                title=f"{certificate.qualification.qualification_type.name} · {certificate.number}",
                detail=valid,
                status=_("Replaced") if certificate.superseded_at else "",
                url=reverse("certification:qualification_detail", args=[certificate.qualification_id]),
            )
        )
    return entries


def pathway_entries(officer: User) -> list[FileEntry]:
    """The new-officer pathway's phase changes (enrolment, advances, extensions, completion)."""
    return [
        FileEntry(
            date=_day(transition.at),
            kind="pathway",
            kind_label=_("New-officer pathway"),
            title=PathwayPhase(transition.to_phase).label,
            detail=transition.display_reason
            + (
                (" · " if transition.reason else "")
                + _("extended by %(days)s days") % {"days": transition.extension_days}
                if transition.extension_days
                else ""
            ),
            url=reverse("certification:pathway_detail", args=[transition.pathway_id]),
        )
        for transition in PathwayTransition.objects.filter(pathway__officer=officer).order_by("-at", "-pk")
    ]


def mentor_entries(officer: User) -> list[FileEntry]:
    """Mentor bindings both ways: whom the officer was mentored by and whom they mentored."""
    bindings = (
        MentorBinding.objects.filter(Q(mentee=officer) | Q(mentor=officer))
        .select_related("mentee", "mentor")
        .order_by("-started_on", "-pk")
    )
    entries = []
    for binding in bindings:
        as_mentee = binding.mentee_id == officer.pk
        other = binding.mentor if as_mentee else binding.mentee
        period = _("until %(day)s") % {"day": binding.ended_on.isoformat()} if binding.ended_on else _("current")
        entries.append(
            FileEntry(
                date=binding.started_on,
                kind="mentor",
                kind_label=_("Mentor binding"),
                title=(_("Mentored by %(name)s") if as_mentee else _("Mentor of %(name)s")) % {"name": other.name},
                detail=" · ".join(part for part in (binding.reason, binding.display_end_reason) if part),
                status=period,
            )
        )
    return entries


def case_entries(officer: User) -> list[FileEntry]:
    """Case-quality records the officer shares in, with the share weight that counts for them."""
    shares = (
        CaseQualityShare.objects.filter(officer=officer).select_related("record").order_by("-record__case_date", "-pk")
    )
    entries = []
    for share in shares:
        record = share.record
        detail = [_("Score %(score)s") % {"score": record.score}] if record.score is not None else []
        if record.deductions:
            detail.append(_("deductions %(points)s") % {"points": record.deductions})
        detail.append(_("%(role)s, weight %(weight)s") % {"role": share.get_role_display(), "weight": share.weight})
        if record.commendation:
            detail.append(record.commendation)
        entries.append(
            FileEntry(
                date=record.case_date,
                kind="case",
                kind_label=_("Case quality"),
                title=" ".join(part for part in (record.case_number, record.case_title) if part),
                detail=" · ".join(str(part) for part in detail),
                status=_("Serious problem") if record.serious else "",
            )
        )
    return entries
