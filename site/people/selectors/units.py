"""Reads about the unit tree: full paths ("西湖分局/北山派出所/一中队") and member counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from people.models import OfficerStatus, Unit, User
from people.models.units import PATH_SEPARATOR

# Separators people type in spreadsheets: the ASCII slash, the full-width slash, a backslash.
_SEPARATORS = ("／", "\\")


def unit_path_split(text: str) -> list[str]:
    """'西湖分局 / 北山派出所/' → ['西湖分局', '北山派出所']."""
    for separator in _SEPARATORS:
        text = text.replace(separator, PATH_SEPARATOR)
    return [part.strip() for part in text.split(PATH_SEPARATOR) if part.strip()]


def unit_full_paths(units: QuerySet[Unit] | None = None) -> dict[int, str]:
    """{unit pk: full path} for every unit, in one query (ancestors come first in path order)."""
    names_by_tree_path: dict[str, str] = {}
    result: dict[int, str] = {}
    for unit in Unit.objects.order_by("path").only("pk", "path", "name"):
        parent_full = names_by_tree_path.get(unit.path[: -Unit.steplen], "")
        full = f"{parent_full}{PATH_SEPARATOR}{unit.name}" if parent_full else unit.name
        names_by_tree_path[unit.path] = full
        result[unit.pk] = full
    if units is not None:
        wanted = set(units.values_list("pk", flat=True))
        result = {pk: path for pk, path in result.items() if pk in wanted}
    return result


def units_by_full_path() -> dict[str, list[Unit]]:
    """{full path: units with that path}; more than one unit means the path is ambiguous."""
    paths = unit_full_paths()
    index: dict[str, list[Unit]] = {}
    for unit in Unit.objects.order_by("path"):
        index.setdefault(paths[unit.pk], []).append(unit)
    return index


@dataclass(frozen=True)
class UnitTreeRow:
    unit: Unit
    full_path: str
    level: int  # 0 for the topmost unit shown
    members: int  # officers directly in this unit
    total: int  # officers in this unit and everything below it


def unit_tree_rows(units: QuerySet[Unit]) -> list[UnitTreeRow]:
    """The given units in tree order with member counts; officers who left are not counted."""
    units = list(units.order_by("path"))
    if not units:
        return []
    counted = (
        User.objects.filter(is_active=True, unit__isnull=False)
        .exclude(status=OfficerStatus.LEFT)
        .values("unit__path")
        .annotate(n=Count("pk"))
    )
    direct_by_tree_path = {row["unit__path"]: row["n"] for row in counted}
    totals: Counter[str] = Counter()
    for tree_path, n in direct_by_tree_path.items():
        # Add each unit's members to itself and every ancestor (prefixes of its tree path).
        for end in range(Unit.steplen, len(tree_path) + 1, Unit.steplen):
            totals[tree_path[:end]] += n
    paths = unit_full_paths()
    top_depth = min(unit.depth for unit in units)
    return [
        UnitTreeRow(
            unit=unit,
            full_path=paths[unit.pk],
            level=unit.depth - top_depth,
            members=direct_by_tree_path.get(unit.path, 0),
            total=totals.get(unit.path, 0),
        )
        for unit in units
    ]
