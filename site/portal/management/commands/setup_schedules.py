"""`manage.py setup_schedules`: write the recurring tasks of the SCHEDULE_PROVIDERS setting to django-q2.

Run once per deployment (and after each upgrade); running it again changes only what differs.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.tasks import schedules_sync


class Command(BaseCommand):
    help = "Create or update the django-q2 schedules the platform needs (idempotent, matched by name)."

    def handle(self, *args, **options):
        outcomes = schedules_sync()
        for outcome in outcomes:
            if outcome.action == "created":
                self.stdout.write(self.style.SUCCESS(_("created: %(name)s") % {"name": outcome.name}))
            elif outcome.action == "updated":
                details = list(outcome.changed_fields)
                if outcome.duplicates_removed:
                    count = outcome.duplicates_removed
                    details.append(
                        ngettext("%(count)d duplicate removed", "%(count)d duplicates removed", count)
                        % {"count": count}
                    )
                self.stdout.write(
                    self.style.WARNING(
                        _("updated: %(name)s (%(details)s)") % {"name": outcome.name, "details": ", ".join(details)}
                    )
                )
            elif outcome.action == "unchanged":
                self.stdout.write(_("unchanged: %(name)s") % {"name": outcome.name})
            else:
                self.stdout.write(_("left alone: %(name)s (not registered)") % {"name": outcome.name or "-"})
        counts = {action: sum(1 for o in outcomes if o.action == action) for action in ("created", "updated")}
        self.stdout.write(
            _("Schedules: %(created)d created, %(updated)d updated, %(total)d registered.")
            % {**counts, "total": sum(1 for o in outcomes if o.action != "unregistered")}
        )
