"""Chinese search over courses and lessons (see ``courses.models.SearchDocument`` and docs/SEARCH.md)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from wagtail.models import PageViewRestriction

from courses.models import SearchDocument, SearchDocumentKind
from courses.search_text import query_terms


def _restricted_paths_hidden_from(user) -> list[str]:
    """Paths of pages (and so their subtrees) whose Wagtail view restriction ``user`` fails.

    Password restrictions are always hidden: search cannot know which passwords the user entered.
    """
    hidden = []
    group_ids = None
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        kind = restriction.restriction_type
        if kind == PageViewRestriction.LOGIN and user.is_authenticated:
            continue
        if kind == PageViewRestriction.GROUPS and user.is_authenticated:
            if user.is_superuser:
                continue
            if group_ids is None:
                group_ids = set(user.groups.values_list("pk", flat=True))
            if group_ids & {group.pk for group in restriction.groups.all()}:
                continue
        if kind == PageViewRestriction.NONE:
            continue
        hidden.append(restriction.page.path)
    return hidden


def search_documents_visible_to(user) -> QuerySet[SearchDocument]:
    """Rows of live pages in live courses that ``user`` may view; anonymous users see nothing."""
    if not getattr(user, "is_authenticated", False):
        return SearchDocument.objects.none()
    documents = SearchDocument.objects.filter(page__live=True, course__live=True)
    for path in _restricted_paths_hidden_from(user):
        documents = documents.exclude(page__path__startswith=path)
    return documents


def course_search(*, user, query: str) -> tuple[QuerySet[SearchDocument], list[str]]:
    """Courses and lessons containing every term of ``query``, and the normalised terms.

    Terms are whitespace-separated; each must occur as a substring of the title or text, which is
    exact for Chinese (伤害 finds 轻伤害案件). Ranked: more terms in the title first, then courses
    before lessons, then tree order. An empty query finds nothing.
    """
    terms = query_terms(query)
    if not terms:
        return SearchDocument.objects.none(), []
    documents = search_documents_visible_to(user)
    for term in terms:
        documents = documents.filter(search_text__contains=term)
    title_hits = sum(
        (Case(When(search_title__contains=term, then=Value(1)), default=Value(0)) for term in terms),
        start=Value(0),
    )
    documents = documents.annotate(
        title_hits=title_hits,
        kind_rank=Case(
            When(kind=SearchDocumentKind.COURSE, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    )
    return (
        documents.select_related("page", "course").order_by("-title_hits", "kind_rank", "page__path"),
        terms,
    )
