"""Study assignment and discussion notifications are stored as keys and read in the reader's
language: one sent while Chinese was active reads English to an officer who picked English, and
the other way round; the trainer's note and the discussion's place stay as typed."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from courses.models import DiscussionStatus
from courses.services import discussion_create
from courses.services.assignments import assignment_notify_created
from courses.services.discussions import discussion_notify_invitees
from people.models.audience import AudienceSpec
from tests.courses.conftest import assign

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 3, 15)
ENGLISH = [
    "New study assignment: ",
    "Learn every lesson of",
    "You have learned 0 of",
    "March 15, 2030",
    "Study discussion: 伤害案件办理清单专题学习讨论",
    "You are invited:",
    "Study discussion cancelled: 伤害案件办理清单专题学习讨论",
    "will not take place.",
]
CHINESE = [
    "新的学习任务：",
    "请在 2030年3月15日 前学完",
    "学习讨论：伤害案件办理清单专题学习讨论",
    "请您参加：",
    "学习讨论已取消：伤害案件办理清单专题学习讨论",
    "举行的学习讨论取消。",
]
TYPED = ["请结合本所案例学习", "分局三楼会议室"]


def _send_every_course_notification(trainer, station, study_course):
    course, lessons = study_course
    assignment = assign(course, by=trainer, units_only=[station], due_date=DUE, note="请结合本所案例学习")
    assignment_notify_created(assignment=assignment)
    discussion = discussion_create(
        actor=trainer,
        topic="伤害案件办理清单专题学习讨论",
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
        place="分局三楼会议室",
        audience=AudienceSpec(units_only=(station,)),
        lessons=lessons[:2],
    )
    discussion_notify_invitees(discussion=discussion)
    discussion.status = DiscussionStatus.CANCELLED
    discussion_notify_invitees(discussion=discussion)
    return discussion


@pytest.mark.parametrize(
    ("sent_in", "read_in", "expected", "absent"),
    [("zh-hans", "en", ENGLISH, CHINESE), ("en", "zh-hans", CHINESE, ENGLISH)],
)
def test_course_notifications_read_in_the_readers_language(
    client, trainer, station, officer, study_course, sent_in, read_in, expected, absent
):
    with translation.override(sent_in):
        discussion = _send_every_course_notification(trainer, station, study_course)

    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = read_in
    page = client.get(reverse("portal:notifications")).content.decode()

    for words in expected + TYPED:
        assert words in page
    for words in absent:
        assert words not in page
    with translation.override(read_in):
        start = formats.date_format(timezone.localtime(discussion.starts_at), "DATETIME_FORMAT")
    assert start in page
