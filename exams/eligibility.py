"""Who may sit a paper of a given tier (基本级 / 中级 / 高级).

The real ladder — "中级 requires a valid 基本级 qualification" — belongs to certification, which sits
above exams and cannot be imported from here. So exams asks a callable named in the setting
``EXAMS_TIER_ELIGIBILITY`` (a dotted path): ``callable(user, tier) -> (eligible, reason)``, where
``reason`` is a sentence for the officer when ``eligible`` is false. Until certification provides
one, ``default_tier_eligibility`` lets everyone sit every tier.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from courses.models.choices import Tier

DEFAULT_TIER_ELIGIBILITY = "exams.eligibility.default_tier_eligibility"


def default_tier_eligibility(user, tier: str) -> tuple[bool, str]:
    """Everyone may sit a 基本级 paper; 中级 and 高级 are allowed too until certification supplies the
    ladder of prerequisites."""
    return True, ""


def tier_eligibility(user, tier: str) -> tuple[bool, str]:
    """``(eligible, reason)`` for ``user`` sitting a paper of ``tier``, as the configured callable says."""
    if tier not in Tier.values:
        return False, _("Unknown tier.")
    check = import_string(getattr(settings, "EXAMS_TIER_ELIGIBILITY", DEFAULT_TIER_ELIGIBILITY))
    eligible, reason = check(user, tier)
    return bool(eligible), str(reason or "")
