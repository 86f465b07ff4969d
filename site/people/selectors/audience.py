"""Who is in an audience (see ``people.models.audience``), evaluated live against officer records."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from people.models import Category, Unit, User
from people.models.audience import POSITION_FIELDS, AudienceRule, AudienceSpec, Position
from people.models.users import STATUSES_OUT_OF_AUDIENCE
from people.selectors.officers import officers_in_audience


def _spec(rule: AudienceSpec | AudienceRule) -> AudienceSpec:
    return rule if isinstance(rule, AudienceSpec) else rule.audience_spec()


def _any(conditions: list[Q]) -> Q:
    return reduce(or_, conditions)


def audience_filter(rule: AudienceSpec | AudienceRule) -> Q | None:
    """The condition on ``User`` rows for the rule's units, categories, positions and named
    officers (not the in-audience status, see ``officers_matching``); None when the rule is empty."""
    spec = _spec(rule)
    if spec.is_empty:
        return None
    criteria = Q()
    if spec.units_with_subtree or spec.units_only:
        # Paths are read again: adding a unit renumbers its later siblings' paths (units are kept
        # in name order), so a Unit loaded earlier may carry a stale one.
        paths = Unit.objects.filter(pk__in=[unit.pk for unit in spec.units_with_subtree]).values_list("path", flat=True)
        unit_conditions = [Q(unit__path__startswith=path) for path in paths]
        if spec.units_only:
            unit_conditions.append(Q(unit_id__in=[unit.pk for unit in spec.units_only]))
        criteria &= _any(unit_conditions)
    if spec.categories:
        criteria &= Q(category__in=list(spec.categories))
    if spec.positions:
        criteria &= _any([Q(**{POSITION_FIELDS[code]: True}) for code in spec.positions])
    named = Q(pk__in=[officer.pk for officer in spec.officers]) if spec.officers else None
    if not spec.has_criteria:
        return named
    return criteria | named if named is not None else criteria


def officers_matching(rule: AudienceSpec | AudienceRule) -> QuerySet[User]:
    """Officers the rule covers today: active, not seconded, not left (``User.in_audience``).

    Units, categories and positions narrow each other (AND); several values of one kind widen
    (OR); named officers are added whatever the other criteria say. An empty rule matches nobody.
    """
    condition = audience_filter(rule)
    if condition is None:
        return User.objects.none()
    return officers_in_audience().filter(condition)


def audience_includes(rule: AudienceSpec | AudienceRule, officer: User) -> bool:
    """Whether ``officer`` is in the rule's audience, decided in Python with the same semantics as
    ``officers_matching``: cheap for checking one person against many rules (prefetch the rules'
    units and officers; ``officer.unit`` is read for subtree units). Units must have been loaded
    in the same request: their paths are compared as they are."""
    if not officer.is_active or officer.status in STATUSES_OUT_OF_AUDIENCE:
        return False
    spec = _spec(rule)
    if any(named.pk == officer.pk for named in spec.officers):
        return True
    if not spec.has_criteria:
        return False
    if spec.units_with_subtree or spec.units_only:
        if officer.unit_id is None:
            return False
        in_unit = any(unit.pk == officer.unit_id for unit in spec.units_only)
        if not in_unit and spec.units_with_subtree:
            path = officer.unit.path
            in_unit = any(path.startswith(unit.path) for unit in spec.units_with_subtree)
        if not in_unit:
            return False
    if spec.categories and officer.category not in spec.categories:
        return False
    return not spec.positions or any(getattr(officer, POSITION_FIELDS[code]) for code in spec.positions)


def audience_labels(rule: AudienceSpec | AudienceRule, *, unit_labels: dict[int, str] | None = None) -> list[str]:
    """The rule in words, one entry per criterion, e.g. ['西湖分局/北山派出所 (and units below)', '辅警'].

    ``unit_labels`` ({pk: full path}, from ``unit_full_paths``) gives units their full names.
    """
    from django.utils.translation import gettext as _

    spec = _spec(rule)
    unit_labels = unit_labels or {}
    labels = [
        _("%(unit)s (and units below)") % {"unit": unit_labels.get(unit.pk, unit.name)}
        for unit in spec.units_with_subtree
    ]
    labels += [
        _("%(unit)s (this unit only)") % {"unit": unit_labels.get(unit.pk, unit.name)} for unit in spec.units_only
    ]
    categories = dict(Category.choices)
    labels += [str(categories[code]) for code in spec.categories]
    positions = dict(Position.choices)
    labels += [str(positions[code]) for code in spec.positions]
    labels += [str(officer) for officer in spec.officers]
    return labels
