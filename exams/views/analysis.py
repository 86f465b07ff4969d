"""Item analysis (试题分析) pages for an exam: statistics, distribution chart, per-question figures, xlsx."""

from __future__ import annotations

urlpatterns: list = []
