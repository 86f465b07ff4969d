from .audit import audit_log
from .auth import LoginView, LogoutView, PasswordChangeDoneView, PasswordChangeView
from .dashboard import dashboard
from .health import healthz
from .notifications import notification_list, notification_read, notifications_read_all

__all__ = [
    "LoginView",
    "LogoutView",
    "PasswordChangeDoneView",
    "PasswordChangeView",
    "audit_log",
    "dashboard",
    "healthz",
    "notification_list",
    "notification_read",
    "notifications_read_all",
]
