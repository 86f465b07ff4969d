"""Bulk actions in the bank browser: a confirmation step, then the change and a result message."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from exams.models import Question, QuestionKnowledgePoint, QuestionStatus, QuestionType

BULK = "exams:bank_bulk"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def test_bulk_retire_asks_for_confirmation_first(trainer_client, make_question):
    first, second, untouched = make_question(), make_question(), make_question()
    response = trainer_client.post(reverse(BULK), {"action": "retire", "ids": [first.pk, second.pk]})
    assert response.status_code == 200
    assert response.context["count"] == 2
    assert "This changes 2 questions." in response.content.decode()
    assert set(Question.objects.values_list("status", flat=True)) == {QuestionStatus.ACTIVE}

    response = trainer_client.post(
        reverse(BULK), {"action": "retire", "ids": [first.pk, second.pk], "confirm": "1"}, follow=True
    )
    assert "2 questions set to “Retired”." in response.content.decode()
    statuses = dict(Question.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: QuestionStatus.RETIRED,
        second.pk: QuestionStatus.RETIRED,
        untouched.pk: QuestionStatus.ACTIVE,
    }


def test_bulk_activate_drafts(trainer_client, make_question):
    draft = make_question(status=QuestionStatus.DRAFT)
    trainer_client.post(reverse(BULK), {"action": "activate", "ids": [draft.pk], "confirm": "1"})
    draft.refresh_from_db()
    assert draft.status == QuestionStatus.ACTIVE


def test_bulk_add_and_remove_a_knowledge_point(trainer_client, make_question, knowledge_tree):
    point = knowledge_tree["证据固定"]
    questions = [make_question(), make_question()]
    ids = [q.pk for q in questions]
    response = trainer_client.post(
        reverse(BULK), {"action": "add_knowledge_point", "knowledge_point": point.pk, "ids": ids, "confirm": "1"},
        follow=True,
    )  # fmt: skip
    assert "Knowledge point “证据固定” added to 2 questions." in response.content.decode()
    assert QuestionKnowledgePoint.objects.filter(knowledge_point=point).count() == 2
    trainer_client.post(
        reverse(BULK), {"action": "remove_knowledge_point", "knowledge_point": point.pk, "ids": ids[:1], "confirm": "1"}
    )
    assert list(QuestionKnowledgePoint.objects.values_list("question_id", flat=True)) == ids[1:]


def test_bulk_set_difficulty_and_tier(trainer_client, make_question):
    question = make_question()
    trainer_client.post(
        reverse(BULK), {"action": "set_difficulty", "difficulty": "5", "ids": [question.pk], "confirm": "1"}
    )
    trainer_client.post(reverse(BULK), {"action": "set_tier", "tier": "advanced", "ids": [question.pk], "confirm": "1"})
    question.refresh_from_db()
    assert (question.difficulty, question.tier) == (5, "advanced")


def test_bulk_action_on_every_question_matching_the_filters(trainer_client, make_question):
    singles = [make_question(QuestionType.SINGLE) for _ in range(3)]
    other = make_question(QuestionType.MULTIPLE)
    data = {"action": "retire", "all_matching": "on", "query": "type=single&page=2"}
    response = trainer_client.post(reverse(BULK), data)
    assert response.context["count"] == 3
    response = trainer_client.post(reverse(BULK), data | {"ids": [q.pk for q in singles], "confirm": "1"})
    assert response["Location"] == reverse("exams:bank_list") + "?type=single&page=2"
    assert set(Question.objects.filter(type="single").values_list("status", flat=True)) == {"retired"}
    other.refresh_from_db()
    assert other.status == QuestionStatus.ACTIVE


def test_bulk_action_without_a_selection_is_refused_with_a_message(trainer_client, make_question):
    make_question()
    response = trainer_client.post(reverse(BULK), {"action": "retire"}, follow=True)
    assert "Tick the questions to change, or apply the action to every match." in response.content.decode()
    assert not Question.objects.filter(status=QuestionStatus.RETIRED).exists()


def test_bulk_retag_without_its_knowledge_point_is_refused(trainer_client, make_question):
    question = make_question()
    response = trainer_client.post(reverse(BULK), {"action": "add_knowledge_point", "ids": [question.pk]}, follow=True)
    assert "Knowledge point: Choose the knowledge point." in response.content.decode()


def test_bulk_redirect_stays_on_the_bank(trainer_client, make_question):
    question = make_question()
    response = trainer_client.post(
        reverse(BULK), {"action": "retire", "ids": [question.pk], "confirm": "1", "query": "next=https://evil.example/"}
    )
    assert response["Location"].startswith(reverse("exams:bank_list") + "?")
    assert "//evil" not in response["Location"].split("?")[0]


def test_bulk_actions_are_forbidden_to_officers(client, officer, make_question):
    question = make_question()
    client.force_login(officer)
    response = client.post(reverse(BULK), {"action": "retire", "ids": [question.pk], "confirm": "1"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACTIVE
