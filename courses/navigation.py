"""Menu entries for the portal: ``settings.PORTAL_NAV_PROVIDERS`` lists ``courses.navigation.nav_items``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.selectors.registry import NavItem

# The course index is created at /courses/ by a migration. A fixed path: looking the page up
# would cost a query on every page that shows the menu.
COURSES_PATH = "/courses/"


def nav_items(user) -> list[NavItem]:
    """学习中心, for signed-in users; highlighted anywhere under /courses/ (courses, lessons, search)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [NavItem(label=_("Study centre"), url=COURSES_PATH, order=40, key="courses.study", match_prefix=True)]
