"""Study discussions: scheduling, sign-in by the officer within the window or by the host from the
checklist, minutes, and the refusals that write nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses.models import DiscussionAttendance, SignInMethod, StudyDiscussion
from courses.services import discussion_attendance_set, discussion_create, discussion_sign_in
from people.models.audience import AudienceSpec, Position
from portal.models import AuditEntry, Notification

CREATE_URL = "/courses/discussions/new/"


def _at(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def _local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def discussion(trainer, station, study_course) -> StudyDiscussion:
    """伤害案件 discussion for 北山派出所 (without its squads), starting in an hour for 90 minutes."""
    _course, lessons = study_course
    return discussion_create(
        actor=trainer,
        topic="伤害案件办理清单专题学习讨论",
        starts_at=_at(60),
        ends_at=_at(150),
        place="分局三楼会议室",
        audience=AudienceSpec(units_only=(station,)),
        lessons=lessons[:2],
    )


def test_trainer_schedules_a_discussion_and_invitees_are_notified(
    client, trainer, station, officer, outsider, study_course, django_capture_on_commit_callbacks
):
    _course, lessons = study_course
    client.force_login(trainer)
    assert client.get(CREATE_URL).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CREATE_URL,
            {
                "topic": "接处警规范学习讨论",
                "starts_at": _local_input(_at(24 * 60)),
                "ends_at": _local_input(_at(25 * 60)),
                "place": "北山派出所会议室",
                "lessons": [lessons[0].pk],
                "audience_units_subtree": [station.pk],
            },
        )

    discussion = StudyDiscussion.objects.get()
    assert response.status_code == 302 and response.url == f"/courses/discussions/{discussion.pk}/"
    assert discussion.host == trainer and list(discussion.lessons.all()) == [lessons[0]]
    assert Notification.objects.filter(recipient=officer, kind="courses.discussion.invited").exists()
    assert not Notification.objects.filter(recipient=outsider).exists()


@pytest.mark.parametrize("case", ["no_audience", "ends_before_start", "in_past", "no_topic"])
def test_bad_discussions_get_a_clear_message_and_write_nothing(client, trainer, station, case):
    data = {
        "topic": "电子组卷规范讨论",
        "starts_at": _local_input(_at(60)),
        "ends_at": _local_input(_at(120)),
        "place": "会议室",
        "audience_units_only": [station.pk],
    }
    if case == "no_audience":
        del data["audience_units_only"]
    elif case == "ends_before_start":
        data["ends_at"] = _local_input(_at(30))
    elif case == "in_past":
        data["starts_at"], data["ends_at"] = _local_input(_at(-180)), _local_input(_at(-120))
    else:
        data["topic"] = ""
    client.force_login(trainer)

    response = client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not StudyDiscussion.objects.exists()


def test_an_invited_officer_signs_in_within_the_window_once(client, officer, discussion):
    client.force_login(officer)
    page = client.get(f"/courses/discussions/{discussion.pk}/").content.decode()
    assert 'data-action="sign-in"' not in page  # too early: no button yet

    StudyDiscussion.objects.filter(pk=discussion.pk).update(starts_at=_at(10), ends_at=_at(100))
    page = client.get(f"/courses/discussions/{discussion.pk}/").content.decode()
    assert 'data-action="sign-in"' in page
    client.post(f"/courses/discussions/{discussion.pk}/sign-in/")
    client.post(f"/courses/discussions/{discussion.pk}/sign-in/")

    attendance = DiscussionAttendance.objects.get()
    assert (attendance.officer, attendance.signed_in_by, attendance.method) == (officer, officer, SignInMethod.SELF)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(16, 100, "too_early"), (-120, -1, "too_late")],
)
def test_signing_in_outside_the_window_is_refused_with_a_clear_message(client, officer, discussion, start, end, code):
    StudyDiscussion.objects.filter(pk=discussion.pk).update(starts_at=_at(start), ends_at=_at(end))
    discussion.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        discussion_sign_in(officer=officer, discussion=discussion)
    assert refused.value.code == code

    client.force_login(officer)
    response = client.post(f"/courses/discussions/{discussion.pk}/sign-in/", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [refused.value.messages[0]]
    assert (
        timezone.localtime(discussion.self_sign_in_opens_at if code == "too_early" else discussion.ends_at).strftime(
            "%H:%M"
        )
        in messages[0]
    )
    assert not DiscussionAttendance.objects.exists()


def test_an_uninvited_officer_cannot_sign_in_and_is_told_why(client, outsider, squad_officer, discussion):
    StudyDiscussion.objects.filter(pk=discussion.pk).update(starts_at=_at(-5), ends_at=_at(60))

    for person in (outsider, squad_officer):  # another unit; a squad below a unit invited without its squads
        client.force_login(person)
        response = client.post(f"/courses/discussions/{discussion.pk}/sign-in/", follow=True)
        [message] = [str(m) for m in response.context["messages"]]
        assert response.redirect_chain[-1][0] == "/courses/discussions/"
        assert message
        assert client.get(f"/courses/discussions/{discussion.pk}/").status_code == 404

    assert not DiscussionAttendance.objects.exists()
    assert not AuditEntry.objects.filter(action="courses.discussion.signed_in").exists()


def test_the_host_signs_in_invitees_from_the_checklist_and_can_correct_it(
    client, trainer, officer, auxiliary, unit_leader, discussion
):
    StudyDiscussion.objects.filter(pk=discussion.pk).update(starts_at=_at(-30), ends_at=_at(60))
    client.force_login(trainer)
    page = client.get(f"/courses/discussions/{discussion.pk}/").content.decode()
    for person in (officer, auxiliary, unit_leader):
        assert f'data-officer="{person.police_number}"' in page

    client.post(f"/courses/discussions/{discussion.pk}/attendance/", {"officers": [officer.pk, auxiliary.pk]})
    rows = {row.officer_id: row for row in DiscussionAttendance.objects.all()}
    assert set(rows) == {officer.pk, auxiliary.pk}
    assert rows[officer.pk].signed_in_by == trainer and rows[officer.pk].method == SignInMethod.HOST

    client.post(f"/courses/discussions/{discussion.pk}/attendance/", {"officers": [officer.pk]})
    assert set(DiscussionAttendance.objects.values_list("officer_id", flat=True)) == {officer.pk}
    assert AuditEntry.objects.filter(action="courses.discussion.attendance_recorded").count() == 2


def test_the_host_cannot_sign_in_someone_not_invited_or_before_the_start(trainer, officer, outsider, discussion):
    with pytest.raises(ValidationError) as early:
        discussion_attendance_set(actor=trainer, discussion=discussion, officers=[officer])
    assert early.value.code == "host_too_early"

    StudyDiscussion.objects.filter(pk=discussion.pk).update(starts_at=_at(-30), ends_at=_at(60))
    discussion.refresh_from_db()
    with pytest.raises(ValidationError) as outside:
        discussion_attendance_set(actor=trainer, discussion=discussion, officers=[officer, outsider])
    assert outside.value.code == "host_not_invited" and outsider.name in outside.value.messages[0]
    assert not DiscussionAttendance.objects.exists()


def test_officers_cannot_run_the_checklist(client, officer, discussion):
    StudyDiscussion.objects.filter(pk=discussion.pk).update(starts_at=_at(-30), ends_at=_at(60))
    client.force_login(officer)

    response = client.post(f"/courses/discussions/{discussion.pk}/attendance/", {"officers": [officer.pk]})

    assert response.status_code == 404
    assert not DiscussionAttendance.objects.exists()


def test_minutes_are_attached_as_text_and_a_document_visible_to_attendees(
    client, trainer, officer, outsider, discussion
):
    client.force_login(trainer)
    client.post(
        f"/courses/discussions/{discussion.pk}/minutes/",
        {
            "minutes_text": "一、讨论了伤情鉴定委托时限。",
            "minutes_file": SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf"),
        },
    )
    discussion.refresh_from_db()
    assert discussion.minutes_text == "一、讨论了伤情鉴定委托时限。" and discussion.minutes_file

    client.force_login(officer)
    page = client.get(f"/courses/discussions/{discussion.pk}/").content.decode()
    assert "伤情鉴定委托时限" in page
    download = client.get(f"/courses/discussions/{discussion.pk}/minutes/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 minutes"

    client.force_login(outsider)
    assert client.get(f"/courses/discussions/{discussion.pk}/minutes/file/").status_code == 404


def test_empty_minutes_are_refused(client, trainer, discussion):
    client.force_login(trainer)

    response = client.post(f"/courses/discussions/{discussion.pk}/minutes/", {"minutes_text": "  "})

    assert response.status_code == 400
    discussion.refresh_from_db()
    assert not discussion.has_minutes


def test_invitees_see_upcoming_discussions_on_their_dashboard_and_list(client, officer, discussion):
    from portal.selectors import dashboard_for

    [section] = [s for s in dashboard_for(officer) if s.key == "courses.discussions"]
    assert [item.title for item in section.items] == ["伤害案件办理清单专题学习讨论"]
    client.force_login(officer)
    assert "伤害案件办理清单专题学习讨论" in client.get("/courses/discussions/").content.decode()
    assert "伤害案件办理清单专题学习讨论" in client.get("/courses/my/").content.decode()


def test_a_discussion_for_middle_leaders_invites_them_only(trainer, unit_leader, officer, legal_leader):
    discussion = discussion_create(
        actor=trainer,
        topic="中层领导法治讲座",
        starts_at=_at(-5),
        ends_at=_at(60),
        place="分局礼堂",
        audience=AudienceSpec(positions=(Position.MIDDLE_LEADER,)),
    )

    discussion_sign_in(officer=unit_leader, discussion=discussion)
    with pytest.raises(ValidationError):
        discussion_sign_in(officer=officer, discussion=discussion)
    assert list(DiscussionAttendance.objects.values_list("officer_id", flat=True)) == [unit_leader.pk]


def test_a_cancelled_discussion_tells_the_invitees_and_refuses_sign_in(
    client, trainer, officer, discussion, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/courses/discussions/{discussion.pk}/cancel/")

    discussion.refresh_from_db()
    assert discussion.is_cancelled
    assert Notification.objects.filter(recipient=officer, kind="courses.discussion.cancelled").exists()
    StudyDiscussion.objects.filter(pk=discussion.pk).update(starts_at=_at(-5), ends_at=_at(60))
    discussion.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        discussion_sign_in(officer=officer, discussion=discussion)
    assert refused.value.code == "cancelled"
    assert not DiscussionAttendance.objects.exists()
