"""Writes to the unit tree."""

from __future__ import annotations

from django.db import transaction

from people.models import Unit
from people.models.units import UnitKind
from portal.services import audit_log

# Guess a new unit's kind from the end of its name; HR can correct it in the admin.
_KIND_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("分局", UnitKind.BRANCH),
    ("公安局", UnitKind.BRANCH),
    ("派出所", UnitKind.STATION),
    ("大队", UnitKind.BRIGADE),
    ("支队", UnitKind.BRIGADE),
    ("中队", UnitKind.SQUAD),
)


def unit_kind_guess(name: str) -> str:
    for suffix, kind in _KIND_SUFFIXES:
        if name.endswith(suffix):
            return kind
    return UnitKind.OFFICE


def unit_create_path(*, names: list[str], actor, source: str = "") -> tuple[Unit, list[Unit]]:
    """The unit at ``names`` (from the root down), creating missing units along the way.

    Returns the unit and the units that were created. An existing segment is matched by name
    among its siblings (the first one in tree order, should two share a name).
    """
    if not names:
        raise ValueError("A unit path needs at least one name.")
    created: list[Unit] = []
    with transaction.atomic():
        parent: Unit | None = None
        for name in names:
            siblings = Unit.get_root_nodes() if parent is None else parent.get_children()
            unit = siblings.filter(name=name).order_by("path").first()
            if unit is None:
                kind = unit_kind_guess(name)
                if parent is None:
                    unit = Unit.add_root(name=name, kind=kind)
                else:
                    # treebeard's add_child reads numchild from the instance: refresh after siblings were added.
                    parent.refresh_from_db()
                    unit = parent.add_child(name=name, kind=kind)
                created.append(unit)
                audit_log(
                    actor=actor,
                    action="people.unit.created",
                    target=unit,
                    data={"path": unit.full_path, "source": source},
                )
            parent = unit
    assert parent is not None
    return parent, created
