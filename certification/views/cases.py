"""Case-quality records (执法质量考评): list, entry form, xlsx import."""

from __future__ import annotations

urlpatterns: list = []
