"""Tier eligibility is asked of the callable named in settings.EXAMS_TIER_ELIGIBILITY."""

from __future__ import annotations

from courses.models.choices import Tier
from exams.eligibility import tier_eligibility

CALLS: list[tuple] = []


def basic_first(user, tier):
    """A stand-in for certification's ladder: intermediate needs a basic qualification."""
    CALLS.append((user, tier))
    if tier == Tier.INTERMEDIATE and not getattr(user, "has_basic", False):
        return False, "需要先取得基本级执法资格。"
    return True, ""


class Officer:
    has_basic = False


def test_without_a_setting_everyone_may_sit_every_tier(settings):
    if hasattr(settings, "EXAMS_TIER_ELIGIBILITY"):
        del settings.EXAMS_TIER_ELIGIBILITY

    assert [tier_eligibility(Officer(), tier) for tier in Tier.values] == [(True, "")] * 3


def test_the_configured_callable_decides_and_gives_its_reason(settings):
    settings.EXAMS_TIER_ELIGIBILITY = "tests.exams.test_papers_eligibility.basic_first"
    officer = Officer()
    CALLS.clear()

    assert tier_eligibility(officer, Tier.INTERMEDIATE) == (False, "需要先取得基本级执法资格。")
    officer.has_basic = True
    assert tier_eligibility(officer, Tier.INTERMEDIATE) == (True, "")
    assert len(CALLS) == 2 and all(call == (officer, Tier.INTERMEDIATE) for call in CALLS)


def test_an_unknown_tier_is_never_eligible(settings):
    settings.EXAMS_TIER_ELIGIBILITY = "tests.exams.test_papers_eligibility.basic_first"
    CALLS.clear()

    eligible, reason = tier_eligibility(Officer(), "expert")

    assert not eligible and reason
    assert CALLS == []
