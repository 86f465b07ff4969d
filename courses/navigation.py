"""Menu entries and "my tasks" sections for the portal's registries (``portal.selectors.registry``):
``settings.PORTAL_NAV_PROVIDERS`` lists ``courses.navigation.nav_items`` and
``settings.PORTAL_DASHBOARD_SECTIONS`` lists ``study_dashboard_section`` and
``discussion_dashboard_section``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.selectors.registry import DashboardItem, DashboardSection, NavItem

# The course index is created at /courses/ by a migration. A fixed path: looking the page up
# would cost a query on every page that shows the menu.
COURSES_PATH = "/courses/"
DASHBOARD_LIMIT = 5
# Routes of the course index with menu entries of their own (see CourseIndexPage).
STUDY_PAGE_PREFIXES = tuple(f"{COURSES_PATH}{route}/" for route in ("my", "manage", "overdue", "discussions"))


class StudyCentreNavItem(NavItem):
    """学习中心 is highlighted on course, lesson and search pages, not on the study pages under
    /courses/ that have their own menu entries."""

    def is_active(self, path: str) -> bool:
        return super().is_active(path) and not path.startswith(STUDY_PAGE_PREFIXES)


def nav_items(user) -> list[NavItem]:
    """学习中心 and 我的学习 for signed-in users; 学习任务管理 and 学习讨论 management for trainers;
    the overdue list for anyone with a wider scope than themselves (unit leaders, HR …)."""
    from courses.links import index_url
    from courses.selectors import can_manage_study, can_see_overdue

    if not getattr(user, "is_authenticated", False):
        return []
    items = [
        StudyCentreNavItem(label=_("Study centre"), url=COURSES_PATH, order=40, key="courses.study"),
        NavItem(label=_("My study"), url=index_url("my_study"), order=41, key="courses.my_study"),
        NavItem(label=_("Study discussions"), url=index_url("discussion_list"), order=42, key="courses.discussions"),
    ]
    if can_manage_study(user):
        items.append(
            NavItem(
                label=_("Study assignments"), url=index_url("assignment_list"), order=600, key="courses.assignments"
            )
        )
    if can_see_overdue(user):
        items.append(NavItem(label=_("Overdue study"), url=index_url("overdue"), order=610, key="courses.overdue"))
    return items


def _days_text(days_left: int) -> str:
    if days_left < 0:
        return ngettext("%(days)d day overdue", "%(days)d days overdue", -days_left) % {"days": -days_left}
    if days_left == 0:
        return _("Due today")
    return ngettext("%(days)d day left", "%(days)d days left", days_left) % {"days": days_left}


def study_dashboard_section(user) -> DashboardSection | None:
    """我的待办 › 学习任务: unfinished assignments, soonest due first; urgent within three days of
    the due date or overdue. None when everything assigned is learned."""
    from courses.links import index_url
    from courses.selectors import assignments_for_officer

    pending = [row for row in assignments_for_officer(user) if not row.is_complete]
    if not pending:
        return None
    return DashboardSection(
        key="courses.assignments",
        title=_("Study assignments"),
        order=40,
        total=len(pending),
        more_url=index_url("my_study"),
        more_label=_("My study"),
        items=tuple(
            DashboardItem(
                title=row.course.title,
                url=row.course.url or index_url("my_study"),
                detail=_("%(learned)d of %(total)d lessons learned")
                % {"learned": row.progress.learned, "total": row.progress.total},
                status=_days_text(row.days_left),
                due=row.due_date,
                urgent=row.is_urgent,
            )
            for row in pending[:DASHBOARD_LIMIT]
        ),
    )


def discussion_dashboard_section(user) -> DashboardSection | None:
    """我的待办 › 学习讨论: upcoming discussions the officer is invited to and has not signed in to."""
    from courses.links import discussion_url, index_url
    from courses.selectors import upcoming_discussions_for_officer

    upcoming = upcoming_discussions_for_officer(user)
    if not upcoming:
        return None
    return DashboardSection(
        key="courses.discussions",
        title=_("Study discussions"),
        order=45,
        total=len(upcoming),
        more_url=index_url("discussion_list"),
        more_label=_("All study discussions"),
        items=tuple(
            DashboardItem(
                title=discussion.topic,
                url=discussion_url(discussion.pk),
                detail=discussion.place,
                due=discussion.starts_at,
                status=_("Sign-in open") if discussion.self_sign_in_open() else "",
                urgent=discussion.self_sign_in_open(),
            )
            for discussion in upcoming[:DASHBOARD_LIMIT]
        ),
    )
