"""`manage.py seed_demo`: fill the database with the demo branch and one account per role.

Safe to run again: a second run creates nothing and changes only what no longer matches the
documented demo (for example a demo account whose password was changed).
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.demo import DEMO_PASSWORD, SEED_ACTOR, DemoContext, run_builders
from portal.demo.units import BRANCH
from portal.services import audit_log


class Command(BaseCommand):
    help = "Create the demo branch, its officers and one demo account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even where DEMO_DATA_ALLOWED is off (production settings): demo passwords are public.",
        )

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", True) and not options["force"]:
            raise CommandError(
                _(
                    "Demo data is disabled in this environment (DEMO_DATA_ALLOWED is off): the demo accounts "
                    "have a published password. Use --force only on a training or test installation."
                )
            )
        ctx = DemoContext()
        with transaction.atomic():
            run_builders(ctx)
            if ctx.changed:
                audit_log(
                    actor=SEED_ACTOR,
                    action="portal.demo.seeded",
                    target=ctx.units.get(BRANCH),
                    data={"created": dict(ctx.created_counts), "updated": dict(ctx.updated_counts)},
                )
        self._print_summary(ctx)
        self._print_accounts(ctx)

    def _print_summary(self, ctx: DemoContext) -> None:
        if not ctx.changed:
            self.stdout.write(self.style.SUCCESS(_("Demo data is already in place; nothing changed.")))
            return
        self.stdout.write(self.style.SUCCESS(_("Demo data seeded.")))
        for label, count in sorted(ctx.created_counts.items()):
            self.stdout.write("  " + _("created %(count)d %(label)s") % {"count": count, "label": label})
        for label, count in sorted(ctx.updated_counts.items()):
            self.stdout.write("  " + _("updated %(count)d %(label)s") % {"count": count, "label": label})

    def _print_accounts(self, ctx: DemoContext) -> None:
        header = [_("Police number"), _("Password"), _("Role"), _("What to try")]
        rows = [[row.police_number, DEMO_PASSWORD, row.role_label, row.try_this] for row in ctx.account_rows]
        widths = [max(_width(cells[i]) for cells in [header, *rows]) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (log in at /login/ with the police number):"))
        for index, cells in enumerate([header, *rows]):
            line = "  ".join(_pad(cell, width) for cell, width in zip(cells, widths, strict=True))
            self.stdout.write(("  " + line).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
