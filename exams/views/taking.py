"""Officer pages for taking exams: my exams, start page, the paper with autosave, submit, result and review."""

from __future__ import annotations

urlpatterns: list = []
