"""Reads for exam delivery. Access: an officer reaches only their own attempts (trainers later)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from exams.models import Attempt


def get_attempt_for_user(user, pk: int, *, with_paper: bool = True) -> Attempt:
    """The attempt ``pk`` if ``user`` sat it; 404 for anyone else (no hint that it exists).

    ``with_paper=False`` leaves the paper (and its frozen plan) unread, for the page's frequent
    requests (autosave, status poll, focus events) that only need ``paper_id``."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    related = ("exam", "paper") if with_paper else ("exam",)
    return get_object_or_404(Attempt.objects.select_related(*related), pk=pk, officer=user)
