"""Demo data for `manage.py seed_demo`: a believable branch to try every role against.

`seed_demo` calls each builder in ``BUILDERS`` in order with one shared ``DemoContext``. A builder
is a function ``build(ctx: DemoContext) -> None`` named by dotted path, so apps above the site
layer (courses, exams, certification) can add their own builder — e.g. ``courses.demo.build`` —
without portal importing them at start-up. Later builders find earlier results on the context:
``ctx.units["西湖分局/法制大队"]``, ``ctx.accounts["trainer"]``.

Rules every builder follows:
- Idempotent: look up before creating, so a second run creates nothing; change an existing row
  only when it differs from what the demo documents, and count it with ``ctx.updated``.
- Reproducible: take randomness from ``ctx.random_for("<builder>")`` (a fixed seed per builder),
  never from ``random`` directly, so every run and every machine gets the same people.
- Fast: bulk_create where there are many rows; never hash a password per row (use
  ``ctx.password_hash``).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from people.models import Unit, User

# The one password of every demo account (documented in README.md). Never used outside demo data.
DEMO_PASSWORD = "Demo@2026"  # noqa: S105

# Audit entries written by the demo builders name this as their actor.
SEED_ACTOR = "manage.py seed_demo"

# Changing the seed changes every generated name and date; keep it fixed.
DEMO_SEED = 2026

# Called in order by `seed_demo`: the site's own builders. Apps above the site layer add theirs
# through the DEMO_BUILDERS setting (config is the one place that knows every app).
BUILDERS: list[str] = [
    "portal.demo.units.build",
    "portal.demo.accounts.build",
    "portal.demo.people.build",
    "portal.demo.notifications.build",
]


@dataclass
class DemoAccount:
    """A row of the demo accounts table printed by `seed_demo` and documented in README.md."""

    key: str
    police_number: str
    role_label: str
    try_this: str


@dataclass
class DemoContext:
    today: datetime.date = field(default_factory=timezone.localdate)
    units: dict[str, Unit] = field(default_factory=dict)
    accounts: dict[str, User] = field(default_factory=dict)
    account_rows: list[DemoAccount] = field(default_factory=list)
    created_counts: Counter[str] = field(default_factory=Counter)
    updated_counts: Counter[str] = field(default_factory=Counter)
    # The shared hash of DEMO_PASSWORD. The hasher is deliberately slow (~0.5 s), so it is
    # computed once per run (or adopted from an account that already has a valid one) and the
    # same string is assigned to every demo user.
    password_hash: str = ""

    def ensure_password_hash(self) -> str:
        if not self.password_hash:
            self.password_hash = make_password(DEMO_PASSWORD)
        return self.password_hash

    def random_for(self, builder: str) -> random.Random:
        """A generator seeded by the builder's name: builders stay reproducible in any order."""
        return random.Random(f"{DEMO_SEED}:{builder}")

    def created(self, label: str, count: int = 1) -> None:
        """Count ``count`` new rows of ``label`` (a translatable plural noun, e.g. _("units"))."""
        if count:
            self.created_counts[str(label)] += count

    def updated(self, label: str, count: int = 1) -> None:
        if count:
            self.updated_counts[str(label)] += count

    @property
    def changed(self) -> bool:
        return bool(self.created_counts or self.updated_counts)


def run_builders(ctx: DemoContext, builders: list[str] | None = None) -> DemoContext:
    if builders is None:
        builders = getattr(settings, "DEMO_BUILDERS", BUILDERS)
    for path in builders:
        import_string(path)(ctx)
    return ctx
