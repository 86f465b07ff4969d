"""Quarterly unit reports (单位季度报告): generated on demand and at quarter end, downloaded as PDF."""

from __future__ import annotations

urlpatterns: list = []
