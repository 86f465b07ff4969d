"""Dates and quarters as a reader of the current language expects them: one place for both.

Chinese reads "2026年第三季度" and "2024年9月28日"; English reads "2026 Q3" and "Sept. 28, 2024".
Pages, PDFs, exports and messages call these (templates through the ``quarter`` tag and the
``long_date`` filter in ``portal_tags``) rather than spelling "Q3" or "Y-m-d" themselves.
Compact dates in tables stay ``portal_tags.when`` (2026-03-01), which reads the same in both.
"""

from __future__ import annotations

import datetime

from django.utils import formats, timezone
from django.utils.translation import pgettext, pgettext_lazy

QUARTER_NAMES = {
    1: pgettext_lazy("quarter of the year", "Q1"),
    2: pgettext_lazy("quarter of the year", "Q2"),
    3: pgettext_lazy("quarter of the year", "Q3"),
    4: pgettext_lazy("quarter of the year", "Q4"),
}


def quarter_name(quarter: int | str) -> str:
    """The quarter's name: "第三季度" / "Q3"; anything that is not a quarter comes back as it was."""
    try:
        return str(QUARTER_NAMES[int(quarter)])
    except (KeyError, TypeError, ValueError):
        return str(quarter)


def format_quarter(year: int | str, quarter: int | str) -> str:
    """Year and quarter: "2026年第三季度" in Chinese, "2026 Q3" in English."""
    return pgettext("year and quarter", "%(year)s %(quarter)s") % {"year": year, "quarter": quarter_name(quarter)}


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """A date written out: "2024年9月28日" in Chinese, "Sept. 28, 2024" in English (the language's
    DATE_FORMAT); a datetime is taken in the current time zone first."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT")
