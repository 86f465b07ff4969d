"""Demo units: 西湖分局 and twelve units below it, with the headcount each gets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from people.models import Unit
from people.models.units import UnitKind
from portal.demo import DemoContext

BRANCH = "西湖分局"
HR_OFFICE = f"{BRANCH}/政治处"
LEGAL_BRIGADE = f"{BRANCH}/法制大队"
STATION = f"{BRANCH}/北山派出所"
STATION_SQUAD = f"{STATION}/一中队"
CRIMINAL_BRIGADE = f"{BRANCH}/刑侦大队"

# (path, kind, headcount). Parents before children; the headcounts add up to 300 people.
UNITS: list[tuple[str, str, int]] = [
    (BRANCH, UnitKind.BRANCH, 4),
    (HR_OFFICE, UnitKind.OFFICE, 12),
    (LEGAL_BRIGADE, UnitKind.BRIGADE, 14),
    (CRIMINAL_BRIGADE, UnitKind.BRIGADE, 40),
    (f"{BRANCH}/经侦大队", UnitKind.BRIGADE, 20),
    (f"{BRANCH}/治安大队", UnitKind.BRIGADE, 30),
    (STATION, UnitKind.STATION, 30),
    (STATION_SQUAD, UnitKind.SQUAD, 25),
    (f"{STATION}/二中队", UnitKind.SQUAD, 25),
    (f"{BRANCH}/灵隐派出所", UnitKind.STATION, 25),
    (f"{BRANCH}/灵隐派出所/一中队", UnitKind.SQUAD, 20),
    (f"{BRANCH}/文新派出所", UnitKind.STATION, 30),
    (f"{BRANCH}/文新派出所/一中队", UnitKind.SQUAD, 25),
]


def build(ctx: DemoContext) -> None:
    """Create the missing units and put every unit on ``ctx.units`` by its full path."""
    for path, kind, _headcount in UNITS:
        parent_path, _sep, name = path.rpartition("/")
        if not parent_path:
            unit = Unit.get_root_nodes().filter(name=name).first()
            if unit is None:
                unit = Unit.add_root(name=name, kind=kind)
                ctx.created(_("units"))
        else:
            # Fresh from the database: a sorted insert (node_order_by) can move siblings' paths.
            parent = Unit.objects.get(pk=ctx.units[parent_path].pk)
            unit = parent.get_children().filter(name=name).first()
            if unit is None:
                unit = parent.add_child(name=name, kind=kind)
                ctx.created(_("units"))
        if unit.kind != kind:
            unit.kind = kind
            unit.save(update_fields=["kind"])
            ctx.updated(_("units"))
        ctx.units[path] = unit
    fresh = Unit.objects.in_bulk([unit.pk for unit in ctx.units.values()])
    ctx.units = {path: fresh[unit.pk] for path, unit in ctx.units.items()}
