"""Certificate pages: PDF download, batch issue for an exam's passers with progress."""

from __future__ import annotations

urlpatterns: list = []
