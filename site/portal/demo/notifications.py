"""A few in-app notifications for the demo officer, so the bell and the list are not empty.

Created once per kind: a rerun does not repeat them, and one the officer has read stays read.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.demo import DemoContext
from portal.models import Notification
from portal.services import notification_send

# (kind, title, body, already read?)
DEMO_NOTIFICATIONS = [
    (
        "portal.demo.welcome",
        _("Welcome to the legal training platform"),
        _("Your study assignments, exams and results are collected on your dashboard."),
        True,
    ),
    (
        "portal.demo.study_reminder",
        _("Study reminder: incident-response norms"),
        _("Please finish the assigned study material on incident-response norms before the end of the month."),
        False,
    ),
    (
        "portal.demo.exam_notice",
        _("You have been selected for a random law-enforcement ability test"),
        _("The test opens next week. Practice papers are available now."),
        False,
    ),
]


def build(ctx: DemoContext) -> None:
    recipient = ctx.accounts["officer"]
    existing = set(Notification.objects.filter(recipient=recipient).values_list("kind", flat=True))
    for kind, title, body, read in DEMO_NOTIFICATIONS:
        if kind in existing:
            continue
        notification = notification_send(recipient=recipient, title=title, body=body, kind=kind)
        if read:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        ctx.created(_("notifications"))
