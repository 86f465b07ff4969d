"""Pages of the 123 new-officer pathway: enrolment, the pathway board, an officer's pathway,
shadowing logs and their sign-off."""

from __future__ import annotations

urlpatterns: list = []
