from .api_keys import ApiKey, ApiScope
from .audit import AuditEntry
from .exports import ExportJob, ExportStatus
from .jobs import JobLease
from .notifications import Notification
from .pages import HomePage

__all__ = ["ApiKey", "ApiScope", "AuditEntry", "ExportJob", "ExportStatus", "HomePage", "JobLease", "Notification"]
