"""Dashboard sections of the exams app (listed in the PORTAL_DASHBOARD_SECTIONS setting)."""

from __future__ import annotations
