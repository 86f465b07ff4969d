"""Calls out to the apps above people when an officer record is created or changed.

People sits at the bottom of the layers and cannot import them; apps that must react (the 123
pathway enrols a new officer when one is created or imported) name a function in the setting
``PEOPLE_OFFICER_HOOKS``: ``hook(*, officer, actor, created: bool, changes: dict)``, where
``changes`` is ``{field: (old, new)}`` (every profile field for a new officer). Hooks run inside
the caller's transaction: a failing hook undoes the change, it is never silently skipped.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def officer_changed(*, officer, actor, created: bool, changes: dict[str, tuple[Any, Any]]) -> None:
    for path in getattr(settings, "PEOPLE_OFFICER_HOOKS", []):
        import_string(path)(officer=officer, actor=actor, created=created, changes=changes)
