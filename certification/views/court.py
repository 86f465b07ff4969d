"""Court-hearing attendance pages (庭审旁听): record, verify or reject, progress and shortfall lists."""

from __future__ import annotations

urlpatterns: list = []
