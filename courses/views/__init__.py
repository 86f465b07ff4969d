"""Views that are not page types. Pages themselves render through their models' templates; the
views here are reached through routes of ``CourseIndexPage`` and ``LessonPage`` (see
``courses.links``).

search       — /courses/search/
study        — the lesson page itself, marking lessons learned, re-read requests, 我的学习
assignments  — 学习任务管理 (trainers) and the overdue lists (unit leaders, HR)
discussions  — 学习讨论: scheduling, sign-in, attendance checklist, minutes
"""

from .search import search_view

__all__ = ["search_view"]
