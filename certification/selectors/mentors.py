"""Reads about mentor binding (师徒结对): eligibility, who may bind, the mentor's page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    CaseQualityRecord,
    CertificationPolicy,
    MentorBinding,
    Pathway,
    Qualification,
)
from certification.selectors.pathway import add_months, can_manage_pathways, pending_log_entries_for_signer
from people.models import Role, User
from people.selectors import can_view_officer, has_role

LEAD_OFFICER_CODE = "lead_officer"


def mentor_eligibility(
    mentor: User, *, today: datetime.date | None = None, policy: CertificationPolicy | None = None
) -> tuple[bool, list[str]]:
    """Whether ``mentor`` may take another mentee, and every rule they fail, each named:
    a valid 主办民警资格, enough years of service, no serious case-quality problem in the look-back
    window, and a free place (fewer active mentees than the policy's capacity)."""
    today = today or timezone.localdate()
    policy = policy or CertificationPolicy.current()
    reasons: list[str] = []
    qualification = (
        Qualification.objects.filter(officer=mentor, qualification_type__code=LEAD_OFFICER_CODE)
        .select_related("qualification_type")
        .first()
    )
    if qualification is None or not qualification.is_valid_on(today):
        reasons.append(_("Does not hold a valid lead case officer qualification (主办民警资格)."))
    years = policy.mentor_min_service_years
    start = mentor.service_start_date
    if start is None or add_months(start, 12 * years) > today:
        reasons.append(
            _("Has less than %(years)d years of police service.") % {"years": years}
            if start is not None
            else _("Has no police service start date on record (at least %(years)d years are needed).")
            % {"years": years}
        )
    since = add_months(today, -policy.mentor_lookback_months)
    serious = (
        CaseQualityRecord.objects.filter(serious=True, case_date__gte=since, case_date__lte=today)
        .filter(Q(officer=mentor) | Q(shares__officer=mentor))
        .exists()
    )
    if serious:
        reasons.append(
            _("Has a serious case-quality problem in the last %(months)d months.")
            % {"months": policy.mentor_lookback_months}
        )
    active = MentorBinding.objects.filter(mentor=mentor, ended_on__isnull=True).count()
    if active >= policy.mentor_capacity:
        reasons.append(
            _("Already mentors %(count)d new officers (at most %(capacity)d at a time).")
            % {"count": active, "capacity": policy.mentor_capacity}
        )
    return not reasons, reasons


def can_bind_mentor(user, mentee: User) -> bool:
    """HR and the legal brigade bind mentors for anyone; a unit leader for the new officers of their
    unit subtree (they pick the 师傅 from their own people)."""
    if can_manage_pathways(user):
        return True
    return has_role(user, Role.UNIT_LEADER) and can_view_officer(user, mentee)


@dataclass(frozen=True)
class MenteeRow:
    binding: MentorBinding
    pathway: Pathway | None
    attempts: list


def my_mentee_rows(mentor: User) -> list[MenteeRow]:
    """The mentor's current mentees with their pathway and exam attempts (newest first)."""
    from exams.models import Attempt

    bindings = list(
        MentorBinding.objects.filter(mentor=mentor, ended_on__isnull=True)
        .select_related("mentee", "mentee__unit")
        .order_by("started_on", "pk")
    )
    mentee_ids = [binding.mentee_id for binding in bindings]
    pathways = {pathway.officer_id: pathway for pathway in Pathway.objects.filter(officer_id__in=mentee_ids)}
    attempts: dict[int, list] = {}
    for attempt in (
        Attempt.objects.filter(officer_id__in=mentee_ids)
        .exclude(state="not_started")
        .select_related("exam")
        .order_by("-started_at", "-pk")
    ):
        attempts.setdefault(attempt.officer_id, []).append(attempt)
    return [
        MenteeRow(
            binding=binding, pathway=pathways.get(binding.mentee_id), attempts=attempts.get(binding.mentee_id, [])
        )
        for binding in bindings
    ]


def mentor_pending_logs(mentor: User):
    """Phase-2 log entries of the mentor's current mentees that wait for the mentor's signature."""
    return pending_log_entries_for_signer(mentor).filter(phase="phase2")


def binding_history(mentee: User):
    return MentorBinding.objects.filter(mentee=mentee).select_related("mentor", "bound_by", "ended_by")
