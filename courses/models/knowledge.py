from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

PATH_SEPARATOR = " › "


class KnowledgePoint(MP_Node):
    """知识点: a tree such as 接处警 › 现场处置 › 证据固定.

    Lessons are tagged with it here; the question bank (exams) tags questions with the same tree,
    so it lives in ``courses`` and exams depends on courses. Materialised paths make "this point
    and everything below it" one indexed prefix query (``selectors.knowledge_point_subtree``).
    Siblings keep the order trainers give them (no ``node_order_by``), not alphabetical order,
    which means nothing for Chinese names.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"), max_length=40, blank=True, help_text=_("Optional short code, e.g. for question-bank imports.")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("knowledge point")
        verbose_name_plural = _("knowledge points")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def _indented_name(self) -> str:
        """Name indented by depth: reads as a tree in lists ordered by path, at no extra query."""
        return "\u3000" * (self.depth - 1) + self.name

    _indented_name.short_description = _("name")  # column label in the admin list
    indented_name = property(_indented_name)

    @property
    def full_name(self) -> str:
        """Names from the root down ('接处警 › 现场处置 › 证据固定'); one query for the ancestors."""
        return PATH_SEPARATOR.join([point.name for point in self.get_ancestors()] + [self.name])
