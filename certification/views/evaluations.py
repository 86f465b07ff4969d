"""Legal-officer quarterly evaluation pages (法制员季度考评): schemes, score entry and xlsx import,
rankings, replacement reviews, linked units."""

from __future__ import annotations

urlpatterns: list = []
