"""An attempt's history for staff: what happened during the sitting (``AttemptEvent``), read in the
reader's language from the event's kind and its data — events store values, never sentences."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exams.models import Attempt, AttemptEvent, AttemptEventKind, AttemptReopenRequest, ReopenStatus


@dataclass(frozen=True)
class EventRow:
    at: datetime.datetime
    kind: str
    label: str  # what happened
    actor: str  # who did it; empty for the examinee's page or the system
    detail: str  # the event's data as a sentence


def get_attempt_for_staff(pk: int) -> Attempt:
    """An attempt of an exam arrangement, for training staff; 404 for personal practice or none."""
    return get_object_or_404(
        Attempt.objects.select_related("exam", "officer", "officer__unit"),
        pk=pk,
        exam__practice_for__isnull=True,
    )


def _duration(seconds: int) -> str:
    minutes, rest = divmod(abs(int(seconds)), 60)
    if minutes and rest:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest}
    if minutes:
        return ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": rest}


def event_detail(kind: str, data: dict) -> str:
    """The event's data as a sentence in the active language."""
    data = data if isinstance(data, dict) else {}
    parts = []
    if kind in (AttemptEventKind.TIME_ADDED,) and "seconds" in data:
        parts.append(_("%(duration)s added") % {"duration": _duration(data["seconds"])})
    elif kind == AttemptEventKind.RESUMED and "seconds" in data:
        parts.append(_("The clock stood still for %(duration)s") % {"duration": _duration(data["seconds"])})
    elif kind == AttemptEventKind.ACCOMMODATION and "seconds" in data:
        seconds = int(data["seconds"])
        template = _("Deadline moved %(duration)s later") if seconds >= 0 else _("Deadline moved %(duration)s earlier")
        parts.append(template % {"duration": _duration(seconds)})
    elif kind == AttemptEventKind.REOPENED and "minutes" in data:
        minutes = int(data["minutes"])
        parts.append(
            ngettext("Re-opened for %(minutes)d minute", "Re-opened for %(minutes)d minutes", minutes)
            % {"minutes": minutes}
        )
    elif kind == AttemptEventKind.DEVICE_TAKEOVER and data.get("device"):
        parts.append(_("Device %(device)s") % {"device": data["device"]})
    elif "count" in data:
        parts.append(_("Focus loss no. %(count)s") % {"count": data["count"]})
    if data.get("reason"):
        parts.append(_("Reason: %(reason)s") % {"reason": data["reason"]})
    return "；".join(parts)


def attempt_events(attempt: Attempt) -> list[EventRow]:
    """The attempt's events in order, each with who and what (one query)."""
    labels = dict(AttemptEventKind.choices)
    return [
        EventRow(
            at=event.at,
            kind=event.kind,
            label=str(labels.get(event.kind, event.kind)),
            actor=event.actor.name if event.actor else "",
            detail=event_detail(event.kind, event.data),
        )
        for event in AttemptEvent.objects.filter(attempt=attempt).select_related("actor").order_by("at", "pk")
    ]


def attempt_reopen_requests(attempt: Attempt) -> list[AttemptReopenRequest]:
    return list(AttemptReopenRequest.objects.filter(attempt=attempt).select_related("requested_by", "decided_by"))


def pending_reopen_requests() -> list[AttemptReopenRequest]:
    """Requests waiting for a legal leader, oldest first (the legal leader's approvals page)."""
    return list(
        AttemptReopenRequest.objects.filter(status=ReopenStatus.PENDING)
        .select_related("attempt__exam", "attempt__officer", "attempt__officer__unit", "requested_by")
        .order_by("requested_at", "pk")
    )


def recent_reopen_decisions(limit: int = 20) -> list[AttemptReopenRequest]:
    return list(
        AttemptReopenRequest.objects.exclude(status=ReopenStatus.PENDING)
        .select_related("attempt__exam", "attempt__officer", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
