"""Papers drawn ahead of an exam's start burst.

A whole branch starting one formal exam at 09:00 is a thousand starts in a minute; drawing and
storing a paper is the largest part of a start (docs/PERFORMANCE.md). So from
``EXAMS_DRAW_AHEAD_MINUTES`` before the window opens until it closes, the worker keeps one paper
per examinee who has not started yet drawn and stored under the context ``exam:<pk>:ahead``, its
questions rendered into the "pages" cache (``exams.selectors.taking.paper_parts_render``)
(``papers_draw_ahead``, run every minute by ``exams.tasks.draw_papers_ahead``). A start then only
takes one of them (``paper_take_ahead``: one row update inside the start's transaction) and the
draw runs in the request only when none is left.

A paper drawn ahead is the paper the start would have drawn a little earlier: the same blueprint,
seeds from the same generator, stored and marked drawn the same way (``paper_store``). It must not
be older than the bank and the blueprint it was drawn from: a paper drawn before the last change of
any question (``Question.updated_at``: edits, retirements, imports) or of the blueprint is never
handed out. ``paper_take_ahead`` checks this at every take (one indexed probe) and the scheduled run
throws such papers away and draws new ones. Exams with a fixed paper or whose blueprint caps the
overlap between papers (the cap must see every earlier paper) always draw in the request.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from exams.models import Attempt, Exam, ExamStatus, Paper, Question
from exams.selectors.eligibility import exam_examinees
from exams.selectors.papers import blueprint_plan
from exams.selectors.taking import paper_parts_key, paper_parts_render
from exams.services.papers import new_seed, paper_preview, paper_store

__all__ = ["ahead_context", "draws_ahead", "paper_take_ahead", "papers_discard_ahead", "papers_draw_ahead"]


def ahead_context(exam: Exam) -> str:
    return f"exam:{exam.pk}:ahead"


def draws_ahead(exam: Exam) -> bool:
    """Whether the exam's papers can be drawn ahead: drawn from a blueprint without overlap cap."""
    return exam.fixed_paper_id is None and exam.blueprint_id is not None and exam.blueprint.max_overlap_percent is None


def _stale_before(exam: Exam) -> datetime.datetime | None:
    """Papers drawn before this moment are out of date: the newest change of a question or of the
    exam's blueprint."""
    newest = Question.objects.aggregate(newest=Max("updated_at"))["newest"]
    return max(filter(None, (newest, exam.blueprint.updated_at)), default=None)


def paper_take_ahead(exam: Exam) -> Paper | None:
    """Inside the start's transaction: one of the exam's papers drawn ahead, now the exam's own
    (its context becomes ``exam:<pk>``), or None when none is left or they are out of date.

    The oldest one is taken. PostgreSQL skips papers another start has locked; on SQLite the start's
    transaction holds the database's write lock, so two starts never take the same paper; the
    conditional UPDATE backs both up."""
    context = ahead_context(exam)
    while True:
        row = (
            Paper.objects.select_for_update(skip_locked=True)
            .filter(context=context)
            .order_by("pk")
            .values_list("pk", "created_at")
            .first()
        )
        if row is None:
            return None
        pk, created_at = row
        if Question.objects.filter(updated_at__gt=created_at).exists() or exam.blueprint.updated_at > created_at:
            return None  # out of date: the scheduled run replaces them; this start draws its own
        if Paper.objects.filter(pk=pk, context=context).update(context=f"exam:{exam.pk}"):
            return Paper.objects.get(pk=pk)


def papers_discard_ahead(exam: Exam, *, before: datetime.datetime | None = None) -> int:
    """Delete the exam's papers drawn ahead (only those drawn before ``before`` when given)."""
    papers = Paper.objects.filter(context=ahead_context(exam))
    if before is not None:
        papers = papers.filter(created_at__lt=before)
    ids = list(papers.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        # Only papers still waiting: a start may have taken one meanwhile.
        return Paper.objects.filter(pk__in=ids, context=ahead_context(exam)).delete()[1].get("exams.Paper", 0)


def papers_draw_ahead(*, exam: Exam, now: datetime.datetime | None = None, limit: int | None = None) -> int:
    """Top the exam's papers drawn ahead up to one per examinee who has not started it yet, at
    most ``limit`` (``EXAMS_DRAW_AHEAD_BATCH``) in one run; each paper is stored in its own short
    transaction so answers keep being saved meanwhile. Out-of-date ones are thrown away first.
    Returns how many papers were drawn. Nothing for exams that do not draw ahead, are not
    published, or open later than ``EXAMS_DRAW_AHEAD_MINUTES`` from now or have closed."""
    now = now or timezone.now()
    exam = Exam.objects.select_related("blueprint").get(pk=exam.pk)
    ahead = datetime.timedelta(minutes=settings.EXAMS_DRAW_AHEAD_MINUTES)
    if (
        exam.status != ExamStatus.PUBLISHED
        or not draws_ahead(exam)
        or not (exam.opens_at - ahead <= now < exam.closes_at)
    ):
        return 0
    stale = _stale_before(exam)
    if stale is not None:
        papers_discard_ahead(exam, before=stale)
    started = Attempt.objects.filter(exam=exam).values("officer_id")
    waiting = exam_examinees(exam).exclude(pk__in=started).count()
    have = Paper.objects.filter(context=ahead_context(exam)).count()
    needed = min(max(0, waiting - have), limit if limit is not None else settings.EXAMS_DRAW_AHEAD_BATCH)
    if needed == 0:
        return 0
    plan = blueprint_plan(exam.blueprint)
    pages = caches["pages"]
    for _number in range(needed):
        drawn = paper_preview(plan=plan, seed=new_seed())
        with transaction.atomic():
            paper = paper_store(drawn, blueprint=exam.blueprint, context=ahead_context(exam))
        # Rendered ahead too, in the platform's language: opening the paper renders no question.
        with translation.override(settings.LANGUAGE_CODE):
            pages.set(paper_parts_key(paper.pk, translation.get_language()), paper_parts_render(paper.pk))
    return needed


def exams_draw_ahead(now: datetime.datetime | None = None) -> int:
    """The scheduled run: every published exam opening within ``EXAMS_DRAW_AHEAD_MINUTES`` or open
    now gets its papers drawn ahead; the papers left over when an exam has closed (or was closed
    by hand) are thrown away. Returns how many papers were drawn in all."""
    now = now or timezone.now()
    ahead = datetime.timedelta(minutes=settings.EXAMS_DRAW_AHEAD_MINUTES)
    waiting = Paper.objects.filter(context__startswith="exam:", context__endswith=":ahead")
    pooled = {int(context.split(":")[1]) for context in waiting.values_list("context", flat=True).distinct()}
    for exam in Exam.objects.filter(pk__in=pooled).exclude(status=ExamStatus.PUBLISHED, closes_at__gt=now):
        papers_discard_ahead(exam)
    exams = Exam.objects.filter(
        status=ExamStatus.PUBLISHED,
        fixed_paper__isnull=True,
        blueprint__isnull=False,
        blueprint__max_overlap_percent__isnull=True,
        opens_at__lte=now + ahead,
        closes_at__gt=now,
    ).select_related("blueprint")
    return sum(papers_draw_ahead(exam=exam, now=now) for exam in exams)
