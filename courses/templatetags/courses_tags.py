"""Template helpers of the study pages: ``{% load courses_tags %}``."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Reading time: '42 s', '3 min', '3 min 20 s', '1 h 5 min'."""
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes and secs:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": secs}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": secs}


@register.filter
def lesson_state(course_progress, lesson_id) -> str:
    """``{{ course_progress|lesson_state:lesson.pk }}`` → 'new', 'reading', 'learned' or 'reread'."""
    if course_progress is None:
        return ""
    return course_progress.state_of(lesson_id)


@register.simple_tag
def study_url(name: str, *args) -> str:
    """``{% study_url "discussion_detail" discussion.pk %}``: a route of the course index page."""
    from courses.links import index_url

    return index_url(name, *args)
