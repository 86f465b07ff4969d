"""The invigilation board (考务监控): the selector's states, filters and no-contact flag in a fixed
number of queries, the board pages and every action through its view, the attempt's history and
the legal leader's approval of re-opening a paper."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exams.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptEventKind,
    AttemptReopenRequest,
    AttemptState,
    ExamAbsence,
    ExamAccommodation,
    ExamExemption,
    ExamInvitation,
    ExamRoomMessage,
    ReleaseRule,
    ReopenStatus,
)
from exams.selectors.invigilation import ABSENT, EXEMPT, IN_PROGRESS, NOT_STARTED, SUBMITTED, invigilation_board
from exams.services import answer_save, attempt_start, attempt_submit
from exams.services.exam_day import attempt_heartbeat, attempt_pause, attempt_reopen_request
from exams.views.invigilation_forms import Pick
from portal.models import AuditEntry
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def blueprint():
    return objective_blueprint()


@pytest.fixture
def exam(blueprint, officer, squad_officer, auxiliary):
    return published_exam(blueprint, officer, squad_officer, auxiliary, release_rule=ReleaseRule.AFTER_CLOSE)


@pytest.fixture
def staff(client, trainer):
    client.force_login(trainer)
    return client


def _rows(board) -> dict[str, object]:
    return {row.police_number: row for row in board.rows}


def _reload(attempt) -> Attempt:
    return Attempt.objects.get(pk=attempt.pk)


# --- the selector -----------------------------------------------------------------------------------


def test_board_shows_each_examinee_in_their_state(exam, officer, squad_officer, auxiliary, outsider, trainer):
    sitting = attempt_start(exam=exam, officer=officer)
    ExamAbsence.objects.create(exam=exam, officer=auxiliary, marked_by=trainer)
    ExamExemption.objects.create(exam=exam, officer=outsider, reason="leave")
    done_officer = UserFactory(police_number="200099", name="钱多", unit=squad_officer.unit)
    ExamInvitation.objects.create(exam=exam, officer=done_officer)
    attempt_submit(attempt=attempt_start(exam=exam, officer=done_officer), actor=done_officer)
    ExamAccommodation.objects.create(exam=exam, officer=officer, extra_minutes=10, reason="视力")

    board = invigilation_board(exam)

    rows = _rows(board)
    assert rows[officer.police_number].state == IN_PROGRESS
    assert rows[officer.police_number].attempt_id == sitting.pk
    assert rows[officer.police_number].accommodation
    assert 0 < rows[officer.police_number].remaining_seconds <= 3600
    assert rows[squad_officer.police_number].state == NOT_STARTED
    assert rows[auxiliary.police_number].state == ABSENT
    assert rows[outsider.police_number].state == EXEMPT
    assert rows[done_officer.police_number].state == SUBMITTED
    assert board.counts == {NOT_STARTED: 1, IN_PROGRESS: 1, SUBMITTED: 1, ABSENT: 1, EXEMPT: 1}
    assert [row.police_number for row in board.rows] == sorted(rows)


def test_board_counts_answers_last_save_focus_and_pause(exam, officer, trainer):
    attempt = attempt_start(exam=exam, officer=officer)
    items = list(attempt.paper.items.select_related("question_version").order_by("position")[:2])
    saved_at = timezone.now().replace(microsecond=0)
    for number, item in enumerate(items, start=1):
        answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=number, now=saved_at)
    Attempt.objects.filter(pk=attempt.pk).update(focus_losses=3, device_changes=1)
    attempt_pause(actor=trainer, attempt=attempt, reason="故障")

    row = _rows(invigilation_board(exam))[officer.police_number]

    assert row.answered == 2 and row.last_save == saved_at
    assert (row.focus_losses, row.device_changes, row.paused) == (3, 1, True)
    later = invigilation_board(exam, now=timezone.now() + datetime.timedelta(minutes=10))
    assert _rows(later)[officer.police_number].remaining_seconds == row.remaining_seconds  # clock stopped


def test_board_filters_by_unit_subtree_and_state(exam, officer, squad_officer, auxiliary, station, squad):
    attempt_start(exam=exam, officer=squad_officer)

    whole_station = invigilation_board(exam, unit=station)
    only_squad = invigilation_board(exam, unit=squad)
    squad_sitting = invigilation_board(exam, unit=station, state=IN_PROGRESS)

    assert set(_rows(whole_station)) == {officer.police_number, squad_officer.police_number, auxiliary.police_number}
    assert set(_rows(only_squad)) == {squad_officer.police_number}
    assert set(_rows(squad_sitting)) == {squad_officer.police_number}
    assert squad_sitting.counts[NOT_STARTED] == 2 and squad_sitting.total == 3


def test_no_contact_after_silence_until_a_poll_arrives(exam, officer, settings):
    settings.EXAMS_NO_CONTACT_SECONDS = 60
    now = timezone.now()
    attempt = attempt_start(exam=exam, officer=officer, now=now - datetime.timedelta(minutes=5))

    assert _rows(invigilation_board(exam, now=now))[officer.police_number].no_contact
    assert not _rows(invigilation_board(exam, now=now - datetime.timedelta(minutes=4, seconds=30)))[
        officer.police_number
    ].no_contact  # just started
    attempt_heartbeat(attempt=attempt, now=now - datetime.timedelta(seconds=10))
    assert not _rows(invigilation_board(exam, now=now))[officer.police_number].no_contact


def _many_examinees(exam, attempt, count: int, unit) -> None:
    """``count`` more examinees in progress on ``attempt``'s paper, each with every answer saved."""
    officers = [UserFactory(police_number=f"7{n:05d}", name=f"考生{n}", unit=unit) for n in range(count)]
    ExamInvitation.objects.bulk_create([ExamInvitation(exam=exam, officer=o) for o in officers])
    attempts = Attempt.objects.bulk_create(
        [
            Attempt(
                exam=exam,
                officer=o,
                state=AttemptState.IN_PROGRESS,
                paper=attempt.paper,
                started_at=attempt.started_at,
                deadline=attempt.deadline,
            )
            for o in officers
        ]
    )
    items = list(attempt.paper.items.all())
    Answer.objects.bulk_create(
        [Answer(attempt=a, paper_item=i, response="A", client_seq=1) for a in attempts for i in items]
    )


def test_board_reads_a_fixed_number_of_queries_whatever_the_examinees(
    exam, officer, squad, django_assert_max_num_queries, settings
):
    settings.EXAMS_BOARD_EXAMINEES_CACHE_SECONDS = 0  # the examinee list read every time: the worst case
    attempt = attempt_start(exam=exam, officer=officer)
    with CaptureQueriesContext(connection) as few:
        invigilation_board(exam)
    _many_examinees(exam, attempt, 40, squad)
    with CaptureQueriesContext(connection) as many:
        board = invigilation_board(exam)
    assert board.total == 43
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(12):
        invigilation_board(exam, unit=squad, state=IN_PROGRESS)


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "outsider", "hr"])
def test_board_and_actions_are_for_training_staff_only(client, exam, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("exams:exam_board", args=[exam.pk])).status_code == 403
    assert client.get(reverse("exams:exam_board_json", args=[exam.pk])).status_code == 403
    response = client.post(reverse("exams:exam_board_message", args=[exam.pk]), {"text": "hi", "after": 0})
    assert response.status_code == 403
    assert not ExamRoomMessage.objects.exists()


def test_board_of_a_personal_practice_paper_or_no_exam_is_a_404(staff, blueprint, officer):
    practice = published_exam(blueprint, officer, practice_for=officer)
    assert staff.get(reverse("exams:exam_board", args=[practice.pk])).status_code == 404
    assert staff.get(reverse("exams:exam_board_json", args=[987654])).status_code == 404
    attempt = attempt_start(exam=practice, officer=officer)
    assert staff.get(reverse("exams:attempt_history", args=[attempt.pk])).status_code == 404


def test_board_page_lists_examinees_and_loads_its_script(staff, exam, officer):
    response = staff.get(reverse("exams:exam_board", args=[exam.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert officer.name in page and "exams/board.js" in page and "<script>" not in page
    assert 'id="board-strings"' in page


def test_board_json_follows_the_filters(staff, exam, officer, squad_officer):
    attempt_start(exam=exam, officer=officer)
    data = staff.get(reverse("exams:exam_board_json", args=[exam.pk]), {"state": IN_PROGRESS}).json()
    assert [row["number"] for row in data["rows"]] == [officer.police_number]
    assert data["counts"][NOT_STARTED] == 2 and data["total"] == 3
    assert data["rows"][0]["left"] and data["generated_at"].count(":") == 2


def test_board_is_linked_from_the_exam_detail_and_the_exam_list(staff, exam):
    assert (
        reverse("exams:exam_board", args=[exam.pk])
        in staff.get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    )
    assert f'data-board="{exam.pk}"' in staff.get(reverse("exams:exam_list")).content.decode()


# --- actions through the views ------------------------------------------------------------------------


def _pick(attempt: Attempt) -> str:
    attempt = _reload(attempt)
    return Pick.value(attempt.officer_id, attempt.pk, attempt.deadline)


def test_add_time_through_the_board_does_nothing_twice(staff, exam, officer):
    attempt = attempt_start(exam=exam, officer=officer)
    before = _reload(attempt).deadline
    form = {"pick": [_pick(attempt)], "minutes": "5", "reason": "网络中断", "next": "/exams/manage/"}
    url = reverse("exams:exam_board_add_time", args=[exam.pk])

    first = staff.post(url, form)
    second = staff.post(url, form)  # double click

    assert first.status_code == 302 and first["Location"] == reverse("exams:exam_board", args=[exam.pk])
    assert _reload(attempt).deadline == before + datetime.timedelta(minutes=5)
    assert second.status_code == 302
    assert AuditEntry.objects.filter(action="exams.attempt.time_added").count() == 2  # the second added nothing
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.TIME_ADDED).count() == 1


def test_add_time_refuses_bad_input_in_chinese(staff, exam, officer):
    attempt = attempt_start(exam=exam, officer=officer)
    url = reverse("exams:exam_board_add_time", args=[exam.pk])
    response = staff.post(url, {"pick": ["garbage"], "minutes": "5", "reason": "x"}, follow=True)
    assert "请刷新" in response.content.decode() or "重新加载" in response.content.decode()
    response = staff.post(url, {"pick": [_pick(attempt)], "minutes": "0", "reason": "x"}, follow=True)
    assert "1 至 600 分钟" in response.content.decode()
    response = staff.post(url, {"pick": [_pick(attempt)], "minutes": "5", "reason": ""}, follow=True)
    assert "原因" in response.content.decode()
    assert _reload(attempt).time_added_seconds == 0


def test_action_without_csrf_token_is_refused(exam, trainer, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    attempt = attempt_start(exam=exam, officer=officer)
    response = client.post(
        reverse("exams:exam_board_add_time", args=[exam.pk]), {"pick": [_pick(attempt)], "minutes": "5", "reason": "x"}
    )
    assert response.status_code == 403
    assert _reload(attempt).time_added_seconds == 0


def test_force_hand_in_through_the_board(staff, exam, officer, squad_officer):
    attempt = attempt_start(exam=exam, officer=officer)
    picks = [_pick(attempt), Pick.value(squad_officer.pk, None, None)]
    response = staff.post(
        reverse("exams:exam_board_force_submit", args=[exam.pk]), {"pick": picks, "reason": "时间到"}, follow=True
    )
    assert _reload(attempt).state == AttemptState.GRADED
    assert not Attempt.objects.filter(officer=squad_officer).exists()
    assert response.status_code == 200


def test_mark_absent_through_the_board_only_for_those_not_started(staff, exam, officer, squad_officer):
    attempt = attempt_start(exam=exam, officer=officer)
    url = reverse("exams:exam_board_absent", args=[exam.pk])
    response = staff.post(url, {"pick": [_pick(attempt)], "reason": "未到场"}, follow=True)
    assert "已开始" in response.content.decode()
    assert not ExamAbsence.objects.exists()
    staff.post(url, {"pick": [Pick.value(squad_officer.pk, None, None)], "reason": "未到场"})
    staff.post(url, {"pick": [Pick.value(squad_officer.pk, None, None)], "reason": "未到场"})
    assert ExamAbsence.objects.filter(exam=exam, officer=squad_officer).count() == 1


def test_room_message_reaches_the_examinee_status_poll_once(staff, exam, officer, client):
    attempt = attempt_start(exam=exam, officer=officer)
    url = reverse("exams:exam_board_message", args=[exam.pk])
    staff.post(url, {"text": "还有十分钟交卷", "after": "0"})
    staff.post(url, {"text": "还有十分钟交卷", "after": "0"})
    assert ExamRoomMessage.objects.filter(exam=exam).count() == 1

    examinee = Client()
    examinee.force_login(officer)
    status = examinee.get(reverse("exams:attempt_status", args=[attempt.pk])).json()
    assert [message["text"] for message in status["messages"]] == ["还有十分钟交卷"]


def test_pause_and_resume_one_examinee_from_the_history_page(staff, exam, officer):
    attempt = attempt_start(exam=exam, officer=officer)
    staff.post(reverse("exams:attempt_pause", args=[attempt.pk]), {"reason": "电脑死机"})
    assert _reload(attempt).paused_at is not None
    response = staff.post(reverse("exams:attempt_pause", args=[attempt.pk]), {"reason": "电脑死机"}, follow=True)
    assert "计时已暂停" in response.content.decode()
    staff.post(reverse("exams:attempt_resume", args=[attempt.pk]), {"reason": ""})
    assert _reload(attempt).paused_at is None

    page = staff.get(reverse("exams:attempt_history", args=[attempt.pk])).content.decode()
    assert "电脑死机" in page and "暂停计时" in page and "陈静" in page


def test_reopen_request_approved_by_a_legal_leader_reopens_with_answers(
    staff, exam, officer, trainer, legal_leader, client
):
    attempt = attempt_start(exam=exam, officer=officer)
    item = attempt.paper.items.select_related("question_version").first()
    answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=1)
    attempt_submit(attempt=attempt, actor=officer)
    staff.post(reverse("exams:attempt_reopen_request", args=[attempt.pk]), {"minutes": "20", "reason": "停电"})
    request = AttemptReopenRequest.objects.get(attempt=attempt)

    # The trainer who asked cannot approve.
    assert staff.get(reverse("exams:reopen_requests")).status_code == 403
    assert staff.post(reverse("exams:reopen_decide", args=[request.pk]), {"decision": "approve"}).status_code == 403
    assert _reload(attempt).state == AttemptState.GRADED

    leader = Client()
    leader.force_login(legal_leader)
    page = leader.get(reverse("exams:reopen_requests")).content.decode()
    assert officer.name in page and "停电" in page
    assert "exams:reopen" not in page
    dashboard = leader.get("/").content.decode()
    assert reverse("exams:reopen_requests") in dashboard
    began = timezone.now()
    leader.post(reverse("exams:reopen_decide", args=[request.pk]), {"decision": "approve", "note": "同意"})
    leader.post(reverse("exams:reopen_decide", args=[request.pk]), {"decision": "approve", "note": "同意"})

    reopened = _reload(attempt)
    assert reopened.state == AttemptState.IN_PROGRESS
    assert (
        began + datetime.timedelta(minutes=20) <= reopened.deadline <= timezone.now() + datetime.timedelta(minutes=20)
    )
    assert Answer.objects.get(attempt=attempt, paper_item=item).response == correct_response(item)
    request.refresh_from_db()
    assert request.status == ReopenStatus.APPROVED and request.decided_by == legal_leader
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.REOPENED).count() == 1


def test_officer_cannot_see_attempt_history_or_approvals(client, exam, officer, trainer):
    attempt = attempt_start(exam=exam, officer=officer)
    attempt_submit(attempt=attempt, actor=officer)
    attempt_reopen_request(actor=trainer, attempt=_reload(attempt), reason="停电", minutes=5)
    client.force_login(officer)
    assert client.get(reverse("exams:attempt_history", args=[attempt.pk])).status_code == 403
    assert client.get(reverse("exams:reopen_requests")).status_code == 403
    request = AttemptReopenRequest.objects.get()
    assert client.post(reverse("exams:reopen_decide", args=[request.pk]), {"decision": "approve"}).status_code == 403


def test_board_keeps_the_examinee_list_for_a_few_seconds(exam, officer, squad, settings):
    settings.EXAMS_BOARD_EXAMINEES_CACHE_SECONDS = 15
    with CaptureQueriesContext(connection) as first:
        invigilation_board(exam)
    with CaptureQueriesContext(connection) as second:
        board = invigilation_board(exam)
    assert len(second.captured_queries) < len(first.captured_queries)
    assert board.total == 3
    # A new examinee with an attempt shows at once (attempts are read live).
    newcomer = UserFactory(police_number="700999", name="新考生", unit=squad)
    ExamInvitation.objects.create(exam=exam, officer=newcomer)
    attempt_start(exam=exam, officer=newcomer)
    assert "700999" in _rows(invigilation_board(exam))


def test_an_officer_marked_absent_is_told_on_the_start_page_before_trying(staff, exam, officer):
    staff.post(
        reverse("exams:exam_board_absent", args=[exam.pk]),
        {"pick": [Pick.value(officer.pk, None, None)], "reason": "未到场"},
    )
    assert ExamAbsence.objects.filter(exam=exam, officer=officer).exists()
    examinee = Client()
    examinee.force_login(officer)

    page = examinee.get(reverse("exams:exam_start", args=[exam.pk])).content.decode()

    assert "标记为缺考" in page
    assert "take-start-button" not in page
