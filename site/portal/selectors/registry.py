"""Navigation and dashboard registries.

Later apps add menu entries and "my tasks" sections without the portal importing them: the
settings ``PORTAL_NAV_PROVIDERS`` and ``PORTAL_DASHBOARD_SECTIONS`` list dotted paths to callables

    nav provider:       (user) -> list[NavItem]
    dashboard section:  (user) -> DashboardSection | None   (None: nothing pending)

The settings are the composition root: they list every provider, and a wrong path fails loudly
instead of silently hiding a menu entry.

Providers may return the dataclasses below or plain dicts with the same keys.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_NAV_PROVIDERS: tuple[str, ...] = (
    "portal.selectors.navigation.nav_items",
    "people.navigation.nav_items",
)
DEFAULT_DASHBOARD_SECTIONS: tuple[str, ...] = (
    "portal.selectors.navigation.dashboard_section",
    "people.navigation.dashboard_section",
)


@dataclasses.dataclass(frozen=True)
class NavItem:
    """One entry of the main menu.

    ``order``: smaller first (portal uses 10–30 for home/tasks/notifications, 900+ for admin
    tools). ``match_prefix``: the entry is highlighted on any path under ``url`` (except "/",
    which only matches itself). ``badge``: an optional count shown next to the label.
    """

    label: str
    url: str
    order: int = 100
    key: str = ""
    badge: int | None = None
    match_prefix: bool = True

    def is_active(self, path: str) -> bool:
        if self.url == "/" or not self.match_prefix:
            return path == self.url
        return path.startswith(self.url)


@dataclasses.dataclass(frozen=True)
class DashboardItem:
    """One pending thing on "my tasks": an assignment, an exam, a log to sign off...

    ``post=True`` renders the link as a small POST form (for actions such as "open and mark read").
    ``due`` may be a date or an aware datetime; ``urgent`` highlights the row.
    """

    title: str
    url: str = ""
    detail: str = ""
    status: str = ""
    due: datetime.date | datetime.datetime | None = None
    urgent: bool = False
    post: bool = False


@dataclasses.dataclass(frozen=True)
class DashboardSection:
    """A block on the dashboard. ``total`` is the full count when ``items`` shows only the first few.

    ``template`` names a custom include (it receives ``section`` and the usual request context);
    without it the items are rendered as a list.
    """

    key: str
    title: str
    items: Sequence[DashboardItem] = ()
    order: int = 100
    total: int | None = None
    more_url: str = ""
    more_label: str = ""
    template: str = ""
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.items)


def _as_nav_item(value: NavItem | Mapping[str, Any]) -> NavItem:
    return value if isinstance(value, NavItem) else NavItem(**value)


def _as_section(value: DashboardSection | Mapping[str, Any]) -> DashboardSection:
    if isinstance(value, DashboardSection):
        return value
    data = dict(value)
    data["items"] = tuple(
        item if isinstance(item, DashboardItem) else DashboardItem(**item) for item in data.get("items", ())
    )
    return DashboardSection(**data)


@functools.cache
def load_provider(dotted_path: str) -> Callable:
    """The callable at ``dotted_path``. A wrong path in settings fails loudly (ImportError)."""
    return import_string(dotted_path)


def _providers(setting_name: str, default: Iterable[str]) -> list[Callable]:
    paths = getattr(settings, setting_name, None)
    if paths is None:
        paths = default
    return [load_provider(path) for path in paths]


def nav_items_for(user) -> list[NavItem]:
    """Menu entries for ``user`` from every provider, ordered, without duplicate URLs."""
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[NavItem] = []
    seen_urls: set[str] = set()
    for provider in _providers("PORTAL_NAV_PROVIDERS", DEFAULT_NAV_PROVIDERS):
        for raw in provider(user) or ():
            item = _as_nav_item(raw)
            if item.url in seen_urls:
                continue
            seen_urls.add(item.url)
            items.append(item)
    return sorted(items, key=lambda item: item.order)


def dashboard_for(user) -> list[DashboardSection]:
    """The non-empty "my tasks" sections for ``user``, ordered. An empty list means nothing is pending."""
    if not getattr(user, "is_authenticated", False):
        return []
    sections: list[DashboardSection] = []
    for provider in _providers("PORTAL_DASHBOARD_SECTIONS", DEFAULT_DASHBOARD_SECTIONS):
        raw = provider(user)
        if raw is None:
            continue
        section = _as_section(raw)
        if section.items or section.template:
            sections.append(section)
    return sorted(sections, key=lambda section: section.order)
