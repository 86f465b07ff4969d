"""The portal's own menu entries and dashboard section (registered by default in registry.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from people.models import TRAINING_STAFF, Role
from people.selectors import has_role
from portal.selectors.notifications import unread_notifications
from portal.selectors.registry import DashboardItem, DashboardSection, NavItem

DASHBOARD_NOTIFICATION_LIMIT = 5

# Who gets the "content management" link into the Wagtail admin.


def nav_items(user) -> list[NavItem]:
    items = [
        NavItem(label=_("Home"), url="/", order=10, key="portal.home"),
        NavItem(label=_("My tasks"), url=reverse("portal:dashboard"), order=20, key="portal.dashboard"),
        NavItem(label=_("Notifications"), url=reverse("portal:notifications"), order=30, key="portal.notifications"),
    ]
    if has_role(user, Role.HR, Role.UNIT_LEADER, *TRAINING_STAFF):
        # Large list exports run in the background and wait here for download.
        items.append(NavItem(label=_("My exports"), url=reverse("portal:my_exports"), order=890, key="portal.exports"))
    if has_role(user, Role.HR, Role.ADMIN):
        items.append(NavItem(label=_("Audit log"), url=reverse("portal:audit_log"), order=900, key="portal.audit"))
    if has_role(user, *TRAINING_STAFF):
        items.append(
            NavItem(label=_("Content management"), url=reverse("wagtailadmin_home"), order=950, key="portal.cms")
        )
    return items


def dashboard_section(user) -> DashboardSection | None:
    """Unread notifications, newest first; None when everything has been read."""
    unread = list(unread_notifications(user)[: DASHBOARD_NOTIFICATION_LIMIT + 1])
    if not unread:
        return None
    total = len(unread)
    if total > DASHBOARD_NOTIFICATION_LIMIT:
        total = unread_notifications(user).count()
    return DashboardSection(
        key="portal.notifications",
        title=_("Unread notifications"),
        order=900,
        total=total,
        more_url=reverse("portal:notifications"),
        more_label=_("All notifications"),
        items=tuple(
            DashboardItem(
                title=notification.display_title,
                detail=notification.display_body,
                due=notification.created_at,
                url=reverse("portal:notification_read", args=[notification.pk]),
                post=True,
            )
            for notification in unread[:DASHBOARD_NOTIFICATION_LIMIT]
        ),
    )
