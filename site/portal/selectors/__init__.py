from .audit import audit_entries, audit_target_types
from .notifications import notifications_for, unread_notification_count, unread_notifications
from .registry import (
    DEFAULT_DASHBOARD_SECTIONS,
    DEFAULT_NAV_PROVIDERS,
    DashboardItem,
    DashboardSection,
    NavItem,
    dashboard_for,
    nav_items_for,
)

__all__ = [
    "DEFAULT_DASHBOARD_SECTIONS",
    "DEFAULT_NAV_PROVIDERS",
    "DashboardItem",
    "DashboardSection",
    "NavItem",
    "audit_entries",
    "audit_target_types",
    "dashboard_for",
    "nav_items_for",
    "notifications_for",
    "unread_notification_count",
    "unread_notifications",
]
