"""Grading pages: the queue, an exam's answers, the blind grading page, stale posts, release, access."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from exams.dashboard import grading_dashboard_section
from exams.models import AttemptState, ReleaseRule
from exams.selectors.grading import anonymous_code
from exams.services.grading import answer_grade
from portal.models import AuditEntry
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, essay_answer, new_officer, sit

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(officer, squad_officer):
    return published_exam(
        objective_blueprint(short_answer=True),
        officer,
        squad_officer,
        now=NOW,
        title="法律知识月考",
        release_rule=ReleaseRule.AFTER_GRADING,
    )


@pytest.fixture
def two_papers(exam, officer, squad_officer):
    return sit(exam, officer), sit(exam, squad_officer)


@pytest.fixture
def staff_client(client, trainer):
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_queue_counts_the_waiting_answers_per_exam(staff_client, exam, two_papers):
    response = staff_client.get(reverse("exams:grading_queue"))

    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert (row.exam, row.waiting, row.papers) == (exam, 2, 2)
    assert reverse("exams:grading_exam", args=[exam.pk]) in response.content.decode()


def test_the_dashboard_shows_trainers_the_exams_waiting_and_nobody_else(trainer, officer, exam, two_papers):
    section = grading_dashboard_section(trainer)

    assert section is not None and section.total == 1
    assert section.items[0].url == reverse("exams:grading_exam", args=[exam.pk])
    assert grading_dashboard_section(officer) is None


def test_blind_grading_pages_never_name_the_examinee(staff_client, exam, two_papers, officer, squad_officer):
    first = essay_answer(two_papers[0])

    pages = [
        staff_client.get(reverse("exams:grading_queue")),
        staff_client.get(reverse("exams:grading_exam", args=[exam.pk])),
        staff_client.get(reverse("exams:grade_answer", args=[first.pk])),
    ]

    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        for person in (officer, squad_officer):
            assert person.name not in html
            assert person.police_number not in html
            assert person.unit.name not in html
    assert f"#{anonymous_code(first.attempt_id)}" in pages[2].content.decode()


def test_without_blind_grading_the_grader_sees_the_name(staff_client, exam, two_papers, officer):
    exam.blind_grading = False
    exam.save(update_fields=["blind_grading"])

    response = staff_client.get(reverse("exams:grade_answer", args=[essay_answer(two_papers[0]).pk]))

    assert officer.name in response.content.decode()


def test_the_grading_page_shows_stem_rubric_and_reference_beside_the_answer(staff_client, two_papers):
    answer = essay_answer(two_papers[0])
    version = answer.paper_item.question_version

    html = staff_client.get(reverse("exams:grade_answer", args=[answer.pk])).content.decode()

    assert version.rubric in html
    assert version.reference_answer in html
    assert answer.response in html
    assert 'max="20.00"' in html and 'step="0.5"' in html


def test_saving_a_grade_moves_on_to_the_next_waiting_answer(staff_client, two_papers, trainer):
    first, second = (essay_answer(attempt) for attempt in two_papers)

    response = staff_client.post(
        reverse("exams:grade_answer", args=[first.pk]), {"score": "16.5", "comment": "较完整", "seen": ""}
    )

    assert response.status_code == 302
    assert response.url == reverse("exams:grade_answer", args=[second.pk])
    first.refresh_from_db()
    assert (first.score, first.comment, first.graded_by) == (Decimal("16.50"), "较完整", trainer)
    two_papers[0].refresh_from_db()
    assert two_papers[0].state == AttemptState.RELEASED


def test_the_last_waiting_answer_leads_back_to_the_exam(staff_client, exam, two_papers, trainer):
    first, second = (essay_answer(attempt) for attempt in two_papers)
    answer_grade(answer=first, score="10", comment="", grader=trainer)

    response = staff_client.post(reverse("exams:grade_answer", args=[second.pk]), {"score": "8", "seen": ""})

    assert response.url == reverse("exams:grading_exam", args=[exam.pk])


def test_a_score_out_of_range_is_shown_again_with_the_error(staff_client, two_papers):
    answer = essay_answer(two_papers[0])

    response = staff_client.post(
        reverse("exams:grade_answer", args=[answer.pk]), {"score": "25", "comment": "我的评语", "seen": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["score"]
    assert "我的评语" in response.content.decode()
    answer.refresh_from_db()
    assert answer.score is None


def test_a_grader_whose_answer_was_graded_meanwhile_is_told_and_keeps_what_they_typed(
    staff_client, two_papers, legal_leader
):
    answer = essay_answer(two_papers[0])
    answer_grade(answer=answer, score="18", comment="先评", grader=legal_leader)

    response = staff_client.post(
        reverse("exams:grade_answer", args=[answer.pk]), {"score": "6", "comment": "后评的评语", "seen": ""}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "while you were looking at it" in html
    assert legal_leader.name in html
    assert "后评的评语" in html  # nothing the second grader typed is lost
    answer.refresh_from_db()
    assert (answer.score, answer.comment) == (Decimal("18.00"), "先评")
    # The form now carries the stored grade's time: saving again is a deliberate regrade.
    seen = response.context["form"]["seen"].value()
    again = staff_client.post(reverse("exams:grade_answer", args=[answer.pk]), {"score": "6", "seen": seen})
    assert again.status_code == 302
    answer.refresh_from_db()
    assert answer.score == Decimal("6.00")
    assert AuditEntry.objects.filter(action="exams.answer.regraded", target_id=str(answer.pk)).exists()


def test_a_malformed_seen_value_changes_nothing(staff_client, two_papers):
    answer = essay_answer(two_papers[0])

    response = staff_client.post(reverse("exams:grade_answer", args=[answer.pk]), {"score": "6", "seen": "yesterday"})

    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.score is None


def test_a_trainer_releases_held_results_from_the_exam_page(staff_client, officer, trainer):
    exam = published_exam(objective_blueprint(short_answer=True), officer, release_rule=ReleaseRule.AFTER_CLOSE)
    attempt = sit(exam, officer, now=exam.opens_at)
    answer_grade(answer=essay_answer(attempt), score="10", comment="", grader=trainer)
    page = staff_client.get(reverse("exams:grading_exam", args=[exam.pk]))
    assert 'id="release-form"' in page.content.decode()

    response = staff_client.post(reverse("exams:exam_release", args=[exam.pk]))

    assert response.url == reverse("exams:grading_exam", args=[exam.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.RELEASED
    assert staff_client.get(reverse("exams:exam_release", args=[exam.pk])).status_code == 405


@pytest.mark.parametrize("name", ["grading_exam", "grade_answer", "exam_release", "key_correct"])
def test_an_unknown_id_is_not_found(staff_client, name):
    url = reverse(f"exams:{name}", args=[999999])
    response = staff_client.post(url) if name == "exam_release" else staff_client.get(url)
    assert response.status_code == 404


def test_an_objective_answer_or_a_paper_in_progress_has_no_grading_page(staff_client, exam, station, two_papers):
    objective = two_papers[0].answers.exclude(paper_item__question_type="short_answer").first()
    assert staff_client.get(reverse("exams:grade_answer", args=[objective.pk])).status_code == 404

    from exams.models import Answer
    from exams.services import attempt_start

    late = new_officer(station)
    exam.invitations.create(officer=late)
    attempt = attempt_start(exam=exam, officer=late, now=NOW)
    item = attempt.paper.items.get(question_type="short_answer")
    draft = Answer.objects.create(attempt=attempt, paper_item=item, response="草稿", client_seq=1)
    assert staff_client.get(reverse("exams:grade_answer", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["officer", "unit_leader", "hr"])
def test_people_outside_training_staff_are_refused_everywhere(client, request, persona, exam, two_papers):
    client.force_login(request.getfixturevalue(persona))
    answer = essay_answer(two_papers[0])

    for url in (
        reverse("exams:grading_queue"),
        reverse("exams:grading_exam", args=[exam.pk]),
        reverse("exams:grade_answer", args=[answer.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("exams:grade_answer", args=[answer.pk]), {"score": "20"}).status_code == 403
    assert client.post(reverse("exams:exam_release", args=[exam.pk])).status_code == 403
    answer.refresh_from_db()
    assert answer.score is None


def test_signed_out_visitors_are_sent_to_log_in(client, exam):
    response = client.get(reverse("exams:grading_exam", args=[exam.pk]))
    assert response.status_code == 302 and "login" in response.url
