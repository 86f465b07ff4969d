"""Reads for exam delivery. Access: an officer reaches only their own attempts (trainers later)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from exams.models import Attempt


def get_attempt_for_user(user, pk: int) -> Attempt:
    """The attempt ``pk`` if ``user`` sat it; 404 for anyone else (no hint that it exists)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_object_or_404(Attempt.objects.select_related("exam", "paper"), pk=pk, officer=user)
