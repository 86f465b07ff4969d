"""Mentor binding (师徒结对): bind / unbind with eligibility and capacity rules, the mentor's page."""

from __future__ import annotations

urlpatterns: list = []
