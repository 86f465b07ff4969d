"""Keeps ``SearchDocument`` (the Chinese search table) in step with live course and lesson pages.

``search_document_refresh`` is called from Wagtail's ``page_published`` / ``page_unpublished``
signals (connected in ``CoursesConfig.ready``). These maintain a derived index, like Wagtail's
own search index does; they carry no domain decision. Wagtail's admin hooks
(``after_publish_page``) are not enough: publishing through workflow approval, scheduled
publishing (``publish_scheduled``) and code (``seed_demo``) never runs them. ``rebuild`` repairs
the table from scratch (``manage.py rebuild_course_search``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, LessonPage, SearchDocument, SearchDocumentKind
from courses.search_text import normalise

INDEXED_TYPES = (CoursePage, LessonPage)


def _join(parts) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _lesson_text(lesson: LessonPage) -> str:
    body_field = LessonPage._meta.get_field("body")
    parts = [lesson.summary, *body_field.get_searchable_content(lesson.body)]
    # Knowledge-point names make "证据固定" find lessons tagged with it. A renamed point reaches
    # the index when the lesson is next published or the index is rebuilt.
    parts += [point.name for point in lesson.knowledge_points.all()]
    return _join(parts)


def _document_fields(page: CoursePage | LessonPage) -> dict:
    if isinstance(page, LessonPage):
        kind, course_id, text = SearchDocumentKind.LESSON, page.get_parent().pk, _lesson_text(page)
    else:
        kind, course_id, text = SearchDocumentKind.COURSE, page.pk, _join([page.summary])
    return {
        "course_id": course_id,
        "kind": kind,
        "title": page.title[:255],
        "text": text,
        "search_title": normalise(page.title)[:255],
        "search_text": normalise(f"{page.title}\n{text}"),
        "updated_at": timezone.now(),
    }


def search_document_refresh(*, page: Page) -> SearchDocument | None:
    """Write (or remove) the search row of one page from its current live state."""
    specific = Page.objects.filter(pk=page.pk).specific().first()
    if not isinstance(specific, INDEXED_TYPES):
        return None
    if not specific.live:
        SearchDocument.objects.filter(page_id=specific.pk).delete()
        return None
    fields = _document_fields(specific)
    try:
        with transaction.atomic():
            document, _ = SearchDocument.objects.update_or_create(page_id=specific.pk, defaults=fields)
    except IntegrityError:
        # Two publishes of the same page raced to create the row; the other one won, update it.
        document, _ = SearchDocument.objects.update_or_create(page_id=specific.pk, defaults=fields)
    return document


def search_document_remove(*, page: Page) -> None:
    SearchDocument.objects.filter(page_id=page.pk).delete()


def search_documents_rebuild() -> int:
    """Recreate every row from the live pages; returns how many pages are indexed."""
    count = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for model in INDEXED_TYPES:
            for page in model.objects.live().order_by("path").iterator(chunk_size=200):
                SearchDocument.objects.create(page_id=page.pk, **_document_fields(page))
                count += 1
    return count
