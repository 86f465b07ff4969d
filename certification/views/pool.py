"""Reserve talent pool pages (法制后备人才库): candidates, nominations, approvals, members, activities and
attendance, xlsx."""

from __future__ import annotations

urlpatterns: list = []
