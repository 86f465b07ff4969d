from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from portal.models import Notification


def unread_notification_count(user) -> int:
    """One indexed COUNT on (recipient, read_at): cheap enough for every page."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-id")


def notifications_for(user) -> QuerySet[Notification]:
    """The user's notifications, unread first, then newest first."""
    return (
        Notification.objects.filter(recipient=user)
        .annotate(is_unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-is_unread", "-created_at", "-id")
    )
