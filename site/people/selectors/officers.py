"""Reads about officers beyond scope checks: audiences and the filtered officer list."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from people.models import Unit, User
from people.models.users import STATUSES_OUT_OF_AUDIENCE
from people.selectors.scope import officers_visible_to


def officers_in_audience() -> QuerySet[User]:
    """Officers who receive assignments and may be sampled for tests (not seconded, not left)."""
    return User.objects.filter(is_active=True).exclude(status__in=STATUSES_OUT_OF_AUDIENCE)


def officer_list_for_user(
    user,
    *,
    unit: Unit | None = None,
    category: str = "",
    status: str = "",
    search: str = "",
) -> QuerySet[User]:
    """Officers ``user`` may see, narrowed by the list page's filters.

    ``unit`` means the unit and everything below it.
    """
    officers = officers_visible_to(user).select_related("unit")
    if unit is not None:
        officers = officers.filter(unit__path__startswith=unit.path)
    if category:
        officers = officers.filter(category=category)
    if status:
        officers = officers.filter(status=status)
    search = search.strip()
    if search:
        officers = officers.filter(Q(name__icontains=search) | Q(police_number__icontains=search))
    return officers.order_by("police_number")
