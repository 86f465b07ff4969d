"""The officer's law-enforcement file (执法档案): one timeline of everything the platform knows,
filterable, with a summary header and a PDF."""

from __future__ import annotations

urlpatterns: list = []
