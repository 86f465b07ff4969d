"""Trainer pages for grading short answers (阅卷), blind by default, key corrections and result release."""

from __future__ import annotations

urlpatterns: list = []
