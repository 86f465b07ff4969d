"""The tier ladder as the exams' tier-eligibility callable: 中级 needs a valid 基本级, 高级 a valid 中级."""

from __future__ import annotations

import pytest
from django.utils import translation

from certification.eligibility import tier_ladder_eligibility
from certification.models import QualificationStatus
from certification.services.qualifications import qualification_revoke, qualification_suspend
from courses.models.choices import Tier
from exams.models import Attempt
from exams.services.delivery import DeliveryError, attempt_start
from tests.certification.qualification_support import days_ago, grant, qualification_exam, qualification_type

pytestmark = pytest.mark.django_db


def test_basic_tier_is_open_to_everyone(officer):
    assert tier_ladder_eligibility(officer, Tier.BASIC) == (True, "")


def test_intermediate_exam_refused_without_basic_then_allowed_after_grant(officer):
    exam = qualification_exam(officer, code="intermediate", tier=Tier.INTERMEDIATE)
    with translation.override("en"), pytest.raises(DeliveryError) as refused:
        attempt_start(exam=exam, officer=officer)
    assert "基本级执法资格" in refused.value.message
    assert "requires a valid" in refused.value.message
    assert not Attempt.objects.filter(exam=exam, officer=officer).exists()

    grant(officer, "basic")
    attempt = attempt_start(exam=exam, officer=officer)
    assert attempt.state == "in_progress"


def test_advanced_requires_intermediate_not_just_basic(officer):
    grant(officer, "basic")
    eligible, reason = tier_ladder_eligibility(officer, Tier.ADVANCED)
    assert not eligible
    assert "中级执法资格" in reason
    grant(officer, "intermediate")
    assert tier_ladder_eligibility(officer, Tier.ADVANCED) == (True, "")


def test_ladder_follows_the_types_requires_not_hard_coded_codes(officer):
    """An admin who moves the prerequisite moves the rule."""
    intermediate = qualification_type("intermediate")
    intermediate.requires = qualification_type("lead_officer")
    intermediate.save(update_fields=["requires"])
    grant(officer, "basic")
    eligible, reason = tier_ladder_eligibility(officer, Tier.INTERMEDIATE)
    assert not eligible and "主办民警资格" in reason
    grant(officer, "lead_officer")
    assert tier_ladder_eligibility(officer, Tier.INTERMEDIATE)[0]


def test_expired_basic_does_not_count(officer):
    record = grant(officer, "basic", granted_on=days_ago(3 * 366))
    assert record.status == QualificationStatus.VALID and record.expires_on < days_ago(0)
    assert not tier_ladder_eligibility(officer, Tier.INTERMEDIATE)[0]


def test_suspended_or_revoked_basic_does_not_count(officer, legal_leader):
    record = grant(officer, "basic")
    qualification_suspend(qualification=record, actor=legal_leader, reason="正在调查")
    assert not tier_ladder_eligibility(officer, Tier.INTERMEDIATE)[0]
    qualification_revoke(qualification=record, actor=legal_leader, reason="违纪")
    assert not tier_ladder_eligibility(officer, Tier.INTERMEDIATE)[0]


def test_qualification_awaiting_approval_does_not_count(officer):
    basic = qualification_type("basic")
    basic.requires_approval = True
    basic.save(update_fields=["requires_approval"])
    assert grant(officer, "basic").status == QualificationStatus.PROPOSED
    assert not tier_ladder_eligibility(officer, Tier.INTERMEDIATE)[0]


def test_exams_ask_the_ladder_through_the_setting(officer):
    from exams.eligibility import tier_eligibility

    assert tier_eligibility(officer, Tier.INTERMEDIATE)[0] is False
    grant(officer, "basic")
    assert tier_eligibility(officer, Tier.INTERMEDIATE) == (True, "")
