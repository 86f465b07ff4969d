"""Menu entries for the portal (``settings.PORTAL_NAV_PROVIDERS`` lists ``exams.navigation.nav_items``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from people.models import TRAINING_STAFF
from people.selectors import has_role
from portal.selectors.registry import NavItem


def nav_items(user) -> list[NavItem]:
    """题库 and 组卷方案 for trainers, legal-brigade leaders and administrators."""
    if not has_role(user, *TRAINING_STAFF):
        return []
    return [
        NavItem(label=_("Question bank"), url=reverse("exams:bank_list"), order=50, key="exams.bank"),
        NavItem(label=_("Paper blueprints"), url=reverse("exams:blueprint_list"), order=51, key="exams.blueprints"),
    ]
