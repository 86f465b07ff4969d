"""Field builders shared by the apps' models."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def recorded_by(verbose_name) -> models.ForeignKey:
    """Who did something to a row (created, signed, decided it): a reference to a user that stays
    empty when the user is deleted and adds no reverse accessor to the user model."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
