"""Models of the courses app, one module per concern.

knowledge  — the knowledge-point tree (shared with exams)
pages      — course index, course and lesson pages
search     — the denormalised Chinese search table
"""

from .choices import Audience, Tier
from .fields import ChoiceSetField
from .knowledge import KnowledgePoint
from .pages import CourseIndexPage, CoursePage, LessonPage, MembersOnlyPageMixin
from .search import SearchDocument, SearchDocumentKind

__all__ = [
    "Audience",
    "ChoiceSetField",
    "CourseIndexPage",
    "CoursePage",
    "KnowledgePoint",
    "LessonPage",
    "MembersOnlyPageMixin",
    "SearchDocument",
    "SearchDocumentKind",
    "Tier",
]
