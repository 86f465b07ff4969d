from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

PATH_SEPARATOR = "/"


class UnitKind(models.TextChoices):
    BRANCH = "branch", _("Branch bureau")
    STATION = "station", _("Police station")
    BRIGADE = "brigade", _("Brigade")
    SQUAD = "squad", _("Squad")
    OFFICE = "office", _("Office")


class Unit(MP_Node):
    """单位: a tree such as 分局 → 派出所 / 刑侦大队 / 法制大队 … → 中队.

    Materialised paths make "this unit and everything below it" one indexed prefix query,
    which is what every scope check asks.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.OFFICE)
    code = models.CharField(_("code"), max_length=40, blank=True, help_text=_("Optional code used by other systems."))
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def full_path(self) -> str:
        """Names from the root down, joined by '/': the form used in personnel files."""
        names = [unit.name for unit in self.get_ancestors()] + [self.name]
        return PATH_SEPARATOR.join(names)

    def subtree(self) -> models.QuerySet[Unit]:
        return Unit.get_tree(self)
