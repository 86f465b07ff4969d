"""Small template helpers shared by every app's templates: ``{% load portal_tags %}``."""

from __future__ import annotations

import datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from portal.formatting import format_date, format_quarter, quarter_name

register = template.Library()

BADGE_MAX = 99


@register.filter
def nav_active(item, path: str) -> bool:
    """``{% if item|nav_active:request.path %}`` — works for NavItem and dict entries."""
    if hasattr(item, "is_active"):
        return item.is_active(path)
    url = item.get("url", "") if isinstance(item, dict) else ""
    return path == url if url == "/" else bool(url) and path.startswith(url)


@register.filter
def badge(count) -> str:
    """A count for a badge: "" for zero, "99+" above 99."""
    try:
        count = int(count)
    except (TypeError, ValueError):
        return ""
    if count <= 0:
        return ""
    return f"{BADGE_MAX}+" if count > BADGE_MAX else str(count)


@register.filter
def when(value) -> str:
    """A date as 2026-03-01, a datetime as 2026-03-01 14:30 in the current time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_filter(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_filter(value, "Y-m-d")
    return str(value)


@register.filter
def long_date(value) -> str:
    """A date written out for documents: 2024年9月28日 in Chinese (``portal.formatting.format_date``)."""
    return format_date(value)


@register.simple_tag
def quarter(year, number) -> str:
    """``{% quarter 2026 3 %}`` → 2026年第三季度 / 2026 Q3 (``portal.formatting.format_quarter``)."""
    return format_quarter(year, number)


@register.filter(name="quarter_name")
def quarter_name_filter(number) -> str:
    """``{{ 3|quarter_name }}`` → 第三季度 / Q3."""
    return quarter_name(number)


@register.filter
def minutes(delta) -> int:
    """A timedelta (or seconds) as whole minutes, rounded up."""
    seconds = delta.total_seconds() if isinstance(delta, datetime.timedelta) else float(delta or 0)
    return int(-(-seconds // 60))


@register.simple_tag
def time_after(delta) -> datetime.datetime | None:
    """``{% time_after cooloff_timedelta as retry_at %}``: now plus ``delta``."""
    if not isinstance(delta, datetime.timedelta):
        return None
    return timezone.now() + delta
