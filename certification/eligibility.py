"""The law-enforcement qualification ladder, as the exams app's tier-eligibility callable
(setting ``EXAMS_TIER_ELIGIBILITY``).

The ladder lives in the data, not here: the qualification type standing for a tier says which
type must be held first (``QualificationType.requires``) — seeded as 中级 requires 基本级 and 高级
requires 中级, and 基本级 requires nothing. An admin who changes the ladder changes the rule.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import QualificationType
from certification.selectors.qualifications import holds_valid_qualification


def tier_ladder_eligibility(user, tier: str) -> tuple[bool, str]:
    """``(True, "")`` when ``user`` holds today a valid record of the type the tier's type requires
    (or it requires none); otherwise ``(False, reason)`` naming the missing qualification."""
    tier_type = (
        QualificationType.objects.filter(tier=tier, active=True).select_related("requires").order_by("order").first()
    )
    if tier_type is None or tier_type.requires is None:
        return True, ""
    required = tier_type.requires
    if holds_valid_qualification(user, required, timezone.localdate()):
        return True, ""
    return False, _("Sitting a %(tier_qualification)s exam requires a valid %(required)s.") % {
        "tier_qualification": tier_type.name,
        "required": required.name,
    }


def lead_test_retake_wait(exam, officer) -> tuple[bool, str]:
    """An ``EXAMS_ELIGIBILITY_CHECKS`` rule: a new officer who failed the lead-officer test may
    retake it only from the day the policy's waiting time ends (``Pathway.retake_from``)."""
    from certification.models import Pathway, PathwayPhase, QualificationExam

    if not QualificationExam.objects.filter(exam=exam, qualification_type__code="lead_officer").exists():
        return True, ""
    pathway = Pathway.objects.filter(officer=officer, phase=PathwayPhase.PHASE2).first()
    today = timezone.localdate()
    if pathway is None or pathway.retake_from is None or today >= pathway.retake_from:
        return True, ""
    return False, _("You may retake the lead-officer test from %(date)s.") % {
        "date": pathway.retake_from.strftime("%Y-%m-%d")
    }
