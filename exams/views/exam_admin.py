"""Trainer pages for exams (考试安排): list, create and edit with audience, roster, exemptions, publish."""

from __future__ import annotations

urlpatterns: list = []
