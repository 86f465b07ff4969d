"""The officer's wrong-answer notebook (错题本) and the practice papers made from it."""

from __future__ import annotations

urlpatterns: list = []
