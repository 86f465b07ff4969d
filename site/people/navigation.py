"""Menu entries for the portal's registry (portal.selectors.registry): plain dicts with NavItem's keys."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from people.models import Role
from people.selectors import Scope, has_role, scope_of


def nav_items(user) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[dict[str, Any]] = []
    if scope_of(user) > Scope.SELF:
        items.append(
            {"label": _("Officers"), "url": reverse("people:officer_list"), "order": 700, "key": "people.officers"}
        )
    if has_role(user, Role.HR, Role.ADMIN):
        items.append(
            {"label": _("Import personnel"), "url": reverse("people:import"), "order": 710, "key": "people.import"}
        )
    items.append(
        {
            "label": _("My profile"),
            "url": reverse("people:officer_detail", args=[user.pk]),
            "order": 800,
            "key": "people.profile",
            # Only highlight on the profile itself, not on other officers' pages below /people/officers/.
            "match_prefix": False,
        }
    )
    return items


def dashboard_section(user) -> None:
    """People has nothing pending for anyone's "my tasks" yet."""
    return None
