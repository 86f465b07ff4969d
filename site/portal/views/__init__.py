from .audit import audit_log
from .auth import LoginView, LogoutView, PasswordChangeDoneView, PasswordChangeView
from .dashboard import dashboard
from .exports import export_download, export_job, export_job_status, export_retry, my_exports
from .health import healthz
from .notifications import notification_list, notification_read, notifications_read_all

__all__ = [
    "LoginView",
    "LogoutView",
    "PasswordChangeDoneView",
    "PasswordChangeView",
    "audit_log",
    "dashboard",
    "export_download",
    "export_job",
    "export_job_status",
    "export_retry",
    "healthz",
    "my_exports",
    "notification_list",
    "notification_read",
    "notifications_read_all",
]
