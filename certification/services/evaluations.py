"""Legal-officer quarterly evaluations (法制员季度考评, seed items 5 and 19): schemes, score entry,
totals, ranking, "suggest replacement" flags and the leader's decision, linked units.

Scoring. Every item's score is turned into a percentage of its maximum and weighted:

    total = Σ (score / max_score × 100 × weight) / Σ weight        (0–100)

``individual_score`` and ``unit_score`` are the same formula over the individual and the unit
items alone. A legal-brigade officer (``is_legal_brigade``) is also accountable for the units they
are linked to (item 19): with ``w = scheme.linked_unit_weight`` and ``linked_score`` the mean own
total of the legal officers evaluated that quarter in the linked units (and the units below them),

    total = own_total × (1 − w) + linked_score × w                  (own total when nothing is linked)

Ranks are per quarter, 1 = best, equal totals share a rank (1, 1, 3). Totals, ranks and flags are
recomputed for the whole quarter whenever any of its scores change, so the page never shows a rank
computed against an older field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import texts
from certification.models import (
    EvaluationItem,
    EvaluationScheme,
    EvaluationScore,
    FlagReason,
    ItemGroup,
    LegalBrigadeLink,
    QuarterlyEvaluation,
    ReplacementReview,
    ReviewDecision,
)
from certification.selectors.evaluations import (
    QUARTERS,
    can_decide_reviews,
    is_evaluated_officer,
    links_active_in,
)
from people.models import Role, Unit, User
from portal.formatting import QUARTER_NAMES
from portal.services import audit_log, notification_send

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


class EvaluationError(Exception):
    """A refused change; the message says why in one or two sentences for the user."""


def _user_or_none(actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- the formula -----------------------------------------------------------------------------------


def weighted_percent(entries: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """Σ (score / max × 100 × weight) / Σ weight over ``(score, max_score, weight)``; 0 when the
    weights add up to nothing (a group without items)."""
    numerator = Decimal(0)
    weights = Decimal(0)
    for score, max_score, weight in entries:
        if not max_score:
            continue
        numerator += Decimal(score) / Decimal(max_score) * HUNDRED * Decimal(weight)
        weights += Decimal(weight)
    return _round(numerator / weights) if weights else Decimal("0.00")


def blended_total(own: Decimal, linked: Decimal | None, weight: Decimal) -> Decimal:
    """A legal-brigade officer's total: own × (1 − w) + linked × w; own alone without linked results."""
    if linked is None:
        return _round(own)
    return _round(own * (1 - Decimal(weight)) + linked * Decimal(weight))


def competition_ranks(totals: Mapping[int, Decimal]) -> dict[int, int]:
    """Rank keys by total, best first; equal totals share a rank and the next rank skips (1, 1, 3)."""
    ranks: dict[int, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (key, total) in enumerate(sorted(totals.items(), key=lambda pair: (-pair[1], pair[0])), start=1):
        if total != previous:
            rank = position
            previous = total
        ranks[key] = rank
    return ranks


# --- schemes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    """One row of the scheme form: an existing item (pk) or a new one (pk None)."""

    group: str
    name: str
    weight: Decimal
    max_score: Decimal
    pk: int | None = None


def scheme_save(
    *,
    scheme: EvaluationScheme | None,
    year: int,
    title: str,
    low_score: Decimal,
    low_quarters: int,
    bottom_percent: int,
    linked_unit_weight: Decimal,
    items: Sequence[ItemInput],
    actor,
) -> EvaluationScheme:
    """Create or edit a year's scheme with its items.

    Once any evaluation is entered under a scheme its items' weights and maxima (and the set of
    items) are fixed: changing them would silently rescore quarters already ranked and flagged.
    Names, order and the thresholds may still change; changed thresholds re-run the flags and a
    changed linked-unit weight recomputes every entered quarter.
    """
    title = (title or "").strip()
    if not title:
        raise EvaluationError(_("Give the scheme a title."))
    if not items:
        raise EvaluationError(_("A scheme needs at least one item."))
    names = [item.name.strip() for item in items]
    if any(not name for name in names):
        raise EvaluationError(_("Every item needs a name."))
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise EvaluationError(_("Item names must differ: %(names)s.") % {"names": "、".join(duplicates)})
    for item in items:
        if item.group not in ItemGroup.values:
            raise EvaluationError(_("Item “%(name)s” has no valid group.") % {"name": item.name})
        if item.max_score is None or item.max_score <= 0:
            raise EvaluationError(_("The maximum of item “%(name)s” must be above 0.") % {"name": item.name})
        if item.weight is None or item.weight <= 0:
            raise EvaluationError(_("The weight of item “%(name)s” must be above 0.") % {"name": item.name})
    if not 0 <= linked_unit_weight <= 1:
        raise EvaluationError(_("The weight of linked units must be between 0 and 1."))
    if low_quarters < 1 or low_quarters > 4:
        raise EvaluationError(_("The number of consecutive low quarters must be between 1 and 4."))
    if bottom_percent < 0 or bottom_percent > 100:
        raise EvaluationError(_("The bottom share must be between 0 and 100 %."))
    with transaction.atomic():
        if scheme is None:
            if EvaluationScheme.objects.filter(year=year).exists():
                raise EvaluationError(_("A scheme for %(year)s already exists; edit it instead.") % {"year": year})
            scheme = EvaluationScheme(year=year, created_by=_user_or_none(actor))
            before = None
            existing: dict[int, EvaluationItem] = {}
        else:
            scheme = EvaluationScheme.objects.select_for_update().get(pk=scheme.pk)
            if scheme.year != year and EvaluationScheme.objects.filter(year=year).exclude(pk=scheme.pk).exists():
                raise EvaluationError(_("A scheme for %(year)s already exists.") % {"year": year})
            before = _scheme_snapshot(scheme)
            existing = {item.pk: item for item in scheme.items.all()}
        unknown = [item.pk for item in items if item.pk is not None and item.pk not in existing]
        if unknown:
            raise EvaluationError(_("The form was out of date; reload the page and try again."))
        has_evaluations = scheme.pk is not None and scheme.evaluations.exists()
        if has_evaluations:
            _refuse_structural_change(existing, items)
            if scheme.year != year:
                raise EvaluationError(_("Evaluations were entered under this scheme; its year cannot change."))
        thresholds_changed = before is not None and (
            scheme.low_score != low_score
            or scheme.low_quarters != low_quarters
            or scheme.bottom_percent != bottom_percent
        )
        weight_changed = before is not None and scheme.linked_unit_weight != linked_unit_weight
        scheme.year = year
        scheme.title = title
        scheme.low_score = low_score
        scheme.low_quarters = low_quarters
        scheme.bottom_percent = bottom_percent
        scheme.linked_unit_weight = linked_unit_weight
        scheme.save()
        kept = {item.pk for item in items if item.pk is not None}
        EvaluationItem.objects.filter(scheme=scheme).exclude(pk__in=kept).delete()
        # Renames may swap two names: clear them first so the unique (scheme, name) holds mid-way.
        for pk in kept:
            EvaluationItem.objects.filter(pk=pk).update(name=f"__renaming__{pk}")
        for order, item in enumerate(items, start=1):
            if item.pk is None:
                EvaluationItem.objects.create(
                    scheme=scheme,
                    group=item.group,
                    name=item.name.strip(),
                    weight=item.weight,
                    max_score=item.max_score,
                    order=order,
                )
            else:
                EvaluationItem.objects.filter(pk=item.pk).update(
                    group=item.group, name=item.name.strip(), weight=item.weight, max_score=item.max_score, order=order
                )
        after = _scheme_snapshot(scheme)
        audit_log(
            actor=actor,
            action="certification.evaluation_scheme.created"
            if before is None
            else "certification.evaluation_scheme.updated",
            target=scheme,
            data={"before": before, "after": after} if before is not None else {"after": after},
        )
        if weight_changed:
            for quarter in _entered_quarters(scheme):
                evaluation_quarter_recompute(scheme=scheme, quarter=quarter)
        if weight_changed or thresholds_changed:
            for quarter in _entered_quarters(scheme):
                evaluation_flags_refresh(scheme=scheme, quarter=quarter)
    return scheme


def _refuse_structural_change(existing: dict[int, EvaluationItem], items: Sequence[ItemInput]) -> None:
    submitted = {item.pk: item for item in items if item.pk is not None}
    if any(item.pk is None for item in items) or set(submitted) != set(existing):
        raise EvaluationError(
            _("Evaluations were entered under this scheme, so items can no longer be added or removed.")
        )
    changed = [
        existing[pk].name
        for pk, item in submitted.items()
        if existing[pk].weight != item.weight
        or existing[pk].max_score != item.max_score
        or existing[pk].group != item.group
    ]
    if changed:
        raise EvaluationError(
            _(
                "Evaluations were entered under this scheme, so the weight, maximum and group of "
                "%(items)s cannot change."
            )
            % {"items": "、".join(changed)}
        )


def _scheme_snapshot(scheme: EvaluationScheme) -> dict:
    return {
        "year": scheme.year,
        "title": scheme.title,
        "low_score": str(scheme.low_score),
        "low_quarters": scheme.low_quarters,
        "bottom_percent": scheme.bottom_percent,
        "linked_unit_weight": str(scheme.linked_unit_weight),
        "items": [
            [item.group, item.name, str(item.weight), str(item.max_score)]
            for item in EvaluationItem.objects.filter(scheme=scheme).order_by("order", "pk")
        ],
    }


def _entered_quarters(scheme: EvaluationScheme) -> list[int]:
    return sorted(set(scheme.evaluations.values_list("quarter", flat=True)))


# --- score entry -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationInput:
    officer: User
    scores: Mapping[int, Decimal]  # item pk → score
    note: str = ""


def check_scores(
    items: Sequence[EvaluationItem], scores: Mapping[int, Decimal | None]
) -> list[tuple[EvaluationItem, str]]:
    """Problems with one officer's scores, each with the item it concerns."""
    problems: list[tuple[EvaluationItem, str]] = []
    for item in items:
        score = scores.get(item.pk)
        if score is None:
            problems.append((item, _("The score of “%(item)s” is missing.") % {"item": item.name}))
        elif score < 0:
            problems.append((item, _("The score of “%(item)s” cannot be negative.") % {"item": item.name}))
        elif score > item.max_score:
            problems.append(
                (
                    item,
                    _("The score of “%(item)s” is %(score)s, above its maximum of %(max)s.")
                    % {"item": item.name, "score": score, "max": item.max_score},
                )
            )
    return problems


def own_scores_message() -> str:
    return _("Nobody may enter their own evaluation scores: another legal-brigade officer enters them.")


def is_own_evaluation(actor, officer: User) -> bool:
    """Legal-brigade officers are evaluated too: their own scores are entered by a colleague."""
    return actor is not None and getattr(actor, "pk", None) == officer.pk


def _check_quarter(quarter: int) -> None:
    if quarter not in QUARTERS:
        raise EvaluationError(_("The quarter must be 1, 2, 3 or 4."))


def evaluations_save(
    *, scheme: EvaluationScheme, quarter: int, entries: Sequence[EvaluationInput], actor, source: str
) -> dict[str, int]:
    """Upsert the entries' evaluations and scores, then recompute the quarter's totals, ranks and
    flags once. All or nothing: any refused entry raises before anything is written."""
    _check_quarter(quarter)
    items = list(scheme.items.all())
    for entry in entries:
        if is_own_evaluation(actor, entry.officer):
            raise EvaluationError(own_scores_message())
        if not is_evaluated_officer(entry.officer):
            raise EvaluationError(
                _("%(name)s is neither a legal officer nor a legal-brigade officer.") % {"name": entry.officer}
            )
        problems = check_scores(items, entry.scores)
        if problems:
            raise EvaluationError(" ".join(message for _item, message in problems))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        # One writer per scheme at a time: the quarter's ranks depend on every row of it.
        EvaluationScheme.objects.select_for_update().get(pk=scheme.pk)
        for entry in entries:
            outcome = _evaluation_write(scheme=scheme, quarter=quarter, entry=entry, items=items, actor=actor)
            counts[outcome] += 1
        if counts["created"] or counts["updated"]:
            evaluation_quarter_recompute(scheme=scheme, quarter=quarter)
            # Later quarters' consecutive-low flags look back at this one.
            for later in _entered_quarters(scheme):
                if later >= quarter:
                    evaluation_flags_refresh(scheme=scheme, quarter=later)
        audit_log(
            actor=actor,
            action="certification.evaluation.entered",
            target=scheme,
            data={
                "quarter": quarter,
                "source": source,
                "officers": [entry.officer.police_number for entry in entries],
                **counts,
            },
        )
    return counts


def evaluation_save(
    *, scheme: EvaluationScheme, quarter: int, officer: User, scores: Mapping[int, Decimal], note: str = "", actor
) -> QuarterlyEvaluation:
    """Enter (or correct) one officer's scores for a quarter through the form."""
    evaluations_save(
        scheme=scheme,
        quarter=quarter,
        entries=[EvaluationInput(officer=officer, scores=scores, note=note)],
        actor=actor,
        source="form",
    )
    return QuarterlyEvaluation.objects.get(scheme=scheme, officer=officer, quarter=quarter)


def _evaluation_write(
    *, scheme: EvaluationScheme, quarter: int, entry: EvaluationInput, items: Sequence[EvaluationItem], actor
) -> str:
    evaluation = QuarterlyEvaluation.objects.filter(scheme=scheme, officer=entry.officer, quarter=quarter).first()
    note = (entry.note or "").strip()[:300]
    new_scores = {item.pk: _round(Decimal(entry.scores[item.pk])) for item in items}
    if evaluation is None:
        evaluation = QuarterlyEvaluation.objects.create(
            scheme=scheme,
            officer=entry.officer,
            quarter=quarter,
            unit_id=entry.officer.unit_id,
            note=note,
            entered_by=_user_or_none(actor),
        )
        EvaluationScore.objects.bulk_create(
            [EvaluationScore(evaluation=evaluation, item_id=pk, score=score) for pk, score in new_scores.items()]
        )
        return "created"
    old_scores = {score.item_id: score.score for score in evaluation.scores.all()}
    if old_scores == new_scores and evaluation.note == note:
        return "unchanged"
    evaluation.scores.exclude(item_id__in=new_scores).delete()
    for pk, score in new_scores.items():
        EvaluationScore.objects.update_or_create(evaluation=evaluation, item_id=pk, defaults={"score": score})
    evaluation.note = note
    evaluation.entered_by = _user_or_none(actor)
    evaluation.entered_at = timezone.now()
    evaluation.save(update_fields=["note", "entered_by", "entered_at"])
    return "updated"


# --- totals, ranks ---------------------------------------------------------------------------------


def evaluation_quarter_recompute(*, scheme: EvaluationScheme, quarter: int) -> None:
    """Recompute every evaluation of the quarter: group scores, own totals, linked-unit blend for
    legal-brigade officers, ranks."""
    items = {item.pk: item for item in scheme.items.all()}
    evaluations = list(
        QuarterlyEvaluation.objects.filter(scheme=scheme, quarter=quarter)
        .select_related("officer", "unit")
        .prefetch_related("scores")
    )
    own: dict[int, Decimal] = {}
    for evaluation in evaluations:
        rows = [(score.score, items[score.item_id]) for score in evaluation.scores.all() if score.item_id in items]
        evaluation.individual_score = weighted_percent(
            (score, item.max_score, item.weight) for score, item in rows if item.group == ItemGroup.INDIVIDUAL
        )
        evaluation.unit_score = weighted_percent(
            (score, item.max_score, item.weight) for score, item in rows if item.group == ItemGroup.UNIT
        )
        own[evaluation.pk] = weighted_percent((score, item.max_score, item.weight) for score, item in rows)
    # Item 19: the linked units' results are the legal officers' own totals (never blended ones,
    # so two legal-brigade officers cannot feed each other).
    legal_results = [
        (evaluation.unit.path, own[evaluation.pk])
        for evaluation in evaluations
        if evaluation.officer.is_legal_officer and evaluation.unit_id
    ]
    links: dict[int, list[str]] = {}
    for officer_id, path in links_active_in(scheme.year, quarter).values_list("officer_id", "unit__path"):
        links.setdefault(officer_id, []).append(path)
    totals: dict[int, Decimal] = {}
    for evaluation in evaluations:
        evaluation.linked_score = None
        if evaluation.officer.is_legal_brigade and evaluation.officer_id in links:
            paths = links[evaluation.officer_id]
            linked = [total for unit_path, total in legal_results if any(unit_path.startswith(p) for p in paths)]
            if linked:
                evaluation.linked_score = _round(sum(linked) / len(linked))
        evaluation.total = blended_total(own[evaluation.pk], evaluation.linked_score, scheme.linked_unit_weight)
        totals[evaluation.pk] = evaluation.total
    ranks = competition_ranks(totals)
    for evaluation in evaluations:
        evaluation.rank = ranks[evaluation.pk]
    QuarterlyEvaluation.objects.bulk_update(
        evaluations, ["individual_score", "unit_score", "linked_score", "total", "rank"]
    )


# --- flags and reviews -----------------------------------------------------------------------------


def quarter_flags(scheme: EvaluationScheme, quarter: int) -> dict[int, list[str]]:
    """Officer pk → reasons (FlagReason codes) raised by ``quarter``'s results.

    - consecutive low: a total below ``low_score`` in each of the ``low_quarters`` quarters ending
      with this one (within the year: in Q1 with two required quarters nobody is flagged yet);
    - bottom: among the ceil(count × bottom_percent / 100) lowest totals (at least one officer when
      the share is above 0); officers tied with the last of them are flagged too.
    """
    evaluations = list(QuarterlyEvaluation.objects.filter(scheme=scheme, quarter=quarter))
    reasons: dict[int, list[str]] = {}
    first = quarter - scheme.low_quarters + 1
    if first >= 1:
        window = range(first, quarter + 1)
        lows: dict[int, int] = {}
        for officer_id in QuarterlyEvaluation.objects.filter(
            scheme=scheme, quarter__in=window, total__lt=scheme.low_score
        ).values_list("officer_id", flat=True):
            lows[officer_id] = lows.get(officer_id, 0) + 1
        for evaluation in evaluations:
            if lows.get(evaluation.officer_id, 0) == len(window):
                reasons.setdefault(evaluation.officer_id, []).append(FlagReason.CONSECUTIVE_LOW)
    if scheme.bottom_percent > 0 and evaluations:
        count = max(1, math.ceil(len(evaluations) * scheme.bottom_percent / 100))
        cutoff = sorted(evaluation.total for evaluation in evaluations)[count - 1]
        for evaluation in evaluations:
            if evaluation.total <= cutoff:
                reasons.setdefault(evaluation.officer_id, []).append(FlagReason.BOTTOM)
    return reasons


def evaluation_flags_refresh(*, scheme: EvaluationScheme, quarter: int) -> dict[str, int]:
    """Bring the quarter's pending replacement reviews in line with its results. Idempotent: a
    flag already pending is updated, not duplicated; a pending review whose reasons no longer hold
    (scores corrected) is removed; decided reviews are history and stay as they are."""
    flags = quarter_flags(scheme, quarter)
    counts = {"created": 0, "updated": 0, "removed": 0}
    with transaction.atomic():
        reviews = {
            review.officer_id: review
            for review in ReplacementReview.objects.select_for_update().filter(scheme=scheme, quarter=quarter)
        }
        for officer_id, reasons in flags.items():
            review = reviews.get(officer_id)
            if review is None:
                ReplacementReview.objects.create(scheme=scheme, officer_id=officer_id, quarter=quarter, reasons=reasons)
                counts["created"] += 1
            elif review.decision == ReviewDecision.PENDING and review.reasons != reasons:
                review.reasons = reasons
                review.save(update_fields=["reasons"])
                counts["updated"] += 1
        stale = [
            review.pk
            for officer_id, review in reviews.items()
            if officer_id not in flags and review.decision == ReviewDecision.PENDING
        ]
        if stale:
            ReplacementReview.objects.filter(pk__in=stale).delete()
            counts["removed"] = len(stale)
        if any(counts.values()):
            audit_log(
                actor=None,
                action="certification.replacement_review.flags_refreshed",
                target=scheme,
                data={"quarter": quarter, **counts},
            )
    return counts


def replacement_review_decide(*, review: ReplacementReview, decision: str, note: str, actor) -> ReplacementReview:
    """The legal-brigade leader keeps the officer in post or replaces them; HR is told."""
    note = (note or "").strip()
    if not can_decide_reviews(actor):
        raise EvaluationError(_("Only the legal-brigade leader decides replacement reviews."))
    if decision not in (ReviewDecision.KEEP, ReviewDecision.REPLACE):
        raise EvaluationError(_("Choose to keep the officer in post or to replace them."))
    if decision == ReviewDecision.REPLACE and not note:
        raise EvaluationError(_("Give the reason for replacing the officer."))
    with transaction.atomic():
        review = (
            ReplacementReview.objects.select_for_update(of=("self",))
            .select_related("officer", "scheme")
            .get(pk=review.pk)
        )
        if review.decision != ReviewDecision.PENDING:
            raise EvaluationError(
                _("This review was already decided (%(decision)s).") % {"decision": review.get_decision_display()}
            )
        review.decision = decision
        review.decision_note = note[:300]
        review.decided_by = _user_or_none(actor)
        review.decided_at = timezone.now()
        review.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="certification.replacement_review.decided",
            target=review,
            data={
                "officer": review.officer.police_number,
                "quarter": review.quarter,
                "decision": decision,
                "note": note,
            },
        )
        recipients = list(User.objects.filter(groups__name=Role.HR, is_active=True).distinct())
        officer, scheme, quarter = review.officer, review.scheme, review.quarter
        url = reverse("certification:replacement_reviews")
        for recipient in recipients:
            transaction.on_commit(
                lambda recipient=recipient: notification_send(
                    recipient=recipient,
                    title=texts.REVIEW_DECIDED(name=officer.name),
                    body=texts.REVIEW_DECIDED_BODY(
                        period=texts.PERIOD(year=scheme.year, quarter=QUARTER_NAMES[quarter]),
                        officer=str(officer),
                        decision=ReviewDecision(review.decision),
                        note=note,
                    ),
                    url=url,
                    kind="evaluation",
                )
            )
    return review


# --- linked units (item 19) ------------------------------------------------------------------------

LINK_ERRORS = {
    "not_brigade": gettext_lazy("%(name)s is not a legal-brigade officer."),
    "already": gettext_lazy("%(name)s is already linked to %(unit)s."),
}


def legal_brigade_link_add(*, officer: User, unit: Unit, started_on, actor) -> LegalBrigadeLink:
    if not officer.is_legal_brigade:
        raise EvaluationError(LINK_ERRORS["not_brigade"] % {"name": officer})
    with transaction.atomic():
        User.objects.select_for_update(of=("self",)).get(pk=officer.pk)
        if LegalBrigadeLink.objects.filter(officer=officer, unit=unit, ended_on__isnull=True).exists():
            raise EvaluationError(LINK_ERRORS["already"] % {"name": officer, "unit": unit.name})
        link = LegalBrigadeLink.objects.create(officer=officer, unit=unit, started_on=started_on)
        audit_log(
            actor=actor,
            action="certification.linked_unit.added",
            target=link,
            data={"officer": officer.police_number, "unit": unit.full_path, "from": str(started_on)},
        )
    return link


def legal_brigade_link_end(*, link: LegalBrigadeLink, ended_on, actor) -> LegalBrigadeLink:
    with transaction.atomic():
        link = (
            LegalBrigadeLink.objects.select_for_update(of=("self",)).select_related("officer", "unit").get(pk=link.pk)
        )
        if link.ended_on is not None:
            raise EvaluationError(_("This link has already ended."))
        if ended_on < link.started_on:
            raise EvaluationError(_("A link cannot end before it started."))
        link.ended_on = ended_on
        link.save(update_fields=["ended_on"])
        audit_log(
            actor=actor,
            action="certification.linked_unit.ended",
            target=link,
            data={"officer": link.officer.police_number, "unit": link.unit.full_path, "until": str(ended_on)},
        )
    return link
