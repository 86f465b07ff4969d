"""Points ledger pages (积分): an officer's ledger by year with sources, over-50 indicators, the
yearly promotion summary."""

from __future__ import annotations

urlpatterns: list = []
