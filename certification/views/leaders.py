"""Middle-leader pages: annual test coverage against the one-third rule, reminder talks and
organisational-measures flags."""

from __future__ import annotations

urlpatterns: list = []
