"""Papers drawn ahead of an exam's start burst: the worker draws one per examinee who has not
started, a start takes one instead of drawing, and a paper older than the bank is never handed out."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from exams.models import Attempt, ExamStatus, Paper, Question
from exams.selectors.taking import paper_parts_render
from exams.services import answer_save, attempt_start
from exams.services.papers_ahead import exams_draw_ahead, paper_take_ahead, papers_draw_ahead
from exams.tasks import SCHEDULES
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(station):
    return [UserFactory(police_number=f"30{n:04d}", name=f"考生{n}", unit=station) for n in range(4)]


@pytest.fixture
def exam(officers):
    return published_exam(objective_blueprint(), *officers)


def _waiting(exam) -> list[Paper]:
    return list(Paper.objects.filter(context=f"exam:{exam.pk}:ahead").order_by("pk"))


def test_the_worker_draws_one_paper_per_examinee_who_has_not_started(exam, officers):
    attempt_start(exam=exam, officer=officers[0])

    assert papers_draw_ahead(exam=exam) == 3
    waiting = _waiting(exam)
    assert len(waiting) == 3
    assert all(paper.question_count == 8 for paper in waiting)
    assert len({paper.seed for paper in waiting}) == 3
    assert papers_draw_ahead(exam=exam) == 0  # topped up already


def test_a_start_takes_a_paper_drawn_ahead_instead_of_drawing_one(exam, officers):
    papers_draw_ahead(exam=exam)
    first, second = _waiting(exam)[:2]

    with CaptureQueriesContext(connection) as queries:
        attempt = attempt_start(exam=exam, officer=officers[0])
    other = attempt_start(exam=exam, officer=officers[1])

    assert attempt.paper_id == first.pk
    assert other.paper_id == second.pk
    attempt.paper.refresh_from_db()
    assert attempt.paper.context == f"exam:{exam.pk}"
    assert len(_waiting(exam)) == 2
    assert not any('INSERT INTO "exams_paper' in query["sql"] for query in queries.captured_queries)


def test_a_paper_drawn_before_the_bank_changed_is_never_handed_out(exam, officers):
    papers_draw_ahead(exam=exam)
    drawn_ahead = {paper.pk for paper in _waiting(exam)}
    Question.objects.filter(pk=Question.objects.first().pk).update(updated_at=timezone.now())

    attempt = attempt_start(exam=exam, officer=officers[0])

    assert attempt.paper_id not in drawn_ahead  # drawn in the request from the bank as it is now
    assert attempt.paper.context == f"exam:{exam.pk}"
    # The next scheduled run replaces the out-of-date papers.
    assert exams_draw_ahead() == 3
    assert not drawn_ahead & {paper.pk for paper in _waiting(exam)}


def test_a_blueprint_edit_also_makes_them_out_of_date(exam):
    papers_draw_ahead(exam=exam)
    exam.blueprint.updated_at = timezone.now()
    exam.blueprint.save(update_fields=["updated_at"])

    assert paper_take_ahead(exam) is None


def test_only_exams_opening_soon_or_open_get_papers_drawn_ahead(officers, settings):
    settings.EXAMS_DRAW_AHEAD_MINUTES = 60
    now = timezone.now()
    blueprint = objective_blueprint()
    soon = published_exam(blueprint, *officers, opens_at=now + datetime.timedelta(minutes=30))
    later = published_exam(blueprint, *officers, opens_at=now + datetime.timedelta(hours=3))
    draft = published_exam(blueprint, *officers, status=ExamStatus.DRAFT)

    assert exams_draw_ahead(now=now) == 4
    assert len(_waiting(soon)) == 4
    assert _waiting(later) == [] and _waiting(draft) == []


def test_an_exam_capping_overlap_draws_in_the_request(officers):
    blueprint = objective_blueprint()
    blueprint.max_overlap_percent = 50
    blueprint.save(update_fields=["max_overlap_percent"])
    capped = published_exam(blueprint, *officers)

    assert papers_draw_ahead(exam=capped) == 0
    attempt = attempt_start(exam=capped, officer=officers[0])
    assert attempt.paper.context == f"exam:{capped.pk}"


def test_leftovers_of_a_closed_exam_are_thrown_away(exam):
    papers_draw_ahead(exam=exam)
    exam.status = ExamStatus.CLOSED
    exam.save(update_fields=["status"])

    exams_draw_ahead()

    assert _waiting(exam) == []
    assert not Attempt.objects.filter(exam=exam).exists()


def test_the_draw_ahead_runs_every_minute():
    spec = next(spec for spec in SCHEDULES if spec.name == "exams.draw_papers_ahead")
    assert (spec.func, spec.minutes) == ("exams.tasks.draw_papers_ahead", 1)


# --- the paper rendered ahead --------------------------------------------------------------------


def _page(client, attempt) -> str:
    response = client.get(reverse("exams:attempt_take", args=[attempt.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_paper_drawn_ahead_opens_as_rendered_ahead_which_is_the_live_render(client, exam, officers):
    papers_draw_ahead(exam=exam)
    attempt = attempt_start(exam=exam, officer=officers[0])
    client.force_login(officers[0])
    with translation.override(settings.LANGUAGE_CODE):
        live_parts = paper_parts_render(attempt.paper_id)

    with CaptureQueriesContext(connection) as queries:
        page = _page(client, attempt)

    assert live_parts["sections"] in page and live_parts["map"] in page
    assert page.count('class="take-item"') == 8
    assert not any('"exams_paperitem"' in query["sql"] for query in queries.captured_queries)
    # Without the entry the page renders the same questions live.
    caches["pages"].clear()
    assert live_parts["sections"] in _page(client, attempt)


def test_a_paper_with_answers_is_rendered_live(client, exam, officers):
    papers_draw_ahead(exam=exam)
    attempt = attempt_start(exam=exam, officer=officers[0])
    item = attempt.paper.items.select_related("question_version").order_by("position").first()
    answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=1)
    client.force_login(officers[0])

    page = _page(client, attempt)

    assert f'data-item="{item.pk}"' in page
    assert 'data-seq="1"' in page  # the stored save is on the page: not the rendering ahead of it
