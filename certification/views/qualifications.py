"""Pages for qualification records: HR and legal-brigade lists, an officer's own, grants,
approvals, suspend / revoke / reinstate, evidence, and which exams grant which qualification."""

from __future__ import annotations

urlpatterns: list = []
