"""Audiences: who an assignment, a study discussion or a sampled exam is for.

A rule names units (each with or without the units below it), categories (民警 / 辅警), positions
(中层领导, 法制员, 法制大队民警, 新警) and individual officers. ``people.selectors.officers_matching``
turns a rule into the officers it covers, evaluated live: an officer who is seconded or leaves drops
out at once, one who joins a unit comes in at once.

Apps store a rule by inheriting the abstract ``AudienceRule`` (its fields are prefixed
``audience_``), and pass ``rule.audience_spec()`` — a plain ``AudienceSpec`` — to the selector.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models.units import Unit
from people.models.users import Category, User


class Position(models.TextChoices):
    """Positions an audience can select; each is a flag on the officer record."""

    MIDDLE_LEADER = "middle_leader", _("Middle leaders")
    LEGAL_OFFICER = "legal_officer", _("Legal officers")
    LEGAL_BRIGADE = "legal_brigade", _("Legal-brigade officers")
    NEW_OFFICER = "new_officer", _("New officers")


# The User flag behind each position.
POSITION_FIELDS: dict[str, str] = {
    Position.MIDDLE_LEADER: "is_middle_leader",
    Position.LEGAL_OFFICER: "is_legal_officer",
    Position.LEGAL_BRIGADE: "is_legal_brigade",
    Position.NEW_OFFICER: "is_new_officer",
}


@dataclass(frozen=True)
class AudienceSpec:
    """An audience rule as plain values: what services receive and selectors evaluate.

    Kinds combine with AND (units AND categories AND positions, each only when given); the values
    of one kind combine with OR (民警 or 辅警). Named officers are added on top. A spec with
    nothing in it means nobody, never everybody.
    """

    units_with_subtree: tuple[Unit, ...] = ()
    units_only: tuple[Unit, ...] = ()
    categories: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    officers: tuple[User, ...] = ()

    @property
    def has_criteria(self) -> bool:
        return bool(self.units_with_subtree or self.units_only or self.categories or self.positions)

    @property
    def is_empty(self) -> bool:
        return not (self.has_criteria or self.officers)


class AudienceRule(models.Model):
    """Abstract: the stored form of an ``AudienceSpec``. Inherit it on anything that has an audience.

    Units are two many-to-many sets — with and without the units below — which is "each unit with
    an include-subtree flag" without a through model per inheriting app.
    """

    audience_units_subtree = models.ManyToManyField(
        Unit,
        verbose_name=_("units, including the units below them"),
        blank=True,
        related_name="+",
    )
    audience_units_only = models.ManyToManyField(
        Unit,
        verbose_name=_("units, without the units below them"),
        blank=True,
        related_name="+",
    )
    audience_categories = models.JSONField(_("categories"), default=list, blank=True)
    audience_positions = models.JSONField(_("positions"), default=list, blank=True)
    audience_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("named officers"), blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    def audience_spec(self) -> AudienceSpec:
        """The stored rule; prefetch the three many-to-many fields when reading many rules."""
        return AudienceSpec(
            units_with_subtree=tuple(self.audience_units_subtree.all()),
            units_only=tuple(self.audience_units_only.all()),
            categories=tuple(code for code in Category.values if code in (self.audience_categories or [])),
            positions=tuple(code for code in Position.values if code in (self.audience_positions or [])),
            officers=tuple(self.audience_officers.all()),
        )

    def audience_store(self, spec: AudienceSpec) -> None:
        """Write ``spec`` onto this saved row (the caller holds the transaction and audits)."""
        self.audience_categories = [code for code in Category.values if code in spec.categories]
        self.audience_positions = [code for code in Position.values if code in spec.positions]
        self.save(update_fields=["audience_categories", "audience_positions"])
        self.audience_units_subtree.set(spec.units_with_subtree)
        self.audience_units_only.set(spec.units_only)
        self.audience_officers.set(spec.officers)
