"""Overdue lists: unit leaders see their units, HR sees everyone; seconded and departed officers,
finished officers, and assignments not yet due or closed are not listed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from courses.models import StudyAssignment
from courses.selectors import overdue_for
from courses.services import assignment_close
from people.models import Category, OfficerStatus
from people.services import officer_status_change
from tests.courses.conftest import assign, learn, make_course, make_lesson
from tests.factories import UserFactory


def _past_due(assignment: StudyAssignment, days: int = 3) -> StudyAssignment:
    """Assignments cannot be created with a past due date; move the date back afterwards."""
    StudyAssignment.objects.filter(pk=assignment.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=days)
    )
    assignment.refresh_from_db()
    return assignment


@pytest.fixture
def overdue_world(
    branch, station, squad, officer, auxiliary, squad_officer, unit_leader, hr, outsider, trainer, study_course
):
    """The whole branch was due to learn the injury-case course three days ago."""
    course, lessons = study_course
    seconded = UserFactory(police_number="200030", name="借调民警", unit=station)
    departed = UserFactory(police_number="200031", name="离职民警", unit=station)
    assignment = _past_due(assign(course, by=trainer, units_with_subtree=[branch]))
    for lesson in lessons:
        learn(auxiliary, lesson)  # finished on time
    learn(officer, lessons[0])  # one of three
    officer_status_change(actor=hr, officer=seconded, to_status=OfficerStatus.SECONDED, reason="借调")
    officer_status_change(actor=hr, officer=departed, to_status=OfficerStatus.LEFT, reason="调离")
    return assignment


def _numbers(rows) -> set[str]:
    return {row.officer.police_number for row in rows}


def test_unit_leader_sees_the_overdue_officers_of_their_units_only(overdue_world, unit_leader):
    rows = overdue_for(unit_leader)

    # 张伟 (1 of 3), 王强 in the squad below, and the leader himself; not the auxiliary who finished,
    # not the seconded or departed officers, not 周杰 of 治安大队 or 孙丽 of 政治处.
    assert _numbers(rows) == {"200001", "200003", "200010"}
    by_number = {row.officer.police_number: row for row in rows}
    assert (by_number["200001"].learned, by_number["200001"].total, by_number["200001"].days_overdue) == (1, 3, 3)


def test_hr_sees_every_overdue_officer_of_the_branch(overdue_world, hr):
    rows = overdue_for(hr)

    assert _numbers(rows) == {"200001", "200003", "200010", "400001", "500001", "300001"}
    assert not {"F200002", "200030", "200031"} & _numbers(rows)


def test_officers_who_come_back_from_secondment_are_overdue_again(overdue_world, hr):
    seconded = UserFactory._meta.model.objects.get(police_number="200030")

    officer_status_change(actor=hr, officer=seconded, to_status=OfficerStatus.ACTIVE, reason="借调结束")

    assert "200030" in _numbers(overdue_for(hr))


def test_assignments_not_yet_due_or_closed_are_not_overdue(overdue_world, hr, trainer, course_index, station):
    later = make_course(course_index, "电子组卷规范")
    make_lesson(later, "第一课")
    assign(later, by=trainer, units_with_subtree=[station])  # due in two weeks
    assert {row.assignment.pk for row in overdue_for(hr)} == {overdue_world.pk}

    assignment_close(actor=trainer, assignment=overdue_world)

    assert overdue_for(hr) == []


def test_overdue_filters_narrow_by_unit_category_and_name(overdue_world, hr, squad, station):
    assert _numbers(overdue_for(hr, unit=squad)) == {"200003"}
    assert _numbers(overdue_for(hr, query="张伟")) == {"200001"}
    assert _numbers(overdue_for(hr, category=Category.AUXILIARY)) == set()
    assert _numbers(overdue_for(hr, assignment=overdue_world, unit=station)) == {"200001", "200003", "200010"}


def test_the_overdue_page_shows_the_viewers_scope(client, overdue_world, unit_leader, hr, officer, squad):
    client.force_login(unit_leader)
    html = client.get("/courses/overdue/").content.decode()
    assert 'data-officer="200001"' in html and 'data-officer="200003"' in html
    assert 'data-officer="500001"' not in html and 'data-officer="200030"' not in html

    client.force_login(hr)
    html = client.get("/courses/overdue/").content.decode()
    assert 'data-officer="500001"' in html and 'data-officer="200031"' not in html
    filtered = client.get("/courses/overdue/", {"unit": squad.pk}).content.decode()
    assert 'data-officer="200003"' in filtered and 'data-officer="200001"' not in filtered

    client.force_login(officer)
    assert client.get("/courses/overdue/").status_code == 403


def test_the_overdue_list_downloads_as_excel_with_the_same_rows(client, overdue_world, unit_leader):
    import io

    from openpyxl import load_workbook

    client.force_login(unit_leader)

    response = client.get("/courses/overdue/", {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {"200001", "200003", "200010"}
