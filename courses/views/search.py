"""The Chinese search page, routed by ``CourseIndexPage`` (which has already required login)."""

from __future__ import annotations

from django.core.paginator import Paginator

from courses.forms import CourseSearchForm
from courses.search_text import excerpt
from courses.selectors import course_search

RESULTS_PER_PAGE = 20


def search_view(request, *, index):
    """``/courses/search/?q=伤害``: routed by ``CourseIndexPage`` (which has already required login)."""
    form = CourseSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    documents, terms = course_search(user=request.user, query=query)
    page_obj = Paginator(documents, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    results = [
        {"document": document, "page": document.page, "excerpt": excerpt(document.text, terms)}
        for document in page_obj.object_list
    ]
    return index.render(
        request,
        template="courses/search.html",
        context_overrides={
            "search_form": form,
            "query": query,
            "terms": terms,
            "page_obj": page_obj,
            "results": results,
        },
    )
