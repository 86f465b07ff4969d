"""Calls out to the apps above exams when an attempt's result is final or changes.

Exams cannot import certification (it sits above); certification names a function in the setting
``EXAMS_RESULT_HOOKS``: ``hook(*, attempt)``, called after an attempt is graded (its ``score`` and
``passed`` are final) and again after a key correction changes them. Hooks must be idempotent.
They run inside the grading transaction: a failing hook undoes the grading, never silently skipped.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def attempt_result_changed(*, attempt) -> None:
    for path in getattr(settings, "EXAMS_RESULT_HOOKS", []):
        import_string(path)(attempt=attempt)
