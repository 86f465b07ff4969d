from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.models import AuditEntry


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries(
    *,
    action_prefix: str = "",
    actor_police_number: str = "",
    target_type: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, narrowed by the given filters (all optional).

    Dates are local calendar days, both inclusive; they become a half-open range on the indexed
    ``created_at`` rather than a per-row date conversion.
    """
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix.strip())
    if actor_police_number:
        number = actor_police_number.strip()
        # The label keeps "姓名（警号）" when the actor's account has since been deleted.
        entries = entries.filter(
            Q(actor__police_number=number) | Q(actor__isnull=True, actor_label__endswith=f"（{number}）")
        )
    if target_type:
        entries = entries.filter(target_type=target_type)
    if date_from:
        entries = entries.filter(created_at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return entries


def audit_target_types() -> list[str]:
    """Distinct target types present in the log, for the filter's choices."""
    return sorted(
        AuditEntry.objects.exclude(target_type="").order_by().values_list("target_type", flat=True).distinct()
    )
