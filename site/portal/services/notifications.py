from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone, translation

from portal.models import Notification
from portal.texts import StoredText, as_message

_DEFAULT_LANGUAGE = "zh-hans"


def notification_send(
    *,
    recipient,
    title: str | StoredText | Callable[[], str],
    body: str | StoredText | Callable[[], str] = "",
    url: str = "",
    kind: str = "",
) -> Notification:
    """Store an in-app notification.

    A stored text (``portal.texts``) or a lazy string is kept as its key (or msgid) and parameters,
    so the page shows it in whatever language the reader has chosen when reading it. The words are
    also rendered now, in the recipient's language, as the fallback (and for the admin's search);
    callables and plain strings (typed by a person) are only kept that way."""
    language = getattr(recipient, "preferred_language", "") or _DEFAULT_LANGUAGE
    with translation.override(language):
        title_text = str(title() if callable(title) else title)
        body_text = str(body() if callable(body) else body)
    return Notification.objects.create(
        recipient=recipient,
        title=title_text[:200],
        body=body_text,
        title_message=as_message(title),
        body_message=as_message(body),
        url=url,
        kind=kind,
    )


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another user's notification is a 404."""
    from django.shortcuts import get_object_or_404

    with transaction.atomic():
        notification = get_object_or_404(Notification.objects.select_for_update(), pk=notification_id, recipient=user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
