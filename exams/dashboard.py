"""Dashboard sections of the exams app (listed in the PORTAL_DASHBOARD_SECTIONS setting)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.selectors.registry import DashboardItem, DashboardSection

DASHBOARD_LIMIT = 5


def exams_dashboard_section(user) -> DashboardSection | None:
    """我的待办 › 考试: exams open now that the officer has not handed in yet (attempts in progress
    included), closing soonest first; urgent when the window closes within a day."""
    from exams.selectors.taking import my_exams

    pending = [row for row in my_exams(user).open if row.in_progress is not None or not row.finished_attempts]
    if not pending:
        return None
    return DashboardSection(
        key="exams.open",
        title=_("Exams to take"),
        order=35,
        total=len(pending),
        more_url=reverse("exams:my_exams"),
        more_label=_("My exams"),
        items=tuple(
            DashboardItem(
                title=row.exam.title,
                url=reverse("exams:attempt_take", args=[row.in_progress.pk])
                if row.in_progress
                else reverse("exams:exam_start", args=[row.exam.pk]),
                detail=ngettext("%(minutes)d minute", "%(minutes)d minutes", row.exam.duration_minutes)
                % {"minutes": row.exam.duration_minutes},
                status=_("In progress") if row.in_progress else _("Closes soon") if row.urgent else "",
                due=row.exam.closes_at,
                urgent=row.urgent,
            )
            for row in pending[:DASHBOARD_LIMIT]
        ),
    )


def grading_dashboard_section(user) -> DashboardSection | None:
    """我的待办 › 阅卷: for training staff, exams with short answers waiting for grading, the exam
    closing first at the top. None for everyone else, or when nothing waits."""
    from exams.selectors.grading import grading_queue_rows
    from people.models import TRAINING_STAFF
    from people.selectors import has_role

    if not has_role(user, *TRAINING_STAFF):
        return None
    rows = grading_queue_rows()
    if not rows:
        return None
    return DashboardSection(
        key="exams.grading",
        title=_("Answers to grade"),
        order=50,
        total=len(rows),
        more_url=reverse("exams:grading_queue"),
        more_label=_("Grading"),
        items=tuple(
            DashboardItem(
                title=row.exam.title,
                url=reverse("exams:grading_exam", args=[row.exam.pk]),
                detail=ngettext("%(count)d answer waiting", "%(count)d answers waiting", row.waiting)
                % {"count": row.waiting},
                due=row.exam.closes_at,
            )
            for row in rows[:DASHBOARD_LIMIT]
        ),
    )


def reopen_dashboard_section(user) -> DashboardSection | None:
    """我的待办 › 重新开放答卷: for legal leaders (and administrators), requests to re-open a
    handed-in paper waiting for their decision, oldest first."""
    from exams.selectors.attempt_history import pending_reopen_requests
    from people.models import Role
    from people.selectors import has_role

    if not has_role(user, Role.LEGAL_LEADER, Role.ADMIN):
        return None
    pending = pending_reopen_requests()
    if not pending:
        return None
    url = reverse("exams:reopen_requests")
    return DashboardSection(
        key="exams.reopen",
        title=_("Papers to re-open"),
        order=45,
        total=len(pending),
        more_url=url,
        more_label=_("Re-opening requests"),
        items=tuple(
            DashboardItem(
                title=f"{request.attempt.officer.name} · {request.attempt.exam.title}",
                url=url,
                detail=request.reason,
                status=_("Waiting for approval"),
                urgent=True,
            )
            for request in pending[:DASHBOARD_LIMIT]
        ),
    )
