from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from courses.models import KnowledgePoint
from portal.services import audit_log

ERRORS = {
    "name_required": _("Enter a name for the knowledge point."),
    "move_into_itself": _("A knowledge point cannot be moved under itself or one of its own sub-points."),
    "duplicate_name": _("There is already a knowledge point with this name at this place in the tree."),
}


def _siblings(parent: KnowledgePoint | None):
    return parent.get_children() if parent is not None else KnowledgePoint.get_root_nodes()


def knowledge_point_check(*, name: str, parent: KnowledgePoint | None, point: KnowledgePoint | None = None) -> str:
    """Validate a name and placement; returns the cleaned name or raises ``ValidationError``.

    Forms call this in ``clean`` so that the user sees the message; services call it again
    inside their transaction.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ERRORS["name_required"]})
    if point is not None and parent is not None and parent.path.startswith(point.path):
        raise ValidationError({"parent": ERRORS["move_into_itself"]})
    siblings = _siblings(parent).filter(name=name)
    if point is not None:
        siblings = siblings.exclude(pk=point.pk)
    if siblings.exists():
        raise ValidationError({"name": ERRORS["duplicate_name"]})
    return name


def knowledge_point_create(
    *, actor, name: str, parent: KnowledgePoint | None = None, code: str = "", description: str = ""
) -> KnowledgePoint:
    """Add a point as the last child of ``parent`` (or as the last root when parent is None)."""
    with transaction.atomic():
        if parent is not None:
            # Treebeard computes the new path from the parent's numchild: use fresh values.
            parent = KnowledgePoint.objects.select_for_update().get(pk=parent.pk)
        name = knowledge_point_check(name=name, parent=parent)
        fields = {"name": name, "code": code.strip(), "description": description.strip()}
        point = parent.add_child(**fields) if parent is not None else KnowledgePoint.add_root(**fields)
        audit_log(
            actor=actor,
            action="courses.knowledge_point.created",
            target=point,
            data={"parent": parent.pk if parent else None},
        )
    return point


def knowledge_point_update(
    *,
    actor,
    point: KnowledgePoint,
    name: str,
    parent: KnowledgePoint | None,
    code: str = "",
    description: str = "",
) -> KnowledgePoint:
    """Rename / re-describe a point and, if ``parent`` changed, move it (with its sub-points)
    to be the last child of the new parent."""
    with transaction.atomic():
        point = KnowledgePoint.objects.select_for_update().get(pk=point.pk)
        old_parent = point.get_parent()
        moving = (old_parent.pk if old_parent else None) != (parent.pk if parent else None)
        if parent is not None:
            parent = KnowledgePoint.objects.get(pk=parent.pk)
        name = knowledge_point_check(name=name, parent=parent, point=point)
        changes = {}
        for field, value in (("name", name), ("code", code.strip()), ("description", description.strip())):
            if getattr(point, field) != value:
                changes[field] = value
                setattr(point, field, value)
        if changes:
            point.save(update_fields=list(changes))
        if moving:
            if parent is not None:
                point.move(parent, pos="last-child")
            else:
                point.move(KnowledgePoint.get_last_root_node(), pos="last-sibling")
            point.refresh_from_db()
            changes["parent"] = parent.pk if parent else None
        if changes:
            audit_log(actor=actor, action="courses.knowledge_point.updated", target=point, data=changes)
    return point
