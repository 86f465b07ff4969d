"""Reads about legal-officer quarterly evaluations (法制员季度考评): who may see and enter what,
the quarter's ranking, linked units, replacement reviews, and the officer's file entries.

Scope (issue #7): an officer sees their own results; a unit leader their unit subtree's; HR and
the legal brigade everyone's. Anything outside the scope is a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    EvaluationScheme,
    FlagReason,
    LegalBrigadeLink,
    QuarterlyEvaluation,
    ReplacementReview,
    ReviewDecision,
)
from certification.selectors.file import FileEntry
from certification.selectors.pathway import is_legal_brigade_staff
from people.models import OfficerStatus, Role, User
from people.selectors import Scope, has_role, scope_of
from portal.formatting import format_quarter

QUARTERS = (1, 2, 3, 4)
DECIDER_ROLES = (Role.LEGAL_LEADER, Role.ADMIN)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of ``quarter`` (1–4) of ``year``."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return start, end - datetime.timedelta(days=1)


def completed_quarters(year: int, today: datetime.date | None = None) -> list[int]:
    """Quarters of ``year`` that have ended by ``today``."""
    today = today or timezone.localdate()
    return [quarter for quarter in QUARTERS if quarter_bounds(year, quarter)[1] < today]


# --- who may do what -------------------------------------------------------------------------------


def can_manage_evaluations(user) -> bool:
    """The legal brigade keeps the schemes, enters scores and links units."""
    return is_legal_brigade_staff(user)


def can_decide_reviews(user) -> bool:
    """Keeping or replacing a legal officer is the legal-brigade leader's decision."""
    return has_role(user, *DECIDER_ROLES)


def sees_all_evaluations(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        scope_of(user) is Scope.EVERYONE or is_legal_brigade_staff(user)
    )


def can_view_rankings(user) -> bool:
    """The ranking pages: HR and the legal brigade (all), unit leaders (their subtree)."""
    return sees_all_evaluations(user) or (getattr(user, "is_authenticated", False) and scope_of(user) is Scope.UNIT)


def _officer_condition(user, prefix: str = "officer__") -> Q | None:
    """None means "everyone"; otherwise the officers the user may see."""
    if sees_all_evaluations(user):
        return None
    condition = Q(**{f"{prefix}pk": user.pk}) if prefix else Q(pk=user.pk)
    if scope_of(user) is Scope.UNIT and user.unit_id:
        condition |= Q(**{f"{prefix}unit__path__startswith": user.unit.path})
    return condition


def evaluations_visible_to(user) -> QuerySet[QuarterlyEvaluation]:
    if not getattr(user, "is_authenticated", False):
        return QuarterlyEvaluation.objects.none()
    condition = _officer_condition(user)
    records = QuarterlyEvaluation.objects.all()
    return records if condition is None else records.filter(condition)


def reviews_visible_to(user) -> QuerySet[ReplacementReview]:
    if not getattr(user, "is_authenticated", False):
        return ReplacementReview.objects.none()
    condition = _officer_condition(user)
    reviews = ReplacementReview.objects.all()
    return reviews if condition is None else reviews.filter(condition)


def get_scheme_or_404(pk: int) -> EvaluationScheme:
    scheme = EvaluationScheme.objects.filter(pk=pk).first()
    if scheme is None:
        raise Http404
    return scheme


def get_review_for_user(user, pk: int) -> ReplacementReview:
    review = reviews_visible_to(user).select_related("scheme", "officer").filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


# --- who is evaluated ------------------------------------------------------------------------------


def evaluated_officers() -> QuerySet[User]:
    """Legal officers (法制员) and legal-brigade officers still serving: the people a scheme covers."""
    return (
        User.objects.filter(Q(is_legal_officer=True) | Q(is_legal_brigade=True), is_active=True)
        .exclude(status=OfficerStatus.LEFT)
        .select_related("unit")
        .order_by("-is_legal_officer", "unit__path", "police_number")
    )


def is_evaluated_officer(officer: User) -> bool:
    return bool(officer.is_legal_officer or officer.is_legal_brigade)


def links_active_in(year: int, quarter: int) -> QuerySet[LegalBrigadeLink]:
    start, end = quarter_bounds(year, quarter)
    return LegalBrigadeLink.objects.filter(started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )


@dataclass
class LinkedOfficerRow:
    officer: User
    links: list[LegalBrigadeLink]

    @property
    def too_few(self) -> bool:
        # Item 19: every legal-brigade officer is linked to two or more units.
        return len(self.links) < 2


def linked_units_overview() -> list[LinkedOfficerRow]:
    """Each serving legal-brigade officer with their open links (warnings for fewer than two)."""
    officers = list(
        User.objects.filter(is_legal_brigade=True, is_active=True)
        .exclude(status=OfficerStatus.LEFT)
        .order_by("police_number")
    )
    links: dict[int, list[LegalBrigadeLink]] = {officer.pk: [] for officer in officers}
    for link in LegalBrigadeLink.objects.filter(ended_on__isnull=True, officer__in=officers).select_related("unit"):
        links[link.officer_id].append(link)
    return [LinkedOfficerRow(officer=officer, links=links[officer.pk]) for officer in officers]


# --- the quarter's ranking -------------------------------------------------------------------------


def quarter_evaluations(user, scheme: EvaluationScheme, quarter: int) -> QuerySet[QuarterlyEvaluation]:
    return (
        evaluations_visible_to(user)
        .filter(scheme=scheme, quarter=quarter)
        .select_related("officer", "unit")
        .prefetch_related("scores")
        .order_by("rank", "officer__police_number")
    )


def quarter_reviews(scheme: EvaluationScheme, quarter: int) -> dict[int, ReplacementReview]:
    return {review.officer_id: review for review in ReplacementReview.objects.filter(scheme=scheme, quarter=quarter)}


def quarter_counts(scheme: EvaluationScheme) -> dict[int, int]:
    counts = dict.fromkeys(QUARTERS, 0)
    for quarter in scheme.evaluations.values_list("quarter", flat=True):
        counts[quarter] += 1
    return counts


def evaluations_for_reviews(reviews) -> QuerySet[QuarterlyEvaluation]:
    """The evaluations the reviews were raised on (match on scheme, officer and quarter)."""
    return QuarterlyEvaluation.objects.filter(
        officer_id__in={review.officer_id for review in reviews},
        scheme_id__in={review.scheme_id for review in reviews},
    )


def reason_labels(codes) -> list[str]:
    labels = dict(FlagReason.choices)
    return [str(labels.get(code, code)) for code in codes]


def ranking_dataframe(scheme: EvaluationScheme, evaluations, reviews: dict[int, ReplacementReview]):
    """The quarter's ranking for the xlsx download, Chinese headers as the legal brigade files it."""
    import pandas as pd

    items = list(scheme.items.all())
    columns = [
        "名次",
        "警号",
        "姓名",
        "单位",
        *[item.name for item in items],
        "个人项目",
        "单位项目",
        "挂钩单位",
        "总分",
        "提示",
        "备注",
    ]
    rows = []
    for evaluation in evaluations:
        scores = {score.item_id: score.score for score in evaluation.scores.all()}
        review = reviews.get(evaluation.officer_id)
        rows.append(
            [
                evaluation.rank,
                evaluation.officer.police_number,
                evaluation.officer.name,
                evaluation.unit.name if evaluation.unit_id else "",
                *[float(scores[item.pk]) if item.pk in scores else None for item in items],
                float(evaluation.individual_score),
                float(evaluation.unit_score),
                float(evaluation.linked_score) if evaluation.linked_score is not None else None,
                float(evaluation.total),
                "；".join(reason_labels(review.reasons)) if review else "",
                evaluation.note,
            ]
        )
    return pd.DataFrame(rows, columns=columns)


# --- the officer's own results and file ------------------------------------------------------------


def officer_evaluations(officer: User) -> QuerySet[QuarterlyEvaluation]:
    return (
        QuarterlyEvaluation.objects.filter(officer=officer)
        .select_related("scheme", "unit")
        .order_by("-scheme__year", "-quarter")
    )


def officer_quarter_sizes(evaluations) -> dict[tuple[int, int], int]:
    """How many officers were ranked in each (scheme, quarter) the officer appears in."""
    keys = {(evaluation.scheme_id, evaluation.quarter) for evaluation in evaluations}
    sizes: dict[tuple[int, int], int] = {}
    for scheme_id, quarter in keys:
        sizes[(scheme_id, quarter)] = QuarterlyEvaluation.objects.filter(scheme_id=scheme_id, quarter=quarter).count()
    return sizes


def file_entries(officer: User) -> list[FileEntry]:
    """Each quarter's total and rank, and every replacement review with its decision."""
    entries: list[FileEntry] = []
    evaluations = list(officer_evaluations(officer))
    sizes = officer_quarter_sizes(evaluations)
    for evaluation in evaluations:
        _start, end = quarter_bounds(evaluation.scheme.year, evaluation.quarter)
        entries.append(
            FileEntry(
                date=end,
                kind="evaluation",
                kind_label=_("Quarterly evaluation"),
                title=_("%(period)s legal-officer evaluation")
                % {"period": format_quarter(evaluation.scheme.year, evaluation.quarter)},
                detail=_("Total %(total)s, rank %(rank)s of %(count)s")
                % {
                    "total": evaluation.total,
                    "rank": evaluation.rank or "—",
                    "count": sizes[(evaluation.scheme_id, evaluation.quarter)],
                },
            )
        )
    reviews = ReplacementReview.objects.filter(officer=officer).select_related("scheme")
    for review in reviews:
        decided = review.decision != ReviewDecision.PENDING
        day = timezone.localdate(review.decided_at) if decided and review.decided_at else None
        entries.append(
            FileEntry(
                date=day or timezone.localdate(review.created_at),
                kind="evaluation",
                kind_label=_("Replacement review"),
                title=_("%(period)s: suggested for replacement review")
                % {"period": format_quarter(review.scheme.year, review.quarter)},
                detail="；".join(
                    [*reason_labels(review.reasons), *([review.decision_note] if review.decision_note else [])]
                ),
                status=review.get_decision_display(),
            )
        )
    return entries
