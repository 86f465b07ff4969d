"""HR and unit-leader dashboards: qualification coverage, expiring qualifications, the pathway
funnel, pass rates, coverage, completion and rankings, each figure drilling down to its
officers."""

from __future__ import annotations

urlpatterns: list = []
