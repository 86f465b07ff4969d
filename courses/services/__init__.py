from .assignments import (
    REMIND_DAYS_BEFORE,
    assignment_close,
    assignment_create,
    assignment_notify_created,
    assignment_reminders_send,
)
from .discussions import (
    discussion_attendance_set,
    discussion_cancel,
    discussion_create,
    discussion_minutes_save,
    discussion_notify_invitees,
    discussion_sign_in,
)
from .knowledge import knowledge_point_check, knowledge_point_create, knowledge_point_update
from .progress import lesson_mark_learned, lesson_open, lesson_require_reread, seconds_until_learnable
from .search_index import search_document_refresh, search_document_remove, search_documents_rebuild

__all__ = [
    "REMIND_DAYS_BEFORE",
    "assignment_close",
    "assignment_create",
    "assignment_notify_created",
    "assignment_reminders_send",
    "discussion_attendance_set",
    "discussion_cancel",
    "discussion_create",
    "discussion_minutes_save",
    "discussion_notify_invitees",
    "discussion_sign_in",
    "knowledge_point_check",
    "knowledge_point_create",
    "knowledge_point_update",
    "lesson_mark_learned",
    "lesson_open",
    "lesson_require_reread",
    "search_document_refresh",
    "search_document_remove",
    "search_documents_rebuild",
    "seconds_until_learnable",
]
