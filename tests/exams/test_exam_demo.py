"""The demo exams: built on the demo branch through the real engine, and left alone by a rerun."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from courses.models.choices import Tier
from exams.demo import build as build_exams
from exams.demo.delivery import LABEL, OPEN_TITLE, PAST_TITLE, PRACTICE_TITLE, QUALIFICATION_TITLE
from exams.models import (
    Answer,
    Attempt,
    AttemptState,
    Exam,
    ExamKind,
    ExamStatus,
    PaperItem,
    QuestionType,
    ReleaseRule,
)
from exams.selectors.eligibility import exam_eligibility
from portal.demo import DemoContext
from portal.demo import accounts as demo_accounts
from portal.demo import people as demo_people
from portal.demo import units as demo_units

pytestmark = pytest.mark.django_db


def _branch_ctx() -> DemoContext:
    ctx = DemoContext()
    for builder in (demo_units, demo_accounts, demo_people):
        builder.build(ctx)
    return ctx


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo branch and the exams demo, built once for this module (it takes seconds)."""
    # Rolled back however the build ends: a build that fails must not leave the connection inside
    # a broken transaction for every test after this module.
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            ctx = _branch_ctx()
            build_exams(ctx)
            yield ctx
        finally:
            transaction.set_rollback(True)


def test_an_open_formal_exam_waits_for_officer001(demo):
    exam = Exam.objects.get(title=OPEN_TITLE)
    officer = demo.accounts["officer"]

    assert exam.status == ExamStatus.PUBLISHED and exam.kind == ExamKind.FORMAL
    assert exam.opens_at < timezone.now() < exam.closes_at
    assert exam_eligibility(exam, officer).eligible
    assert not Attempt.objects.filter(exam=exam, officer=officer).exists()
    # A few colleagues have started or finished it.
    states = set(Attempt.objects.filter(exam=exam).values_list("state", flat=True))
    assert AttemptState.IN_PROGRESS in states and len(states) >= 2
    types = set(PaperItem.objects.filter(paper__attempts__exam=exam).values_list("question_type", flat=True))
    assert types == set(QuestionType.values)


def test_last_months_exam_is_closed_with_about_sixty_papers_sat_through_the_engine(demo):
    exam = Exam.objects.get(title=PAST_TITLE)
    attempts = Attempt.objects.filter(exam=exam)

    assert exam.status == ExamStatus.CLOSED
    assert 50 <= attempts.count() <= 60
    assert attempts.filter(officer=demo.accounts["officer"]).exists()
    assert not attempts.filter(state=AttemptState.IN_PROGRESS).exists()
    assert all(exam.opens_at <= a.started_at and a.submitted_at <= a.deadline for a in attempts)
    # Objective answers are scored, some right and some wrong; case analyses still wait for grading.
    answers = Answer.objects.filter(attempt__exam=exam)
    assert answers.filter(correct=True).count() > answers.filter(correct=False).count() > 0
    assert attempts.filter(state=AttemptState.SUBMITTED).exists()
    assert exam.exemptions.count() == 2


def test_a_practice_exam_for_everyone_and_a_basic_qualification_test(demo):
    practice = Exam.objects.get(title=PRACTICE_TITLE)
    qualification = Exam.objects.get(title=QUALIFICATION_TITLE)

    assert (practice.kind, practice.release_rule, practice.status) == (
        ExamKind.PRACTICE,
        ReleaseRule.ON_SUBMIT,
        ExamStatus.PUBLISHED,
    )
    assert exam_eligibility(practice, demo.accounts["auxiliary"]).eligible
    assert (qualification.kind, qualification.tier) == (ExamKind.QUALIFICATION, Tier.BASIC)
    assert qualification.opens_at > timezone.now()


def test_a_rerun_creates_no_exam_and_sits_no_paper(demo):
    exams, attempts = Exam.objects.count(), Attempt.objects.count()
    ctx = _branch_ctx()

    build_exams(ctx)

    assert (Exam.objects.count(), Attempt.objects.count()) == (exams, attempts)
    assert str(LABEL) not in ctx.created_counts


# --- exam day -------------------------------------------------------------------------------------


def test_the_exam_day_demo_has_rules_accommodations_events_and_an_absence(demo):
    from exams.demo.exam_day import ROOM_PASSWORD, TITLE
    from exams.models import AttemptEvent, AttemptEventKind, ExamAbsence, ExamAccommodation, ExamRoomMessage

    exam = Exam.objects.get(title=TITLE)
    officer = demo.accounts["officer"]

    assert (exam.room_password, exam.track_focus, exam.single_device, exam.prevent_copy) == (
        ROOM_PASSWORD,
        True,
        True,
        True,
    )
    assert exam.opens_at < timezone.now() < exam.closes_at
    assert exam_eligibility(exam, officer).eligible
    assert not Attempt.objects.filter(exam=exam, officer=officer).exists()
    assert ExamAccommodation.objects.filter(exam=exam).count() == 2
    kinds = set(AttemptEvent.objects.filter(attempt__exam=exam).values_list("kind", flat=True))
    assert {
        AttemptEventKind.FOCUS_LOST,
        AttemptEventKind.TAB_HIDDEN,
        AttemptEventKind.DEVICE_TAKEOVER,
        AttemptEventKind.TIME_ADDED,
        AttemptEventKind.PAUSED,
    } <= kinds
    in_progress = Attempt.objects.filter(exam=exam, state=AttemptState.IN_PROGRESS)
    assert in_progress.filter(focus_losses__gt=0).count() == 3
    assert in_progress.filter(device_changes=1).count() == 1
    assert in_progress.filter(paused_at__isnull=False).count() == 1
    online = Attempt.objects.filter(exam=exam, mode="online")
    assert online.exclude(state=AttemptState.IN_PROGRESS).count() == 1
    paper = Attempt.objects.filter(exam=exam, mode="paper")
    assert paper.count() == 3 and all(attempt.score is not None for attempt in paper)
    assert ExamAbsence.objects.filter(exam=exam).count() == 1
    assert ExamRoomMessage.objects.filter(exam=exam).exists()


def test_the_demo_officer_starts_the_exam_day_demo_with_the_room_password_only(demo):
    from exams.demo.exam_day import ROOM_PASSWORD, TITLE
    from exams.services.delivery import DeliveryError, attempt_start

    exam = Exam.objects.get(title=TITLE)
    officer = demo.accounts["officer"]

    with pytest.raises(DeliveryError) as refused:
        attempt_start(exam=exam, officer=officer, client_address="127.0.0.1", room_password="0000")
    assert refused.value.code == "room_password"
    with pytest.raises(DeliveryError) as outside:
        attempt_start(exam=exam, officer=officer, client_address="192.168.1.9", room_password=ROOM_PASSWORD)
    assert outside.value.code == "network"
    with transaction.atomic():  # the module's other tests see the demo as built
        attempt = attempt_start(exam=exam, officer=officer, client_address="127.0.0.1", room_password=ROOM_PASSWORD)
        assert attempt.state == AttemptState.IN_PROGRESS
        transaction.set_rollback(True)
