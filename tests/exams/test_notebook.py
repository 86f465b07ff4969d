"""The wrong-answer notebook (错题本) and the personal practice papers made from it."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from courses.models import CourseIndexPage
from exams.models import (
    Answer,
    Attempt,
    AttemptState,
    Blueprint,
    BlueprintFixedQuestion,
    BlueprintStatus,
    Exam,
    ExamInvitation,
    ExamKind,
    InvitationSource,
    QuestionType,
    ReleaseRule,
    ReviewRule,
)
from exams.selectors.notebook import notebook_for
from exams.services.blueprints import BlueprintSpec, FixedSpec, SectionSpec, blueprint_create
from exams.services.delivery import answer_save, attempt_start, attempt_submit
from exams.services.grading import answer_grade
from exams.services.notebook import practice_from_notebook
from portal.models import AuditEntry
from tests.courses.conftest import make_course, make_lesson
from tests.exams.delivery_support import correct_response, published_exam
from tests.exams.papers_support import knowledge_tree, make_question


@pytest.fixture
def tree(db):
    return knowledge_tree()


@pytest.fixture
def bank(tree):
    """Q1 single (现场处置), Q2 single (案件办理), Q3 true/false, Q4 fill in the blank, S short answer."""
    return {
        "q1": make_question(QuestionType.SINGLE, number=1, points=[tree["现场处置"]]),
        "q2": make_question(QuestionType.SINGLE, number=2, points=[tree["案件办理"]]),
        "q3": make_question(QuestionType.TRUE_FALSE, number=3),
        "q4": make_question(QuestionType.FILL_BLANK, number=4, points=[tree["执法记录"]]),
        "short": make_question(QuestionType.SHORT_ANSWER, number=5),
    }


def blueprint_of(*questions, points="10"):
    spec = BlueprintSpec(
        title="错题本测试卷",
        status=BlueprintStatus.ACTIVE,
        shuffle_questions=False,
        sections=[SectionSpec(title="试题", fixed=[FixedSpec(question_id=q.pk, points=points) for q in questions])],
    )
    return blueprint_create(spec=spec, actor=None)


def sit(exam, officer, answers: dict, *, now=None):
    """Answer the items whose question is a key of ``answers``: True → right, False → wrong."""
    now = now or timezone.now()
    attempt = attempt_start(exam=exam, officer=officer, now=now)
    for seq, item in enumerate(attempt.paper.items.select_related("question_version"), start=1):
        right = answers.get(item.question_id)
        if right is None:
            continue
        if item.question_type == QuestionType.SHORT_ANSWER:
            response = "本案构成故意伤害。"
        elif right:
            response = correct_response(item)
        else:
            response = {
                QuestionType.SINGLE: "B",
                QuestionType.TRUE_FALSE: False,
                QuestionType.FILL_BLANK: ["48"],
            }[item.question_type]
        answer_save(attempt=attempt, item_id=item.pk, response=response, client_seq=seq, now=now)
    return attempt_submit(attempt=attempt, actor=officer, now=now)


def exam_sat(officer, questions, answers, *, now=None, **fields):
    exam = published_exam(blueprint_of(*questions), officer, now=now, **fields)
    return exam, sit(exam, officer, answers, now=now)


def ids(book):
    return [entry.question_id for entry in book.entries]


def test_wrong_answers_of_released_attempts_are_listed(client, officer, bank):
    _exam, attempt = exam_sat(
        officer, [bank["q1"], bank["q2"], bank["q3"]], {bank["q1"].pk: False, bank["q2"].pk: True}
    )
    assert attempt.state == AttemptState.RELEASED
    book = notebook_for(officer)
    # Q1 answered wrong, Q3 left unanswered; Q2 right.
    assert sorted(ids(book)) == sorted([bank["q1"].pk, bank["q3"].pk])
    entry = next(e for e in book.entries if e.question_id == bank["q1"].pk)
    assert entry.times_wrong == 1 and entry.answered and entry.show_explanation
    assert not next(e for e in book.entries if e.question_id == bank["q3"].pk).answered

    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(reverse("exams:notebook")).content.decode()
    assert f'id="entry-{bank["q1"].pk}"' in content and f'id="entry-{bank["q2"].pk}"' not in content
    assert "解析1：依照法律规定。" in content and "治安管理处罚法" in content
    assert "Correct answer" in content


def test_unreleased_results_stay_out_of_the_notebook(officer, bank):
    _exam, attempt = exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False}, release_rule=ReleaseRule.AFTER_CLOSE)
    assert attempt.state == AttemptState.GRADED
    assert notebook_for(officer).entries == []


def test_score_only_exams_do_not_reveal_wrong_questions(officer, bank):
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False}, review_rule=ReviewRule.SCORE_ONLY)
    assert notebook_for(officer).entries == []


def test_explanation_is_shown_only_when_the_exam_shows_explanations(client, officer, bank):
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False}, review_rule=ReviewRule.CORRECT_ANSWERS)
    (entry,) = notebook_for(officer).entries
    assert not entry.show_explanation
    client.force_login(officer)
    content = client.get(reverse("exams:notebook")).content.decode()
    assert "解析1" not in content


def test_question_drops_out_after_a_correct_answer_and_counts_wrong_times(officer, bank):
    start = timezone.now()
    exam_sat(officer, [bank["q1"], bank["q2"]], {bank["q1"].pk: False, bank["q2"].pk: False}, now=start)
    later = start + datetime.timedelta(minutes=10)
    exam_sat(officer, [bank["q1"], bank["q2"]], {bank["q1"].pk: True, bank["q2"].pk: False}, now=later)
    book = notebook_for(officer)
    assert ids(book) == [bank["q2"].pk]
    assert book.entries[0].times_wrong == 2
    assert book.entries[0].wrong_at == later


def test_a_later_wrong_answer_brings_a_question_back(officer, bank):
    start = timezone.now()
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: True}, now=start)
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False}, now=start + datetime.timedelta(minutes=10))
    assert ids(notebook_for(officer)) == [bank["q1"].pk]


def test_short_answers_below_full_points_are_listed(officer, trainer, bank):
    exams_attempts = [exam_sat(officer, [bank["short"]], {bank["short"].pk: True}) for _ in range(2)]
    for (_exam, attempt), score in zip(exams_attempts, ("6", "10"), strict=True):
        assert attempt.state == AttemptState.SUBMITTED  # waits for a grader
        answer_grade(answer=Answer.objects.get(attempt=attempt), score=score, comment="", grader=trainer)
    assert {a.state for a in Attempt.objects.filter(officer=officer)} == {AttemptState.RELEASED}
    book = notebook_for(officer)
    # The later attempt scored full points: the question is out again.
    assert ids(book) == []
    Attempt.objects.filter(pk=exams_attempts[1][1].pk).update(submitted_at=timezone.now() - datetime.timedelta(days=1))
    (entry,) = notebook_for(officer).entries
    assert entry.question_id == bank["short"].pk and not entry.auto_graded and entry.score == 6


def test_another_officers_wrong_answers_are_invisible(client, officer, auxiliary, bank):
    exam_sat(auxiliary, [bank["q1"]], {bank["q1"].pk: False})
    assert notebook_for(officer).entries == []
    client.force_login(officer)
    response = client.get(reverse("exams:notebook"))
    assert response.status_code == 200
    assert b'id="notebook-empty"' in response.content
    assert f'id="entry-{bank["q1"].pk}"'.encode() not in response.content


def test_filters_by_knowledge_point_below_it_and_by_type(client, officer, bank, tree):
    questions = [bank["q1"], bank["q2"], bank["q3"], bank["q4"]]
    exam_sat(officer, questions, {q.pk: False for q in questions})
    # 接处警 covers 现场处置 (Q1) and 执法记录 (Q4).
    assert sorted(ids(notebook_for(officer, knowledge_point=tree["接处警"]))) == sorted([bank["q1"].pk, bank["q4"].pk])
    assert ids(notebook_for(officer, question_type=QuestionType.TRUE_FALSE)) == [bank["q3"].pk]
    client.force_login(officer)
    response = client.get(reverse("exams:notebook"), {"knowledge_point": tree["案件办理"].pk, "type": "nonsense"})
    assert [e.question_id for e in response.context["book"].entries] == [bank["q2"].pk]
    assert response.context["book"].total == 4


def test_knowledge_points_link_to_their_live_lessons(client, officer, bank, tree):
    course = make_course(CourseIndexPage.objects.get(), "接处警规范")
    lesson = make_lesson(course, "现场处置要点")
    lesson.knowledge_points.set([tree["现场处置"]])
    lesson.save_revision().publish()
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False})
    client.force_login(officer)
    content = client.get(reverse("exams:notebook")).content.decode()
    assert "接处警 › 现场处置" in content
    assert f'href="{lesson.url}"' in content and "现场处置要点" in content


def test_notebook_needs_a_login(client):
    response = client.get(reverse("exams:notebook"))
    assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# --- practice ---------------------------------------------------------------------------------


def test_practice_is_made_of_the_wrong_objective_questions(client, officer, bank):
    questions = [bank["q1"], bank["q2"], bank["q3"], bank["short"]]
    exam_sat(officer, questions, {bank["q1"].pk: False, bank["q2"].pk: True, bank["q3"].pk: False})
    client.force_login(officer)
    response = client.post(reverse("exams:notebook_practice"))
    practice = Exam.objects.get(practice_for=officer)
    assert response.status_code == 302 and response["Location"] == reverse("exams:exam_start", args=[practice.pk])
    assert practice.kind == ExamKind.PRACTICE and practice.status == "published"
    assert practice.release_rule == ReleaseRule.ON_SUBMIT and practice.review_rule == ReviewRule.EXPLANATIONS
    assert practice.attempts_allowed == 99 and practice.counts == "last" and practice.duration_minutes == 10
    assert practice.closes_at - practice.opens_at == datetime.timedelta(days=30)
    blueprint = practice.blueprint
    assert blueprint.practice_for == officer and blueprint.status == BlueprintStatus.ACTIVE
    # One section per type; the short answer (needs a grader) is left out.
    sections = list(blueprint.sections.order_by("position"))
    assert [s.title for s in sections] == [str(QuestionType.SINGLE.label), str(QuestionType.TRUE_FALSE.label)]
    fixed = set(
        BlueprintFixedQuestion.objects.filter(section__blueprint=blueprint).values_list("question_id", flat=True)
    )
    assert fixed == {bank["q1"].pk, bank["q3"].pk}
    assert ExamInvitation.objects.get(exam=practice).source == InvitationSource.PRACTICE
    assert AuditEntry.objects.filter(action="exams.practice.created", target_id=str(practice.pk)).exists()


def test_double_post_reuses_the_unstarted_practice(client, officer, bank):
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False})
    client.force_login(officer)
    first = client.post(reverse("exams:notebook_practice"))
    second = client.post(reverse("exams:notebook_practice"))
    assert first["Location"] == second["Location"]
    assert Exam.objects.filter(practice_for=officer).count() == 1
    assert Blueprint.objects.filter(practice_for=officer).count() == 1


def test_a_started_practice_is_not_reused(officer, bank):
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False})
    practice, created = practice_from_notebook(officer=officer)
    assert created
    attempt_start(exam=practice, officer=officer)
    again, created = practice_from_notebook(officer=officer)
    assert created and again != practice


def test_practice_of_a_knowledge_point_takes_only_its_questions(client, officer, bank, tree):
    exam_sat(officer, [bank["q1"], bank["q2"]], {bank["q1"].pk: False, bank["q2"].pk: False})
    client.force_login(officer)
    client.post(reverse("exams:notebook_practice"), {"knowledge_point": tree["接处警"].pk})
    practice = Exam.objects.get(practice_for=officer)
    fixed = BlueprintFixedQuestion.objects.filter(section__blueprint=practice.blueprint)
    assert list(fixed.values_list("question_id", flat=True)) == [bank["q1"].pk]


def test_practice_takes_at_most_twenty_most_recently_wrong_first(officer, tree):
    questions = [make_question(QuestionType.SINGLE, number=10 + i) for i in range(22)]
    start = timezone.now()
    exam_sat(officer, questions[:2], {q.pk: False for q in questions[:2]}, now=start)
    exam_sat(officer, questions[2:], {q.pk: False for q in questions[2:]}, now=start + datetime.timedelta(minutes=5))
    practice, _created = practice_from_notebook(officer=officer)
    fixed = list(
        BlueprintFixedQuestion.objects.filter(section__blueprint=practice.blueprint)
        .order_by("position")
        .values_list("question_id", flat=True)
    )
    assert len(fixed) == 20 and set(fixed) <= {q.pk for q in questions}
    assert set(fixed) >= {q.pk for q in questions[2:]}  # the 20 missed last
    assert practice.duration_minutes == 40


def test_nothing_to_practise_is_refused_with_a_message(client, officer, bank, tree):
    exam_sat(officer, [bank["short"]], {})  # only a short answer, unanswered: not practicable
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("exams:notebook_practice"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exams:notebook")
    assert "There is no question to practise" in response.content.decode()
    assert not Exam.objects.filter(practice_for=officer).exists()
    response = client.post(reverse("exams:notebook_practice"), {"knowledge_point": "999999"}, follow=True)
    assert "does not exist" in response.content.decode()
    assert client.get(reverse("exams:notebook_practice")).status_code == 405


def test_answering_the_practice_right_empties_the_notebook(officer, bank):
    start = timezone.now()
    exam_sat(officer, [bank["q1"], bank["q4"]], {bank["q1"].pk: False, bank["q4"].pk: False}, now=start)
    practice, _created = practice_from_notebook(officer=officer, now=start + datetime.timedelta(minutes=1))
    later = start + datetime.timedelta(minutes=2)
    attempt = sit(practice, officer, {bank["q1"].pk: True, bank["q4"].pk: False}, now=later)
    assert attempt.state == AttemptState.RELEASED  # practice results are released on submission
    assert ids(notebook_for(officer)) == [bank["q4"].pk]


def test_trainers_lists_do_not_show_personal_practice(client, officer, trainer, bank):
    exam_sat(officer, [bank["q1"]], {bank["q1"].pk: False})
    practice, _created = practice_from_notebook(officer=officer)
    client.force_login(trainer)
    blueprints = client.get(reverse("exams:blueprint_list")).context["blueprints"]
    assert practice.blueprint not in list(blueprints)
    assert (
        reverse("exams:exam_detail", args=[practice.pk]).encode() not in client.get(reverse("exams:exam_list")).content
    )
