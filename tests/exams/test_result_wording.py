"""The result notification says in Chinese whether the officer passed (及格 / 不及格), not the
model field's column label (是否及格)."""

from __future__ import annotations

import pytest

from exams.models import ReleaseRule
from portal.models import Notification
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, sit

pytestmark = pytest.mark.django_db


def test_the_released_result_notice_says_passed_or_not_in_chinese(officer):
    exam = published_exam(objective_blueprint(), officer, now=NOW, release_rule=ReleaseRule.ON_SUBMIT)

    attempt = sit(exam, officer, submitted_by=None)

    body = Notification.objects.get(recipient=officer, kind="exams.result.released").body
    assert "是否" not in body
    assert ("（及格）" if attempt.passed else "（不及格）") in body
