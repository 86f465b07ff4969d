"""Wagtail's search backend for this platform (``WAGTAILSEARCH_BACKENDS``): substring matching,
exact for Chinese, the same on SQLite and PostgreSQL.

Wagtail's default database backend hands text to SQLite FTS5 or PostgreSQL full-text search, which
split words at spaces; a run of Chinese characters is one "word", so ``Page.objects.search("伤害")``
and the admin's page search found nothing inside 轻伤害案件 (docs/SEARCH.md). This backend builds on
modelsearch's "fallback" database backend (plain ``icontains`` on the model's search fields, no
index table to maintain) and changes three things:

- **Pages** also match through ``courses.SearchDocument``, the normalised text of every live
  course and lesson that ``/courses/search/`` uses (summary, every block's text, knowledge
  points), with the same normalisation (``courses.search_text.normalise``). Drafts that were never
  published have no row there; they are found by their title and draft title.
- **Stored structure is never matched**: StreamField / JSON and rich-text columns are skipped, so
  ``type`` or ``rich_text`` or ``strong`` do not find every lesson through its JSON or HTML.
- **Ranking**: when ordered by relevance, results with more terms in their title come first, then
  the queryset's own order (tree order for pages).

Every query term must occur (operator ``and``), as on the courses search page. A scan is cheap at
this volume (a brigade's few thousand pages); the query interface would not change with a bigram
index (docs/SEARCH.md).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from modelsearch.backends.database.fallback import (
    MATCH_ALL,
    MATCH_NONE,
    DatabaseSearchBackend,
    DatabaseSearchQueryCompiler,
    DatabaseSearchResults,
)
from modelsearch.query import Phrase, PlainText
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from courses.search_text import normalise

# Columns whose stored form is markup or JSON: matching them would find tag and key names.
_STRUCTURED_FIELDS = (StreamField, models.JSONField, RichTextField)


def _variants(term: str) -> list[str]:
    """The term as typed and normalised (full-width folded, case-folded), without repeats."""
    folded = normalise(term)
    return [term] if folded in ("", term) else [term, folded]


class ChineseSearchQueryCompiler(DatabaseSearchQueryCompiler):
    @property
    def is_page_search(self) -> bool:
        return issubclass(self.queryset.model, Page)

    @property
    def uses_page_text(self) -> bool:
        # Explicit ``fields=[...]`` restricts the search to those columns; the page text is used
        # only when searching everything.
        return self.is_page_search and not self.fields

    def get_fields_names(self):
        model = self.queryset.model
        for field_name in super().get_fields_names():
            if not isinstance(model._meta.get_field(field_name), _STRUCTURED_FIELDS):
                yield field_name
        if self.uses_page_text:
            yield "draft_title"  # what the admin shows for a page with unpublished changes

    def build_single_term_filter(self, term):
        from courses.models import SearchDocument

        query = Q()
        for variant in _variants(term):
            for field_name in self.fields_names:
                query |= Q(**{f"{field_name}__icontains": variant})
        folded = normalise(term)
        if self.uses_page_text and folded:
            matching = SearchDocument.objects.filter(search_text__contains=folded).values("page_id")
            query |= Q(pk__in=matching)
        return query

    def build_database_filter(self, query, boost=1.0):
        if isinstance(query, Phrase):
            # A phrase is one substring, whatever spaces it holds.
            return self.build_single_term_filter(query.query_string)
        return super().build_database_filter(query, boost=boost)

    def ranked(self, queryset):
        """Order by how many terms occur in the title, then by the queryset's own order."""
        query = self.query
        if isinstance(query, PlainText):
            terms = query.query_string.split()
        elif isinstance(query, Phrase):
            terms = [query.query_string]
        else:
            terms = []
        fallback_order = list(queryset.query.order_by) or ["-pk"]
        if not terms or not _has_field(queryset.model, "title"):
            return queryset.order_by(*fallback_order)
        title_hits = sum(
            (
                Case(
                    When(self._title_filter(term), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
                for term in terms
            ),
            start=Value(0),
        )
        return queryset.annotate(search_title_hits=title_hits).order_by("-search_title_hits", *fallback_order)

    def _title_filter(self, term) -> Q:
        query = Q()
        for variant in _variants(term):
            query |= Q(title__icontains=variant)
            if self.is_page_search:
                query |= Q(draft_title__icontains=variant)
        return query


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


class ChineseSearchResults(DatabaseSearchResults):
    def get_queryset(self, *, ranked: bool = False):
        compiler = self.query_compiler
        queryset = compiler.queryset
        condition = compiler.build_database_filter(compiler.query)
        if condition == MATCH_NONE:
            queryset = queryset.none()
        elif condition != MATCH_ALL:
            queryset = queryset.filter(condition)
        if compiler.order_by_relevance:
            if ranked:
                queryset = compiler.ranked(queryset)
        elif not queryset.query.order_by:
            # A stable order keeps pages of results consistent.
            queryset = queryset.order_by("-pk")
        return queryset.distinct()[self.start : self.stop]

    def _do_search(self):
        # Ranking only where results are listed; counting and facets need no order.
        queryset = self.get_queryset(ranked=True)
        if self._score_field:
            queryset = queryset.annotate(**{self._score_field: Value(None, output_field=models.FloatField())})
        return queryset.iterator(self.iterator_chunk_size)


class ChineseSearchBackend(DatabaseSearchBackend):
    query_compiler_class = ChineseSearchQueryCompiler
    autocomplete_query_compiler_class = ChineseSearchQueryCompiler
    results_class = ChineseSearchResults


# ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "courses.search_backend"}}`` finds this name.
SearchBackend = ChineseSearchBackend
