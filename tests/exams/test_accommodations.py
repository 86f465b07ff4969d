"""Accommodations (考试特殊安排), exam-room rules in the exam form, and what the officer sees before
the exam: the services' rules, the deadline, sweep, grace and start checks under an accommodation,
the trainers' pages and the officer's pages."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from exams.models import (
    Attempt,
    AttemptEvent,
    AttemptEventKind,
    AttemptState,
    BlueprintStatus,
    Exam,
    ExamAccommodation,
    ExamExemption,
    ExamKind,
    ExemptionReason,
)
from exams.selectors.taking import my_exams
from exams.services.accommodations import AccommodationError, exam_accommodations_grant
from exams.services.blueprints import blueprint_set_status
from exams.services.delivery import DeliveryError, answer_save, attempt_start, attempt_submit, attempts_sweep
from exams.services.exam_day import ExamDayError, exam_accommodation_remove, exam_accommodation_set
from portal.models import AuditEntry
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def blueprint():
    blueprint = objective_blueprint()
    blueprint_set_status(blueprint=blueprint, status=BlueprintStatus.ACTIVE, actor=None)
    return blueprint


@pytest.fixture
def exam(blueprint, officer, squad_officer):
    """Open from an hour ago for three more hours, 60 minutes, one attempt, 30 s grace."""
    return published_exam(blueprint, officer, squad_officer, now=NOW)


def _grant(exam, officer, actor=None, **terms):
    return exam_accommodation_set(actor=actor, exam=exam, officer=officer, reason="医院证明：腕部骨折", **terms)


def _first_item(attempt):
    return attempt.paper.items.select_related("question_version").order_by("position").first()


# --- granting -----------------------------------------------------------------------------------


def test_a_list_of_officers_gets_the_same_accommodation_each_audited(exam, officer, squad_officer, trainer):
    granted = exam_accommodations_grant(
        actor=trainer, exam=exam, officers=[officer, squad_officer], reason="视力障碍", extra_percent=50
    )

    assert {row.officer for row in granted} == {officer, squad_officer}
    assert all(row.extra_percent == 50 and row.granted_by == trainer for row in granted)
    assert AuditEntry.objects.filter(action="exams.accommodation.granted").count() == 2


def test_a_list_with_an_officer_who_is_not_an_examinee_saves_nothing_and_names_them(exam, officer, outsider, trainer):
    with pytest.raises(AccommodationError) as refused:
        exam_accommodations_grant(
            actor=trainer, exam=exam, officers=[officer, outsider], reason="视力障碍", extra_minutes=20
        )

    assert outsider.police_number in refused.value.message
    assert officer.police_number not in refused.value.message
    assert not ExamAccommodation.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="exams.accommodation").exists()


def test_an_accommodation_needs_a_reason_and_something_to_grant(exam, officer, trainer):
    with pytest.raises(ExamDayError) as no_reason:
        exam_accommodations_grant(actor=trainer, exam=exam, officers=[officer], reason="  ", extra_minutes=10)
    with pytest.raises(ExamDayError) as nothing:
        exam_accommodations_grant(actor=trainer, exam=exam, officers=[officer], reason="照顾")

    assert no_reason.value.code == "no_reason"
    assert nothing.value.code == "nothing"
    assert not ExamAccommodation.objects.exists()


def test_granting_again_changes_the_accommodation_and_removing_it_is_audited(exam, officer, trainer):
    _grant(exam, officer, trainer, extra_minutes=10)
    _grant(exam, officer, trainer, extra_attempts=1)
    exam_accommodation_remove(actor=trainer, exam=exam, officer=officer)

    actions = list(AuditEntry.objects.filter(action__startswith="exams.accommodation").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["exams.accommodation.granted", "exams.accommodation.changed", "exams.accommodation.removed"]
    )
    assert not ExamAccommodation.objects.exists()


# --- the deadline of an attempt in progress ------------------------------------------------------


def test_granting_while_the_officer_sits_moves_the_deadline_and_removing_moves_it_back(exam, officer, trainer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    assert attempt.deadline == NOW + 60 * MINUTE

    _grant(exam, officer, trainer, extra_minutes=20, now=NOW + 5 * MINUTE)
    attempt.refresh_from_db()
    assert attempt.deadline == NOW + 80 * MINUTE
    event = AttemptEvent.objects.get(attempt=attempt, kind=AttemptEventKind.ACCOMMODATION)
    assert event.data == {"seconds": 20 * 60}

    _grant(exam, officer, trainer, extra_percent=50)
    attempt.refresh_from_db()
    assert attempt.deadline == NOW + 90 * MINUTE

    exam_accommodation_remove(actor=trainer, exam=exam, officer=officer)
    attempt.refresh_from_db()
    assert attempt.deadline == NOW + 60 * MINUTE


def test_the_sweep_leaves_an_attempt_with_extra_time_until_its_own_deadline(exam, officer, squad_officer):
    with_time = attempt_start(exam=exam, officer=officer, now=NOW)
    without = attempt_start(exam=exam, officer=squad_officer, now=NOW)
    _grant(exam, officer, extra_minutes=20)

    assert attempts_sweep(now=NOW + 61 * MINUTE) == 1
    with_time.refresh_from_db()
    without.refresh_from_db()
    assert without.state != AttemptState.IN_PROGRESS
    assert with_time.state == AttemptState.IN_PROGRESS

    assert attempts_sweep(now=NOW + 81 * MINUTE) == 1
    with_time.refresh_from_db()
    assert with_time.state != AttemptState.IN_PROGRESS
    assert with_time.submitted_at == NOW + 80 * MINUTE


def test_answers_are_saved_within_the_extra_time_and_refused_after_its_grace(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    _grant(exam, officer, extra_minutes=20)
    item = _first_item(attempt)

    saved = answer_save(
        attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=1, now=NOW + 75 * MINUTE
    )
    assert saved.saved
    # Inside the grace period after the new deadline: still accepted.
    answer_save(
        attempt=attempt,
        item_id=item.pk,
        response=correct_response(item),
        client_seq=2,
        now=NOW + 80 * MINUTE + datetime.timedelta(seconds=20),
    )
    with pytest.raises(DeliveryError) as late:
        answer_save(
            attempt=attempt,
            item_id=item.pk,
            response=correct_response(item),
            client_seq=3,
            now=NOW + 80 * MINUTE + datetime.timedelta(seconds=31),
        )
    assert late.value.code == "too_late"
    attempt.refresh_from_db()
    assert attempt.state != AttemptState.IN_PROGRESS
    assert attempt.submitted_at == NOW + 80 * MINUTE


# --- the start checks ---------------------------------------------------------------------------


def test_an_own_window_lets_the_officer_start_after_the_exam_closed(blueprint, officer, squad_officer):
    exam = published_exam(
        blueprint,
        officer,
        squad_officer,
        now=NOW,
        opens_at=NOW - datetime.timedelta(hours=5),
        closes_at=NOW - datetime.timedelta(hours=1),
    )
    _grant(exam, officer, opens_at=NOW - 30 * MINUTE, closes_at=NOW + 40 * MINUTE)

    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    with pytest.raises(DeliveryError) as closed:
        attempt_start(exam=exam, officer=squad_officer, now=NOW)

    assert attempt.deadline == NOW + 40 * MINUTE  # capped by the own window's close
    assert closed.value.code == "closed"


def test_an_own_window_later_than_the_exam_keeps_the_officer_waiting(exam, officer):
    _grant(exam, officer, opens_at=NOW + datetime.timedelta(hours=1), closes_at=NOW + datetime.timedelta(hours=4))

    with pytest.raises(DeliveryError) as early:
        attempt_start(exam=exam, officer=officer, now=NOW)

    assert early.value.code == "not_open_yet"


def test_extra_time_without_an_own_window_moves_the_closing_time_on(blueprint, officer):
    exam = published_exam(blueprint, officer, now=NOW, closes_at=NOW + 30 * MINUTE)
    _grant(exam, officer, extra_minutes=20)

    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    assert attempt.deadline == NOW + 50 * MINUTE


def test_extra_attempts_let_the_officer_sit_again(exam, officer):
    attempt_submit(attempt=attempt_start(exam=exam, officer=officer, now=NOW), actor=officer, now=NOW + MINUTE)
    with pytest.raises(DeliveryError) as used_up:
        attempt_start(exam=exam, officer=officer, now=NOW + 2 * MINUTE)
    assert used_up.value.code == "no_attempts_left"

    _grant(exam, officer, extra_attempts=1)
    second = attempt_start(exam=exam, officer=officer, now=NOW + 2 * MINUTE)
    attempt_submit(attempt=second, actor=officer, now=NOW + 3 * MINUTE)

    assert second.number == 2
    with pytest.raises(DeliveryError):
        attempt_start(exam=exam, officer=officer, now=NOW + 4 * MINUTE)


def test_my_exams_uses_the_officers_own_terms(blueprint, officer):
    closed = published_exam(
        blueprint,
        officer,
        now=NOW,
        title="补考",
        opens_at=NOW - datetime.timedelta(hours=5),
        closes_at=NOW - datetime.timedelta(hours=1),
    )
    _grant(closed, officer, opens_at=NOW - 30 * MINUTE, closes_at=NOW + 40 * MINUTE, extra_minutes=15)

    groups = my_exams(officer, now=NOW)

    (row,) = groups.open
    assert row.exam == closed
    assert row.can_start
    assert row.terms.duration_minutes == 75
    assert row.terms.closes_at == NOW + 40 * MINUTE


# --- the officer's pages --------------------------------------------------------------------------


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_my_exams_shows_the_accommodation_and_the_room_rules(officer_client, exam, officer):
    Exam.objects.filter(pk=exam.pk).update(room_password="8521", allowed_networks="10.0.0.0/8", single_device=True)
    _grant(exam, officer, extra_minutes=20, extra_attempts=1)

    page = officer_client.get(reverse("exams:my_exams")).content.decode()

    assert "20 extra minutes" in page
    assert "1 extra attempt" in page
    assert "80 minutes" in page
    assert "Must be taken on the exam room's network" in page
    assert "A room password is needed to start" in page
    assert "One device at a time" in page
    assert "8521" not in page


def test_my_exams_lists_an_exemption_with_its_reason_and_no_start(officer_client, exam, officer, trainer):
    ExamExemption.objects.create(
        exam=exam, officer=officer, reason=ExemptionReason.INJURY, note="住院治疗", created_by=trainer
    )

    page = officer_client.get(reverse("exams:my_exams")).content.decode()

    assert 'id="exams-exempted-section"' in page
    section = page.split('id="exams-exempted-section"')[1]
    assert "Injury or illness" in section
    assert "住院治疗" in section
    assert reverse("exams:exam_start", args=[exam.pk]) not in page

    start = officer_client.get(reverse("exams:exam_start", args=[exam.pk])).content.decode()
    assert "You are exempted from this exam." in start
    assert "住院治疗" in start
    assert "take-start-button" not in start


def test_an_exemption_from_an_exam_for_somebody_else_is_not_shown(officer_client, blueprint, officer, outsider):
    other = published_exam(blueprint, outsider, now=NOW)
    ExamExemption.objects.create(exam=other, officer=officer, reason=ExemptionReason.LEAVE)

    assert my_exams(officer, now=NOW).exempted == []


def test_the_start_page_shows_the_own_terms_and_a_password_field(officer_client, exam, officer):
    Exam.objects.filter(pk=exam.pk).update(room_password="8521")
    _grant(exam, officer, extra_percent=50, extra_attempts=1)

    page = officer_client.get(reverse("exams:exam_start", args=[exam.pk])).content.decode()

    assert "90 minutes" in page
    assert "0 of 2 used" in page
    assert "50 percent extra time" in page
    assert 'name="room_password"' in page
    assert "8521" not in page


def test_a_wrong_room_password_is_refused_and_starts_nothing(officer_client, exam, officer):
    Exam.objects.filter(pk=exam.pk).update(room_password="8521")
    url = reverse("exams:exam_start", args=[exam.pk])

    refused = officer_client.post(url, {"room_password": "1234"}, follow=True)

    assert "The exam-room password is not correct" in refused.content.decode()
    assert not Attempt.objects.exists()
    started = officer_client.post(url, {"room_password": " 8521 "})
    attempt = Attempt.objects.get()
    assert started["Location"] == reverse("exams:attempt_take", args=[attempt.pk])


def test_after_five_wrong_room_passwords_even_the_right_one_waits_and_each_try_is_audited(
    officer_client, exam, officer
):
    Exam.objects.filter(pk=exam.pk).update(room_password="8521")
    url = reverse("exams:exam_start", args=[exam.pk])
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        officer_client.post(url, {"room_password": guess})

    waited = officer_client.post(url, {"room_password": "8521"}, follow=True)

    assert "Wait 5 minutes" in waited.content.decode()
    assert not Attempt.objects.exists()
    assert AuditEntry.objects.filter(action="exams.attempt.room_password_refused", actor=officer).count() == 5


def test_outside_the_allowed_networks_the_start_page_refuses_before_trying(officer_client, exam):
    Exam.objects.filter(pk=exam.pk).update(allowed_networks="10.0.0.0/8")
    url = reverse("exams:exam_start", args=[exam.pk])

    outside = officer_client.get(url, REMOTE_ADDR="192.168.3.4").content.decode()
    inside = officer_client.get(url, REMOTE_ADDR="10.1.2.3").content.decode()

    assert "not on it" in outside
    assert "192.168.3.4" in outside
    assert "take-start-button" not in outside
    assert "take-start-button" in inside
    assert officer_client.post(url, REMOTE_ADDR="192.168.3.4").status_code == 302
    assert not Attempt.objects.exists()


# --- the trainers' pages ------------------------------------------------------------------------


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _grant_data(**overrides) -> dict:
    return {
        "officers": "",
        "extra_minutes": "",
        "extra_percent": "",
        "opens_at": "",
        "closes_at": "",
        "extra_attempts": "",
        "reason": "医院证明",
        **overrides,
    }


def test_a_trainer_grants_to_a_list_of_police_numbers(trainer_client, exam, officer, squad_officer):
    url = reverse("exams:exam_accommodations", args=[exam.pk])
    numbers = f"{officer.police_number}，{squad_officer.police_number}\n"

    response = trainer_client.post(url, _grant_data(officers=numbers, extra_minutes="15"))

    assert response.status_code == 302
    assert set(ExamAccommodation.objects.values_list("officer__police_number", "extra_minutes")) == {
        (officer.police_number, 15),
        (squad_officer.police_number, 15),
    }
    page = trainer_client.get(url).content.decode()
    assert f'data-accommodation="{officer.police_number}"' in page
    assert "15 extra minutes" in page
    detail = trainer_client.get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert url in detail
    assert '<span class="badge">2</span>' in detail.split('id="exam-accommodations-link"')[1][:300]


def test_a_refused_grant_names_the_numbers_and_keeps_what_was_typed(trainer_client, exam, officer, outsider):
    url = reverse("exams:exam_accommodations", args=[exam.pk])

    unknown = trainer_client.post(url, _grant_data(officers=f"{officer.police_number} 999999", extra_minutes="15"))
    outside = trainer_client.post(
        url, _grant_data(officers=f"{officer.police_number} {outsider.police_number}", extra_minutes="15")
    )
    both = trainer_client.post(url, _grant_data(officers=officer.police_number, extra_minutes="15", extra_percent="20"))

    assert unknown.status_code == 400
    assert "999999" in unknown.content.decode()
    assert 'value="15"' in unknown.content.decode()
    assert outside.status_code == 400
    assert outsider.police_number in outside.content.decode()
    assert "nothing was saved" in outside.content.decode()
    assert both.status_code == 400
    assert "not both" in both.content.decode()
    assert not ExamAccommodation.objects.exists()


def test_a_trainer_edits_and_removes_an_accommodation(trainer_client, exam, officer):
    _grant(exam, officer, extra_minutes=10)
    edit_url = reverse("exams:exam_accommodation_edit", args=[exam.pk, officer.pk])

    form = trainer_client.get(edit_url)
    assert form.status_code == 200
    assert 'value="10"' in form.content.decode()
    saved = trainer_client.post(edit_url, _grant_data(extra_minutes="", extra_percent="25", reason="改为按比例"))
    assert saved.status_code == 302
    accommodation = ExamAccommodation.objects.get()
    assert (accommodation.extra_minutes, accommodation.extra_percent, accommodation.reason) == (0, 25, "改为按比例")

    trainer_client.post(reverse("exams:exam_accommodation_remove", args=[exam.pk, officer.pk]))
    assert not ExamAccommodation.objects.exists()
    assert trainer_client.get(edit_url).status_code == 404


def test_only_training_staff_reach_the_accommodation_pages(client, exam, officer):
    client.force_login(officer)

    assert client.get(reverse("exams:exam_accommodations", args=[exam.pk])).status_code == 403
    assert (
        client.post(
            reverse("exams:exam_accommodations", args=[exam.pk]),
            _grant_data(officers=officer.police_number, extra_minutes="30"),
        ).status_code
        == 403
    )
    assert not ExamAccommodation.objects.exists()


def test_a_practice_exam_has_no_accommodation_page(trainer_client, blueprint, officer):
    practice = published_exam(blueprint, now=NOW, practice_for=officer)

    assert trainer_client.get(reverse("exams:exam_accommodations", args=[practice.pk])).status_code == 404


# --- exam-room rules in the exam form ---------------------------------------------------------------


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _exam_form(blueprint, officer, **overrides) -> dict:
    return {
        "title": "四月执法考试",
        "kind": ExamKind.FORMAL,
        "tier": "basic",
        "description": "",
        "blueprint": str(blueprint.pk),
        "fixed_paper": "",
        "layout": "one_question",
        "opens_at": _local(NOW + datetime.timedelta(days=1)),
        "closes_at": _local(NOW + datetime.timedelta(days=2)),
        "duration_minutes": "60",
        "attempts_allowed": "1",
        "counts": "highest",
        "pass_mark": "60",
        "grace_seconds": "30",
        "release_rule": "after_grading",
        "review_rule": "explanations",
        "blind_grading": "on",
        "audience_officers": officer.police_number,
        **overrides,
    }


def _checked(page: str, name: str) -> bool:
    """Whether the checkbox ``name`` is ticked in the page."""
    before, after = page.split(f'name="{name}"', 1)
    return "checked" in before.rsplit("<input", 1)[1] + after.split(">", 1)[0]


def test_the_new_exam_form_has_the_strict_rules_ticked(trainer_client):
    page = trainer_client.get(reverse("exams:exam_create")).content.decode()

    assert 'id="exam-rules-fieldset"' in page
    assert all(_checked(page, name) for name in ("track_focus", "single_device", "prevent_copy"))
    assert "exams/exam_form.js" in page


def test_the_exam_form_saves_the_rules_and_the_page_shows_the_password(trainer_client, blueprint, officer):
    data = _exam_form(
        blueprint,
        officer,
        track_focus="on",
        focus_warn_after="2",
        focus_submit_after="5",
        room_password="8521",
        allowed_networks="10.12.0.0/16\n10.13.1.5",
        single_device="on",
    )

    response = trainer_client.post(reverse("exams:exam_create"), data)

    exam = Exam.objects.get()
    assert response.status_code == 302
    assert (exam.track_focus, exam.focus_warn_after, exam.focus_submit_after) == (True, 2, 5)
    assert (exam.room_password, exam.single_device, exam.prevent_copy) == ("8521", True, False)
    assert exam.allowed_networks == "10.12.0.0/16\n10.13.1.5/32"
    detail = trainer_client.get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert 'id="exam-room-password">8521<' in detail
    assert "10.12.0.0/16" in detail


def test_the_edit_form_passes_the_rules_explicitly(trainer_client, blueprint, officer):
    trainer_client.post(
        reverse("exams:exam_create"), _exam_form(blueprint, officer, track_focus="on", prevent_copy="on")
    )
    exam = Exam.objects.get()
    edit_url = reverse("exams:exam_edit", args=[exam.pk])
    form = trainer_client.get(edit_url).content.decode()
    assert _checked(form, "track_focus")
    assert not _checked(form, "single_device")

    trainer_client.post(edit_url, _exam_form(blueprint, officer, prevent_copy="on"))

    exam.refresh_from_db()
    assert (exam.track_focus, exam.single_device, exam.prevent_copy) == (False, False, True)


def test_bad_rules_show_on_their_fields_and_keep_what_was_typed(trainer_client, blueprint, officer):
    data = _exam_form(
        blueprint,
        officer,
        track_focus="on",
        focus_warn_after="3",
        focus_submit_after="3",
        allowed_networks="10.12.0.0/16\n机房网络",
        room_password="8521",
    )

    response = trainer_client.post(reverse("exams:exam_create"), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert not Exam.objects.exists()
    assert "“机房网络” is not a network" in page
    assert 'id="id_allowed_networks_error"' in page
    assert 'id="id_focus_submit_after_error"' in page
    assert "must come after the warning" in page
    assert "10.12.0.0/16\n机房网络" in page
    assert 'value="8521"' in page


def test_new_exam_of_a_practice_kind_keeps_what_the_form_sent(trainer_client, blueprint, officer):
    trainer_client.post(reverse("exams:exam_create"), _exam_form(blueprint, officer, kind=ExamKind.PRACTICE))

    exam = Exam.objects.get()
    assert (exam.track_focus, exam.single_device, exam.prevent_copy) == (False, False, False)


def test_a_new_officer_accommodation_only_for_examinees_even_with_one_number(trainer_client, exam):
    stranger = UserFactory(police_number="300777")

    response = trainer_client.post(
        reverse("exams:exam_accommodations", args=[exam.pk]), _grant_data(officers="300777", extra_minutes="5")
    )

    assert response.status_code == 400
    assert stranger.police_number in response.content.decode()
    assert not ExamAccommodation.objects.exists()
