"""Correcting the key of a question already in papers: the key, the regrade, audit, notifications, page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from exams.models import KeyCorrection, QuestionType, QuestionVersion, ReleaseRule
from exams.services import paper_draw
from exams.services.key_correction import question_key_correct
from portal.models import AuditEntry, Notification
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, new_officer, sit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def setup(station):
    """One fixed paper sat by three officers, results released on submission. On the paper's first
    single-choice question (key "A", 10 points) the first answers A, the second B, the third C."""
    blueprint = objective_blueprint()
    paper = paper_draw(blueprint=blueprint, seed=7, context="test")
    item = paper.items.filter(question_type=QuestionType.SINGLE).order_by("position").first()
    version = item.question_version
    officers = [new_officer(station) for _ in range(3)]
    exam = published_exam(None, *officers, now=NOW, fixed_paper=paper, release_rule=ReleaseRule.ON_SUBMIT)
    attempts = [
        sit(exam, officer, responses={version.pk: choice})
        for officer, choice in zip(officers, ["A", "B", "C"], strict=True)
    ]
    return {"version": version, "officers": officers, "attempts": attempts, "exam": exam}


def test_correcting_the_key_regrades_every_paper_and_tells_only_officers_whose_score_changed(setup, trainer):
    version, (right, corrected, wrong), attempts = setup["version"], setup["officers"], setup["attempts"]
    assert [a.score for a in attempts] == [Decimal("100.00"), Decimal("90.00"), Decimal("90.00")]

    outcome = question_key_correct(version=version, new_answer="B", reason="原答案有误，应为B", actor=trainer)

    for attempt in attempts:
        attempt.refresh_from_db()
    assert [a.score for a in attempts] == [Decimal("90.00"), Decimal("100.00"), Decimal("90.00")]
    version.refresh_from_db()
    assert version.answer == "B"
    correction = outcome.correction
    assert (correction.previous_answer, correction.new_answer, correction.corrected_by) == ("A", "B", trainer)
    assert correction.attempts_regraded == 3
    assert outcome.attempts_changed == 2
    changed_kind = "exams.result.changed"
    assert Notification.objects.filter(recipient=right, kind=changed_kind).count() == 1
    assert Notification.objects.filter(recipient=corrected, kind=changed_kind).count() == 1
    assert not Notification.objects.filter(recipient=wrong, kind=changed_kind).exists()
    assert "原答案有误" in Notification.objects.get(recipient=right, kind=changed_kind).body
    regraded = AuditEntry.objects.filter(action="exams.attempt.regraded")
    assert sorted(regraded.values_list("target_id", flat=True)) == sorted(str(a.pk) for a in attempts[:2])
    assert AuditEntry.objects.filter(action="exams.question.key_corrected").count() == 1


def test_a_correction_can_turn_a_pass_into_a_fail(setup, trainer):
    exam = setup["exam"]
    exam.pass_mark = Decimal("95")
    exam.save(update_fields=["pass_mark"])
    first = setup["attempts"][0]
    first.passed = True
    first.save(update_fields=["passed"])

    question_key_correct(version=setup["version"], new_answer="B", reason="更正", actor=trainer)

    first.refresh_from_db()
    assert (first.score, first.passed) == (Decimal("90.00"), False)


@pytest.mark.parametrize(
    ("new_answer", "reason", "field", "message"),
    [
        ("Z", "更正", "answer", "must be one of the options"),
        ("A", "更正", "answer", "same as the current one"),
        ("B", "  ", "reason", "Say why"),
    ],
)
def test_an_invalid_or_unchanged_key_or_a_missing_reason_changes_nothing(
    setup, trainer, new_answer, reason, field, message
):
    version = setup["version"]

    with pytest.raises(ValidationError) as raised:
        question_key_correct(version=version, new_answer=new_answer, reason=reason, actor=trainer)

    assert message in " ".join(raised.value.message_dict[field])
    version.refresh_from_db()
    assert version.answer == "A"
    assert not KeyCorrection.objects.exists()
    assert not Notification.objects.exists()


def test_a_version_not_in_any_paper_is_edited_instead(make_question, trainer):
    version = make_question(QuestionType.SINGLE).current_version

    with pytest.raises(ValidationError, match="not in any paper"):
        question_key_correct(version=version, new_answer="B", reason="更正", actor=trainer)


def test_the_page_corrects_the_key_and_returns_to_the_version(client, setup, trainer):
    version = setup["version"]
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("exams:key_correct", args=[version.pk]))
    assert page.status_code == 200
    version_page = client.get(reverse("exams:bank_version", args=[version.question_id, version.number]))
    assert reverse("exams:key_correct", args=[version.pk]) in version_page.content.decode()

    response = client.post(reverse("exams:key_correct", args=[version.pk]), {"answer": "B", "reason": "原答案有误"})

    assert response.status_code == 302
    assert response.url == reverse("exams:bank_version", args=[version.question_id, version.number])
    assert QuestionVersion.objects.get(pk=version.pk).answer == "B"


def test_the_page_shows_the_error_for_a_missing_reason(client, setup, trainer):
    version = setup["version"]
    client.force_login(trainer)

    response = client.post(reverse("exams:key_correct", args=[version.pk]), {"answer": "B", "reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert QuestionVersion.objects.get(pk=version.pk).answer == "A"


def test_short_answers_and_non_staff_have_no_key_page(client, setup, make_question, officer, trainer):
    short = make_question(QuestionType.SHORT_ANSWER).current_version
    QuestionVersion.objects.filter(pk=short.pk).update(in_use=True)
    client.force_login(trainer)
    assert client.get(reverse("exams:key_correct", args=[short.pk])).status_code == 404

    client.force_login(officer)
    response = client.post(reverse("exams:key_correct", args=[setup["version"].pk]), {"answer": "B", "reason": "x"})
    assert response.status_code == 403
    assert QuestionVersion.objects.get(pk=setup["version"].pk).answer == "A"
