from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchDocumentKind(models.TextChoices):
    COURSE = "course", _("Course")
    LESSON = "lesson", _("Lesson")


class SearchDocument(models.Model):
    """One row per live course or lesson: its title and plain text, for Chinese search.

    Wagtail's database search backend splits text into words the way European languages do, so a
    run of Chinese characters becomes one "word" and 伤害 never matches 轻伤害案件. This table
    keeps a normalised copy (NFKC, case-folded) of each live page's text, and the search selector
    matches every query term as a substring. That is exact for Chinese, needs no tokenizer
    package, behaves identically on SQLite and PostgreSQL (plain ``LIKE``), and a scan of a few
    thousand lessons is cheap. docs/SEARCH.md explains the choice and how the table is kept fresh.
    """

    page = models.OneToOneField(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="course_search_document"
    )
    course = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The course itself, or the course a lesson belongs to."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SearchDocumentKind.choices)
    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"), blank=True)
    search_title = models.CharField(max_length=255, editable=False)
    search_text = models.TextField(editable=False, help_text="Normalised title and text; what queries match.")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return self.title
