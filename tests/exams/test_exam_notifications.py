"""The two exam notifications: "you have an exam" at publishing and "open now" when the window opens,
each sent once per exam whatever the schedule does."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from exams.models import BlueprintStatus, ExemptionReason
from exams.services.blueprints import blueprint_set_status
from exams.services.delivery import attempt_start
from exams.services.exams import (
    exam_create,
    exam_exemption_set,
    exam_publish,
    exam_update,
    exams_notify_opening,
)
from exams.tasks import notify_exam_openings
from people.models import OfficerStatus
from people.models.audience import AudienceSpec
from portal.models import AuditEntry, Notification
from tests.exams.delivery_support import objective_blueprint
from tests.exams.exam_admin_support import exam_spec

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
OPENS = NOW + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def exam(trainer, station, officer, squad_officer):
    blueprint = objective_blueprint()
    blueprint_set_status(blueprint=blueprint, status=BlueprintStatus.ACTIVE, actor=None)
    return exam_create(
        actor=trainer, spec=exam_spec(blueprint, now=NOW, audience=AudienceSpec(units_with_subtree=(station,)))
    )


def _notified(kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=f"exams.exam.{kind}").values_list("recipient__police_number", flat=True)
    )


def test_publishing_tells_every_examinee_once_with_a_link_to_the_exam(exam, trainer, auxiliary):
    exam_publish(actor=trainer, exam=exam, now=NOW)

    assert _notified("assigned") == ["200001", "200003", "F200002"]
    notification = Notification.objects.filter(recipient__police_number="200001").get()
    assert exam.title in notification.title
    assert notification.url == reverse("exams:exam_start", args=[exam.pk])
    exam.refresh_from_db()
    assert exam.assigned_notified_at == NOW
    assert exam.opening_notified_at is None


def test_exempted_and_seconded_officers_are_not_told(exam, trainer, officer, squad_officer, auxiliary):
    exam_exemption_set(actor=trainer, exam=exam, officer=officer, reason=ExemptionReason.LEAVE)
    auxiliary.status = OfficerStatus.SECONDED
    auxiliary.save(update_fields=["status"])

    exam_publish(actor=trainer, exam=exam, now=NOW)

    assert _notified("assigned") == ["200003"]


def test_the_opening_notice_goes_out_once_when_the_window_opens(exam, trainer):
    exam_publish(actor=trainer, exam=exam, now=NOW)

    assert exams_notify_opening(now=OPENS - datetime.timedelta(minutes=1)) == 0
    assert exams_notify_opening(now=OPENS + datetime.timedelta(minutes=2)) == 2
    assert exams_notify_opening(now=OPENS + datetime.timedelta(minutes=7)) == 0

    assert _notified("opening") == ["200001", "200003"]
    exam.refresh_from_db()
    assert exam.opening_notified_at == OPENS + datetime.timedelta(minutes=2)
    assert AuditEntry.objects.filter(action="exams.exam.opening_notified").count() == 1


def test_officers_who_already_started_get_no_opening_notice(exam, trainer, officer):
    exam_publish(actor=trainer, exam=exam, now=NOW)
    attempt_start(exam=exam, officer=officer, now=OPENS + datetime.timedelta(seconds=10))

    assert exams_notify_opening(now=OPENS + datetime.timedelta(minutes=1)) == 1
    assert _notified("opening") == ["200003"]


def test_drafts_and_exams_whose_window_has_closed_get_no_opening_notice(exam, trainer):
    assert exams_notify_opening(now=OPENS + datetime.timedelta(minutes=1)) == 0

    exam_publish(actor=trainer, exam=exam, now=NOW)
    assert exams_notify_opening(now=OPENS + datetime.timedelta(hours=3)) == 0
    assert not _notified("opening")


def test_an_exam_published_while_open_is_not_announced_twice(exam, trainer):
    exam_publish(actor=trainer, exam=exam, now=OPENS + datetime.timedelta(minutes=30))

    assert exams_notify_opening(now=OPENS + datetime.timedelta(minutes=35)) == 0
    assert _notified("assigned") == ["200001", "200003"]
    assert not _notified("opening")


def test_the_scheduled_task_sends_the_opening_notices(exam, trainer):
    exam.opens_at = NOW - datetime.timedelta(minutes=1)
    exam.save(update_fields=["opens_at"])
    exam_publish(actor=trainer, exam=exam, now=NOW - datetime.timedelta(minutes=2))

    assert notify_exam_openings() == 2
    assert notify_exam_openings() == 0


def test_officers_a_widened_audience_brings_in_are_told_once(exam, trainer, station, outsider, other_unit):
    exam_publish(actor=trainer, exam=exam, now=NOW)
    wider = AudienceSpec(units_with_subtree=(station, other_unit))

    exam_update(actor=trainer, exam=exam, spec=exam_spec(exam.blueprint, now=NOW, audience=wider), now=NOW)

    assert _notified("assigned") == ["200001", "200003", "500001"]
