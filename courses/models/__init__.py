"""Models of the courses app, one module per concern.

knowledge    — the knowledge-point tree (shared with exams)
pages        — course index, course and lesson pages
search       — the denormalised Chinese search table
progress     — reading progress, completion history, re-read requests
assignments  — study assignments (学习任务) and their reminders
discussions  — study discussions (学习讨论) and attendance
"""

from .assignments import AssignmentReminder, AssignmentStatus, ReminderKind, StudyAssignment
from .choices import Audience, Tier
from .discussions import (
    SELF_SIGN_IN_OPENS_BEFORE,
    DiscussionAttendance,
    DiscussionStatus,
    SignInMethod,
    StudyDiscussion,
)
from .fields import ChoiceSetField
from .knowledge import KnowledgePoint
from .pages import CourseIndexPage, CoursePage, LessonPage, MembersOnlyPageMixin
from .progress import LessonCompletion, LessonProgress, LessonRereadRequest
from .search import SearchDocument, SearchDocumentKind

__all__ = [
    "SELF_SIGN_IN_OPENS_BEFORE",
    "AssignmentReminder",
    "AssignmentStatus",
    "Audience",
    "ChoiceSetField",
    "CourseIndexPage",
    "CoursePage",
    "DiscussionAttendance",
    "DiscussionStatus",
    "KnowledgePoint",
    "LessonCompletion",
    "LessonPage",
    "LessonProgress",
    "LessonRereadRequest",
    "MembersOnlyPageMixin",
    "ReminderKind",
    "SearchDocument",
    "SearchDocumentKind",
    "SignInMethod",
    "StudyAssignment",
    "StudyDiscussion",
    "Tier",
]
