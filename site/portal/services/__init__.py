from .api_keys import api_key_authenticate, api_key_create, api_key_revoke
from .audit import audit_log
from .notifications import notification_mark_all_read, notification_mark_read, notification_send

__all__ = [
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "audit_log",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_send",
]
