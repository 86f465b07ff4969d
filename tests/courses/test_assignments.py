"""Study assignments: trainers assign through portal pages, bad input writes nothing, officers see
their assignments with progress on 我的学习 and 我的待办, reminders go out once per kind."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from courses.models import AssignmentReminder, AssignmentStatus, StudyAssignment
from courses.selectors import assignments_for_officer
from courses.services import assignment_close, assignment_reminders_send
from people.models import Category, OfficerStatus
from people.services import officer_status_change
from portal.models import AuditEntry, Notification
from portal.selectors import dashboard_for
from tests.courses.conftest import assign, learn, make_course

CREATE_URL = "/courses/manage/assignments/new/"


def _form(course, *, due: datetime.date, **extra) -> dict:
    return {"course": course.pk, "due_date": due.isoformat(), "note": "", **extra}


def _today() -> datetime.date:
    return timezone.localdate()


def test_trainer_assigns_a_course_through_the_portal(client, trainer, station, officer, squad_officer, study_course):
    course, _lessons = study_course
    client.force_login(trainer)
    assert client.get(CREATE_URL).status_code == 200

    response = client.post(
        CREATE_URL,
        _form(
            course, due=_today() + datetime.timedelta(days=10), audience_units_subtree=[station.pk], note="周五前完成"
        ),
    )

    assignment = StudyAssignment.objects.get()
    assert response.status_code == 302 and response.url == f"/courses/manage/assignments/{assignment.pk}/"
    assert assignment.course.pk == course.pk and assignment.created_by == trainer and assignment.note == "周五前完成"
    assert list(assignment.audience_units_subtree.all()) == [station]
    assert AuditEntry.objects.filter(action="courses.assignment.created").count() == 1
    detail = client.get(response.url).content.decode()
    assert 'data-officer="200001"' in detail and 'data-officer="200003"' in detail


def test_new_assignment_notifies_the_audience(
    trainer, station, officer, outsider, study_course, django_capture_on_commit_callbacks
):
    course, _lessons = study_course

    with django_capture_on_commit_callbacks(execute=True):
        assign(course, by=trainer, units_only=[station])

    assert Notification.objects.filter(recipient=officer, kind="courses.assignment.new").count() == 1
    assert not Notification.objects.filter(recipient=outsider).exists()


@pytest.mark.parametrize(
    ("case", "expected_field"),
    [("no_audience", None), ("past_due", "due_date"), ("draft_course", "course")],
)
def test_bad_assignments_get_a_clear_message_and_write_nothing(
    client, trainer, station, course_index, study_course, case, expected_field
):
    course, _lessons = study_course
    due = _today() + datetime.timedelta(days=7)
    data = _form(course, due=due, audience_units_subtree=[station.pk])
    if case == "no_audience":
        data = _form(course, due=due)
    elif case == "past_due":
        data["due_date"] = (_today() - datetime.timedelta(days=1)).isoformat()
    else:
        draft = course_index.add_child(
            instance=type(course)(title="电子组卷规范", summary="草稿", audiences=["all"], live=False)
        )
        data["course"] = draft.pk
    client.force_login(trainer)

    response = client.post(CREATE_URL, data)

    assert response.status_code == 200  # the form again, with the message
    form = response.context["form"]
    errors = form.errors.get(expected_field or "__all__")
    assert errors, form.errors
    assert not StudyAssignment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="courses.assignment").exists()
    html = response.content.decode()
    assert str(errors[0]) in html


def test_an_unknown_police_number_is_named_in_the_message(client, trainer, study_course):
    course, _lessons = study_course
    client.force_login(trainer)

    response = client.post(
        CREATE_URL, _form(course, due=_today() + datetime.timedelta(days=3), audience_officers="200001 999999")
    )

    assert "999999" in str(response.context["form"].errors["audience_officers"])
    assert not StudyAssignment.objects.exists()


def test_a_double_submitted_form_creates_one_assignment(client, trainer, station, study_course):
    course, _lessons = study_course
    client.force_login(trainer)
    key = "5b0e4c2a-3f55-4b8e-9d43-6c3e8f1f2a10"
    data = _form(
        course, due=_today() + datetime.timedelta(days=7), audience_units_only=[station.pk], submission_key=key
    )

    client.post(CREATE_URL, data)
    client.post(CREATE_URL, data)

    assert StudyAssignment.objects.count() == 1


def test_officers_cannot_manage_assignments(client, officer, unit_leader, hr, trainer, study_course):
    course, _lessons = study_course
    assignment = assign(course, by=trainer, categories=[Category.OFFICER])
    for person in (officer, unit_leader, hr):
        client.force_login(person)
        assert client.get(CREATE_URL).status_code == 403
        assert client.get(f"/courses/manage/assignments/{assignment.pk}/").status_code == 403
        assert client.get("/courses/manage/assignments/").status_code == 403


def test_my_study_shows_each_assigned_course_with_progress_and_due_date(
    client, officer, trainer, station, study_course
):
    course, (first, *_rest) = study_course
    due = _today() + datetime.timedelta(days=10)
    assign(course, by=trainer, units_with_subtree=[station], due_date=due)
    learn(officer, first)
    client.force_login(officer)

    response = client.get("/courses/my/")

    assert response.status_code == 200
    [row] = response.context["pending"]
    assert (row.course.pk, row.progress.learned, row.progress.total, row.due_date) == (course.pk, 1, 3, due)
    html = response.content.decode()
    assert course.title in html and due.isoformat() in html
    assert "受案登记" in html  # the learning record


def test_the_dashboard_lists_unfinished_assignments_and_marks_urgent_ones(officer, trainer, station, course_index):
    soon = make_course(course_index, "接处警规范")
    later = make_course(course_index, "电子组卷规范")
    overdue = make_course(course_index, "辅警信息化操作")
    from tests.courses.conftest import make_lesson

    for course in (soon, later, overdue):
        make_lesson(course, "第一课", min_read_seconds=1)
    assign(soon, by=trainer, units_only=[station], due_date=_today() + datetime.timedelta(days=2))
    assign(later, by=trainer, units_only=[station], due_date=_today() + datetime.timedelta(days=20))
    late = assign(overdue, by=trainer, units_only=[station], due_date=_today() + datetime.timedelta(days=1))
    StudyAssignment.objects.filter(pk=late.pk).update(due_date=_today() - datetime.timedelta(days=4))

    [section] = [s for s in dashboard_for(officer) if s.key == "courses.assignments"]

    assert [(item.title, item.urgent) for item in section.items] == [
        ("辅警信息化操作", True),
        ("接处警规范", True),
        ("电子组卷规范", False),
    ]


def test_finished_and_closed_assignments_leave_the_dashboard(officer, trainer, station, study_course):
    course, lessons = study_course
    assignment = assign(course, by=trainer, units_only=[station])
    for lesson in lessons:
        learn(officer, lesson)

    assert not [s for s in dashboard_for(officer) if s.key == "courses.assignments"]
    assert assignments_for_officer(officer)[0].is_complete
    assignment_close(actor=trainer, assignment=assignment)
    assert assignments_for_officer(officer) == []
    assert StudyAssignment.objects.get().status == AssignmentStatus.CLOSED


def test_seconded_officers_drop_out_of_open_assignments_but_keep_their_history(
    client, officer, hr, trainer, station, study_course
):
    course, (first, *_rest) = study_course
    assign(course, by=trainer, units_only=[station])
    learn(officer, first)

    officer_status_change(actor=hr, officer=officer, to_status=OfficerStatus.SECONDED, reason="借调市局")
    officer.refresh_from_db()

    assert assignments_for_officer(officer) == []
    client.force_login(officer)
    html = client.get("/courses/my/").content.decode()
    assert "受案登记" in html  # still in "my learning record"


def _remind(day: datetime.date) -> int:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    return assignment_reminders_send(now=moment)


def test_reminders_go_out_three_days_before_and_on_the_due_date_once_each(
    officer, auxiliary, unit_leader, squad_officer, trainer, station, study_course
):
    course, lessons = study_course
    due = _today() + datetime.timedelta(days=5)
    assign(course, by=trainer, units_only=[station], due_date=due)
    for lesson in lessons:
        learn(auxiliary, lesson)  # finished: no reminders

    assert _remind(due - datetime.timedelta(days=4)) == 0  # too early
    assert _remind(due - datetime.timedelta(days=3)) == 2  # officer and unit leader; the auxiliary finished
    assert _remind(due - datetime.timedelta(days=2)) == 0  # already sent
    assert _remind(due) == 2
    assert _remind(due) == 0  # a rerun sends nothing twice
    assert _remind(due + datetime.timedelta(days=1)) == 0  # overdue: no more reminders

    kinds = sorted(AssignmentReminder.objects.filter(officer=officer).values_list("kind", flat=True))
    assert kinds == ["before_due", "due_today"]
    titles = list(Notification.objects.filter(recipient=officer).values_list("kind", "title"))
    assert [kind for kind, _title in titles].count("courses.assignment.due_today") == 1
    assert all(course.title in title for _kind, title in titles)
    assert not Notification.objects.filter(recipient=auxiliary).exists()
    assert not Notification.objects.filter(recipient=squad_officer).exists()  # the squad is below the station


def test_the_reminder_schedule_is_registered():
    from django_q.models import Schedule

    from courses.tasks import SCHEDULES

    [spec] = [spec for spec in SCHEDULES if spec.name == "courses.assignment_reminders"]
    assert spec.func == "courses.tasks.send_assignment_reminders"
    assert spec.schedule_type == Schedule.HOURLY
