"""What the examinee's paper reports and reads on exam day: focus losses (counted, warned, handed in
after too many), the status poll (time added, stopped clock, room messages, another device), one
device at a time (the confirmation page, the takeover, the first device's refused saves), and the
paper's markup for full screen and no copying."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exams.models import Answer, Attempt, AttemptEvent, AttemptEventKind, AttemptState, ExamKind, QuestionType
from exams.services.delivery import attempt_start
from exams.services.exam_day import attempt_pause, attempt_resume, attempts_add_time, exam_room_message_send
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(officer):
    return published_exam(
        objective_blueprint(),
        officer,
        track_focus=True,
        focus_warn_after=2,
        focus_submit_after=4,
        single_device=True,
        prevent_copy=True,
    )


@pytest.fixture
def attempt(exam, officer):
    return attempt_start(exam=exam, officer=officer)


@pytest.fixture
def examinee(client, officer):
    client.force_login(officer)
    return client


def _event(client, attempt, kind):
    return client.post(
        reverse("exams:attempt_event", args=[attempt.pk]),
        data=json.dumps({"kind": kind}),
        content_type="application/json",
    )


def _status(client, attempt, after=None):
    url = reverse("exams:attempt_status", args=[attempt.pk])
    return client.get(url, {"after": after} if after is not None else {})


def _single(attempt):
    return next(
        item
        for item in attempt.paper.items.select_related("question_version").order_by("position")
        if item.question_type == QuestionType.SINGLE
    )


def _save(client, attempt, item, seq=1):
    return client.post(
        reverse("exams:attempt_save", args=[attempt.pk]),
        data=json.dumps({"item": item.pk, "response": "A", "seq": seq}),
        content_type="application/json",
    )


# --- focus losses ---------------------------------------------------------------------------------


def test_focus_losses_are_counted_and_warned_from_the_threshold(examinee, attempt):
    first = _event(examinee, attempt, "tab_hidden").json()
    assert first == {"count": 1, "warn": False, "submitted": False}

    second = _event(examinee, attempt, "focus_lost").json()
    assert second["count"] == 2 and second["warn"] is True and second["submitted"] is False
    assert "2" in second["warning"]

    attempt.refresh_from_db()
    assert attempt.focus_losses == 2
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == [AttemptEventKind.TAB_HIDDEN, AttemptEventKind.FOCUS_LOST, AttemptEventKind.WARNED]
    assert _status(examinee, attempt).json()["focus_losses"] == 2


def test_the_paper_is_handed_in_after_the_last_allowed_focus_loss(examinee, attempt):
    for kind in ("focus_lost", "tab_hidden", "fullscreen_exit"):
        assert _event(examinee, attempt, kind).json()["submitted"] is False
    last = _event(examinee, attempt, "tab_hidden").json()
    assert last["count"] == 4 and last["submitted"] is True
    assert last["result_url"] == reverse("exams:attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state != AttemptState.IN_PROGRESS
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.AUTO_SUBMITTED).count() == 1


def test_events_are_ignored_once_the_attempt_is_finished(examinee, attempt):
    for _ in range(4):
        _event(examinee, attempt, "tab_hidden")
    after = _event(examinee, attempt, "tab_hidden").json()
    assert after == {"count": 4, "warn": False, "submitted": False}
    attempt.refresh_from_db()
    assert attempt.focus_losses == 4
    assert _status(examinee, attempt).json()["state"] != AttemptState.IN_PROGRESS


def test_events_are_ignored_when_the_exam_does_not_record_focus(examinee, exam, attempt):
    exam.track_focus = False
    exam.save(update_fields=["track_focus"])
    body = _event(examinee, attempt, "tab_hidden").json()
    assert body == {"count": 0, "warn": False, "submitted": False}
    attempt.refresh_from_db()
    assert attempt.focus_losses == 0
    assert not AttemptEvent.objects.filter(attempt=attempt).exists()


@pytest.mark.parametrize("body", [{"kind": "paused"}, {"kind": ""}, {}, ["tab_hidden"], "not json"])
def test_an_unknown_event_is_400_and_counts_nothing(examinee, attempt, body):
    reply = examinee.post(
        reverse("exams:attempt_event", args=[attempt.pk]),
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )
    assert reply.status_code == 400
    attempt.refresh_from_db()
    assert attempt.focus_losses == 0


def test_another_officers_attempt_is_404_for_events_and_status(client, squad_officer, attempt):
    client.force_login(squad_officer)
    assert _event(client, attempt, "tab_hidden").status_code == 404
    assert _status(client, attempt).status_code == 404
    attempt.refresh_from_db()
    assert attempt.focus_losses == 0


# --- the status poll ------------------------------------------------------------------------------


def test_status_follows_time_added(examinee, exam, attempt, trainer):
    before = _status(examinee, attempt).json()["remaining_seconds"]
    attempts_add_time(actor=trainer, exam=exam, attempt_ids=[attempt.pk], minutes=10, reason="系统故障")
    after = _status(examinee, attempt).json()
    assert after["remaining_seconds"] - before >= 600 - 2
    attempt.refresh_from_db()
    assert after["deadline"] == attempt.deadline.isoformat()


def test_status_passes_room_messages_after_the_last_shown(examinee, exam, attempt, trainer):
    first = exam_room_message_send(actor=trainer, exam=exam, text="请保持安静。")
    second = exam_room_message_send(actor=trainer, exam=exam, text="还剩三十分钟。")
    messages = _status(examinee, attempt).json()["messages"]
    assert [m["text"] for m in messages] == ["请保持安静。", "还剩三十分钟。"]
    assert [m["id"] for m in messages] == [first.pk, second.pk]
    assert [m["text"] for m in _status(examinee, attempt, after=first.pk).json()["messages"]] == ["还剩三十分钟。"]
    assert _status(examinee, attempt, after=second.pk).json()["messages"] == []
    assert _status(examinee, attempt, after="nonsense").status_code == 200


def test_a_stopped_clock_holds_saves_and_restarting_it_moves_the_deadline(examinee, attempt, trainer):
    item = _single(attempt)
    examinee.get(reverse("exams:attempt_take", args=[attempt.pk]))  # the device claims the paper
    start = timezone.now()
    attempt_pause(actor=trainer, attempt=attempt, reason="断网", now=start)
    status = _status(examinee, attempt).json()
    assert status["paused"] is True
    frozen = status["remaining_seconds"]

    reply = _save(examinee, attempt, item)
    assert reply.status_code == 409
    assert reply.json()["code"] == "paused"
    assert not Answer.objects.filter(attempt=attempt, paper_item=item).exists()

    attempt.refresh_from_db()
    deadline = attempt.deadline
    attempt_resume(actor=trainer, attempt=attempt, now=start + datetime.timedelta(minutes=5))
    attempt.refresh_from_db()
    assert attempt.deadline == deadline + datetime.timedelta(minutes=5)
    status = _status(examinee, attempt).json()
    assert status["paused"] is False
    assert abs(status["remaining_seconds"] - frozen) <= 5 * 60 + 2
    assert _save(examinee, attempt, item, seq=2).status_code == 200
    assert Answer.objects.filter(attempt=attempt, paper_item=item).exists()


def test_status_of_a_finished_attempt_says_so_and_links_the_result(examinee, attempt):
    examinee.post(reverse("exams:attempt_submit", args=[attempt.pk]))
    body = _status(examinee, attempt).json()
    assert body["state"] != AttemptState.IN_PROGRESS
    assert body["remaining_seconds"] == 0
    assert body["result_url"] == reverse("exams:attempt_result", args=[attempt.pk])


# --- one device at a time -------------------------------------------------------------------------


def test_a_second_device_is_asked_to_confirm_and_its_takeover_shuts_the_first_out(officer, attempt):
    first, second = Client(), Client()
    first.force_login(officer)
    second.force_login(officer)
    take = reverse("exams:attempt_take", args=[attempt.pk])
    item = _single(attempt)

    assert first.get(take).templates[0].name == "exams/take/paper.html"
    assert _save(first, attempt, item, seq=1).status_code == 200

    asked = second.get(take)
    assert asked.status_code == 200
    assert "exams/take/takeover.html" in [t.name for t in asked.templates]
    assert 'name="takeover" value="1"' in asked.content.decode()
    attempt.refresh_from_db()
    assert attempt.device_changes == 0

    assert second.post(take, {"takeover": "1"}).url == take
    attempt.refresh_from_db()
    assert attempt.device_changes == 1
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.DEVICE_TAKEOVER).count() == 1
    assert second.get(take).templates[0].name == "exams/take/paper.html"

    refused = first.post(
        reverse("exams:attempt_save", args=[attempt.pk]),
        data=json.dumps({"item": item.pk, "response": "B", "seq": 5}),
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "taken_over"
    stored = Answer.objects.get(attempt=attempt, paper_item=item)
    assert stored.response == item.original_key("A")
    assert _status(first, attempt).json()["taken_over"] is True
    assert _status(second, attempt).json()["taken_over"] is False
    assert _event(first, attempt, "tab_hidden").status_code == 200  # counted: the officer's attempt


# --- the paper's markup -----------------------------------------------------------------------------


def test_the_paper_carries_the_poll_interval_and_the_exam_day_rules(examinee, attempt, settings):
    settings.EXAMS_STATUS_POLL_SECONDS = 3
    page = examinee.get(reverse("exams:attempt_take", args=[attempt.pk])).content.decode()
    assert 'data-poll-seconds="3"' in page
    assert 'data-track-focus="1"' in page
    assert 'data-prevent-copy="1"' in page
    assert "is-no-copy" in page
    assert 'id="take-fullscreen"' in page  # offered on a formal exam, hidden until the script sees support
    assert reverse("exams:attempt_event", args=[attempt.pk]) in page


def test_a_practice_exam_without_the_rules_offers_no_full_screen_and_allows_copying(examinee, exam, attempt):
    exam.kind = ExamKind.PRACTICE
    exam.track_focus = exam.prevent_copy = False
    exam.save(update_fields=["kind", "track_focus", "prevent_copy"])
    page = examinee.get(reverse("exams:attempt_take", args=[attempt.pk])).content.decode()
    assert 'data-track-focus=""' in page
    assert "is-no-copy" not in page
    assert 'id="take-fullscreen"' not in page


def test_a_paper_outside_the_exam_networks_is_refused_in_chinese(examinee, exam, attempt):
    exam.allowed_networks = "10.12.0.0/16"
    exam.save(update_fields=["allowed_networks"])
    reply = examinee.get(reverse("exams:attempt_take", args=[attempt.pk]), REMOTE_ADDR="192.168.1.5")
    assert reply.status_code == 403
    page = reply.content.decode()
    assert "192.168.1.5" in page
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.IN_PROGRESS
