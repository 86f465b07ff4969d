"""Random ability tests: sampling plans, the drawn list, confirmation and the yearly coverage report."""

from __future__ import annotations

urlpatterns: list = []
