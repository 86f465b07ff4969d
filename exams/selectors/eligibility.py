"""Who may sit an exam — decided here and nowhere else.

An officer may sit an exam when they are in its audience rule or on its roster
(``ExamInvitation``), are not exempted from it, are in service (not left or seconded), and — for
every exam, since the callable also answers for 基本级 — the tier-eligibility callable agrees.
Apps above exams may add rules of their own through the setting ``EXAMS_ELIGIBILITY_CHECKS``
(dotted paths of ``check(exam, officer) -> (eligible, reason)``; certification makes a new officer
who failed the lead-officer test wait before retaking it). Personal practice exams
(``practice_for``) are for their owner only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from exams.eligibility import tier_eligibility
from exams.models import Exam, ExamExemption, ExamInvitation, ExamStatus
from people.models import User
from people.selectors.audience import audience_filter, audience_includes
from people.selectors.officers import officers_in_audience

REASONS = {
    "not_examinee": _("You are not on the list of examinees for this exam."),
    "exempted": _("You are exempted from this exam."),
    "out_of_service": _("Only officers in service may sit exams."),
}


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str = ""  # a sentence for the officer when not eligible


def _exam_with_audience(exam: Exam) -> Exam:
    return (
        Exam.objects.prefetch_related("audience_units_subtree", "audience_units_only", "audience_officers")
        .select_related("practice_for")
        .get(pk=exam.pk)
    )


def is_examinee(exam: Exam, officer: User) -> bool:
    """In the audience or on the roster, ignoring exemptions and tiers."""
    if exam.practice_for_id is not None:
        return exam.practice_for_id == officer.pk
    if ExamInvitation.objects.filter(exam=exam, officer=officer).exists():
        return True
    return audience_includes(_exam_with_audience(exam), officer)


def exam_eligibility(exam: Exam, officer: User) -> Eligibility:
    """Whether ``officer`` may sit ``exam`` now, and if not, why (window and attempts aside: those
    are checked when the attempt starts)."""
    if not officer.in_audience:
        return Eligibility(False, str(REASONS["out_of_service"]))
    if not is_examinee(exam, officer):
        return Eligibility(False, str(REASONS["not_examinee"]))
    if ExamExemption.objects.filter(exam=exam, officer=officer).exists():
        return Eligibility(False, str(REASONS["exempted"]))
    eligible, reason = tier_eligibility(officer, exam.tier)
    if not eligible:
        return Eligibility(False, reason)
    for path in getattr(settings, "EXAMS_ELIGIBILITY_CHECKS", []):
        eligible, reason = import_string(path)(exam, officer)
        if not eligible:
            return Eligibility(False, str(reason))
    return Eligibility(True)


def exam_examinees(exam: Exam) -> QuerySet[User]:
    """Every officer in service the exam is for — audience ∪ roster − exemptions. Tier eligibility
    is not applied (it may change before the officer starts); ``exam_eligibility`` applies it."""
    if exam.practice_for_id is not None:
        return officers_in_audience().filter(pk=exam.practice_for_id)
    condition = Q(pk__in=ExamInvitation.objects.filter(exam=exam).values("officer_id"))
    audience = audience_filter(_exam_with_audience(exam))
    if audience is not None:
        condition |= audience
    exempted = ExamExemption.objects.filter(exam=exam).values("officer_id")
    return officers_in_audience().filter(condition).exclude(pk__in=exempted).distinct()


def exams_open_to(officer: User) -> list[Exam]:
    """Published exams the officer is an examinee of (audience, roster or own practice), newest
    window first — the officer's "my exams" list, whatever the window says today."""
    if not officer.in_audience:
        return []
    exempted = set(ExamExemption.objects.filter(officer=officer).values_list("exam_id", flat=True))
    invited = set(ExamInvitation.objects.filter(officer=officer).values_list("exam_id", flat=True))
    candidates = (
        Exam.objects.filter(status__in=[ExamStatus.PUBLISHED, ExamStatus.CLOSED])
        .filter(Q(practice_for__isnull=True) | Q(practice_for=officer))
        .prefetch_related("audience_units_subtree", "audience_units_only", "audience_officers")
        .select_related("blueprint")
    )
    if officer.unit_id is not None:
        officer.unit  # noqa: B018 — loaded once for the subtree comparisons below
    return [
        exam
        for exam in candidates
        if exam.pk not in exempted
        and (
            exam.practice_for_id == officer.pk
            or (exam.practice_for_id is None and (exam.pk in invited or audience_includes(exam, officer)))
        )
    ]
