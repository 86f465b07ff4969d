"""Exam notifications are stored as keys and read in the reader's language: one sent while Chinese
was active reads English to an officer who picked English, and the other way round — the
sentences, the outcome word, the reason for a change and the exam's times alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from exams import texts
from exams.services.exams import _notify
from exams.services.grading import _notify_changed, _notify_graded_held, _notify_released
from exams.services.sampling import _drawn_notification
from portal.services import notification_send
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, sit

pytestmark = pytest.mark.django_db

ENGLISH = [
    "You have an exam: 2026年度执法资格测试",
    "Exam open now: 2026年度执法资格测试",
    "minutes once you start.",
    "Exam result released: 2026年度执法资格测试",
    "(passed)",
    "Your paper has been graded: 2026年度执法资格测试",
    "Results are released after the exam closes at",
    "Your exam result has changed: 2026年度执法资格测试",
    "Your score changed from 55",
    "The answer key of a question was corrected: 原答案有误，应为B",
    "A short answer was regraded.",
    "You have been drawn for a random ability test: 2026年度执法资格测试",
    "Sit the test between",
]
CHINESE = [
    "您有一场考试：2026年度执法资格测试",
    "开始作答后限时 60 分钟",
    "考试成绩已公布：2026年度执法资格测试",
    "（及格）",
    "您的试卷已阅卷",
    "成绩将在考试于",
    "您的考试成绩已变更",
    "您的得分由 55",
    "一道试题的标准答案已更正：原答案有误，应为B",
    "已重新评阅一道简答题。",
    "您已被抽中参加执法能力随机测试",
    "请于",
]


def _send_every_exam_notification(officer):
    exam = published_exam(objective_blueprint(), officer, now=NOW)
    attempt = sit(exam, officer)
    attempt.score, attempt.passed = Decimal("85"), True
    _notify(exam, [officer], kind="assigned")
    _notify(exam, [officer], kind="opening")
    _notify_released(attempt)
    _notify_graded_held(attempt)
    _notify_changed(attempt, before=Decimal("55"), why=texts.KEY_CORRECTED(reason="原答案有误，应为B"))
    _notify_changed(attempt, before=Decimal("55"), why=texts.SHORT_ANSWER_REGRADED)
    title, body = _drawn_notification(exam)
    notification_send(recipient=officer, title=title, body=body, kind="exams.sampling.drawn")
    return exam


def _read(client, officer, language: str) -> str:
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("portal:notifications")).content.decode()


@pytest.mark.parametrize(
    ("sent_in", "read_in", "expected", "absent"),
    [("zh-hans", "en", ENGLISH, CHINESE), ("en", "zh-hans", CHINESE, ENGLISH)],
)
def test_exam_notifications_read_in_the_readers_language(client, officer, sent_in, read_in, expected, absent):
    with translation.override(sent_in):
        exam = _send_every_exam_notification(officer)

    page = _read(client, officer, read_in)

    for words in expected:
        assert words in page
    for words in absent:
        assert words not in page
    with translation.override(read_in):
        closes = formats.date_format(timezone.localtime(exam.closes_at), "DATETIME_FORMAT")
    assert closes in page
