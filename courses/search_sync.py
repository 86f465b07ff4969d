"""Wires Wagtail's publish / unpublish / move signals to the Chinese search table.

These receivers only maintain derived data (``SearchDocument``), as Wagtail's own search index
and frontend-cache invalidation do; no domain decision hangs on them. They are used instead of
the ``after_publish_page`` admin hook because that hook runs only in the admin's edit view:
workflow approval, scheduled publishing (``publish_scheduled``) and ``seed_demo`` all publish
through ``PublishPageRevisionAction``, which sends ``page_published`` and nothing else.
"""

from __future__ import annotations

from wagtail.signals import page_published, page_unpublished, post_page_move

DISPATCH_UID = "courses.search_index"


def _refresh(sender, instance, **kwargs):
    from courses.services import search_document_refresh

    search_document_refresh(page=instance)


def _refresh_moved(sender, instance, **kwargs):
    from courses.models import SearchDocument
    from courses.services import search_document_refresh

    # A moved lesson belongs to another course now; a moved course keeps its lessons' rows valid.
    if SearchDocument.objects.filter(page_id=instance.pk).exists():
        search_document_refresh(page=instance)


def connect_search_index_receivers() -> None:
    from courses.models import CoursePage, LessonPage

    for model in (CoursePage, LessonPage):
        page_published.connect(_refresh, sender=model, dispatch_uid=f"{DISPATCH_UID}.published.{model.__name__}")
        page_unpublished.connect(_refresh, sender=model, dispatch_uid=f"{DISPATCH_UID}.unpublished.{model.__name__}")
    post_page_move.connect(_refresh_moved, dispatch_uid=f"{DISPATCH_UID}.moved")
