"""Sampling plans of random ability tests: quotas, refusals, seeds, the population, confirmation and
recorded outcomes."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone, translation

from exams.models import (
    Attempt,
    AttemptState,
    ExamExemption,
    ExamInvitation,
    ExamKind,
    ExemptionReason,
    InvitationSource,
    SampledOfficer,
    SampleOutcome,
    SamplingStatus,
)
from exams.selectors.sampling import sampling_rerun
from exams.services.sampling import (
    SamplingError,
    sampling_confirm,
    sampling_draw,
    sampling_outcomes_record,
    sampling_plan_save,
    sampling_redraw_check,
)
from people.models import Category, OfficerStatus
from people.models.audience import AudienceSpec
from portal.models import AuditEntry, Notification
from tests.exams.sampling_support import (
    middle_leaders,
    officers,
    per_unit,
    proportional,
    random_exam,
    save_plan,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def drawn(plan):
    return list(SampledOfficer.objects.filter(plan=plan).order_by("order").select_related("officer", "unit"))


def test_position_quota_draws_at_least_its_share_of_the_position(branch, station, other_unit):
    leaders = officers(station, 4, is_middle_leader=True) + officers(other_unit, 3, is_middle_leader=True)
    officers(station, 10)
    plan = save_plan(random_exam(), middle_leaders(), units=[branch])

    plan = sampling_draw(plan=plan, seed=7, actor=None)

    rows = drawn(plan)
    assert len(rows) == 3  # ⌈7 / 3⌉
    assert {row.officer_id for row in rows} <= {leader.pk for leader in leaders}
    assert all(row.was_middle_leader for row in rows)
    assert plan.status == SamplingStatus.DRAWN
    assert plan.population_size == 17


def test_per_unit_quota_draws_from_each_unit_below_counting_its_subtree(
    branch, station, squad, legal_brigade, other_unit
):
    officers(legal_brigade, 3, is_legal_brigade=True)
    officers(station, 1)
    officers(squad, 3)
    officers(other_unit, 4)
    plan = save_plan(random_exam(), per_unit(2, branch), units=[branch])

    rows = drawn(sampling_draw(plan=plan, seed=3, actor=None))

    for unit in (legal_brigade, station, other_unit):
        unit.refresh_from_db()  # adding siblings renumbers paths
    by_top_unit = Counter(
        next(unit.name for unit in (legal_brigade, station, other_unit) if row.unit.path.startswith(unit.path))
        for row in rows
    )
    assert by_top_unit == {"法制大队": 2, "北山派出所": 2, "治安大队": 2}


def test_per_unit_quota_without_a_unit_draws_from_each_unit_of_the_population(branch, station, squad):
    officers(station, 2)
    officers(squad, 3)
    plan = save_plan(random_exam(), per_unit(2), units=[station])

    rows = drawn(sampling_draw(plan=plan, seed=3, actor=None))

    assert Counter(row.unit.name for row in rows) == {"北山派出所": 2, "一中队": 2}


def test_proportional_quota_spreads_the_total_by_headcount_with_largest_remainders(
    branch, station, legal_brigade, other_unit
):
    officers(station, 6)
    officers(other_unit, 3)
    officers(legal_brigade, 1)
    plan = save_plan(random_exam(), proportional(5, branch), units=[branch])

    rows = drawn(sampling_draw(plan=plan, seed=11, actor=None))

    # 5 × 6/10 = 3, 5 × 3/10 = 1.5, 5 × 1/10 = 0.5: the tie for the last one goes to the larger unit.
    assert Counter(row.unit.name for row in rows) == {"北山派出所": 3, "治安大队": 2}


def test_officers_drawn_for_one_quota_count_toward_the_others(branch, station, other_unit):
    leaders = officers(station, 3, is_middle_leader=True)
    others = officers(other_unit, 3)
    plan = save_plan(random_exam(), middle_leaders(), per_unit(1, branch), units=[branch])

    rows = drawn(sampling_draw(plan=plan, seed=5, actor=None))

    # One middle leader (⌈3/3⌉) already stands for 北山派出所; 治安大队 adds one officer.
    assert len(rows) == 2
    assert rows[0].officer in leaders and rows[1].officer in others
    assert rows[0].quota_label != rows[1].quota_label


def test_a_quota_the_population_cannot_meet_is_refused_naming_quota_and_shortfall(
    branch, station, legal_brigade, other_unit
):
    officers(legal_brigade, 2)
    officers(station, 5)
    officers(other_unit, 5)
    plan = save_plan(random_exam(), per_unit(3, branch), units=[branch])

    with translation.override("en"), pytest.raises(SamplingError) as refused:
        sampling_draw(plan=plan, seed=1, actor=None)

    assert len(refused.value.messages) == 1
    message = refused.value.messages[0]
    assert "3 from each unit below 西湖分局" in message
    assert "法制大队" in message and "needs 3" in message and "only 2" in message
    plan.refresh_from_db()
    assert plan.status == SamplingStatus.DRAFT
    assert not SampledOfficer.objects.filter(plan=plan).exists()


def test_a_total_larger_than_the_population_is_refused(branch, station):
    officers(station, 4)
    plan = save_plan(random_exam(), proportional(6, branch), units=[branch])

    with translation.override("en"), pytest.raises(SamplingError) as refused:
        sampling_draw(plan=plan, seed=1, actor=None)

    assert "needs 6, the population has only 4" in refused.value.messages[0]


def test_the_same_seed_draws_the_same_list_and_another_seed_another(branch, station, other_unit):
    officers(station, 30)
    officers(other_unit, 30)
    plan = save_plan(random_exam(), per_unit(5, branch), units=[branch])

    first = [row.officer_id for row in drawn(sampling_draw(plan=plan, seed=2026, actor=None))]
    again = [row.officer_id for row in drawn(sampling_draw(plan=plan, seed=2026, actor=None))]
    other = [row.officer_id for row in drawn(sampling_draw(plan=plan, seed=2027, actor=None))]

    assert first == again
    assert other != first
    plan.refresh_from_db()
    assert plan.seed == 2027
    assert sampling_redraw_check(plan) is True


def test_the_recorded_seed_no_longer_reruns_when_the_population_changed(branch, station):
    officers(station, 10)
    plan = save_plan(random_exam(), proportional(3, branch), units=[branch])
    plan = sampling_draw(plan=plan, seed=9, actor=None)
    first = drawn(plan)[0].officer
    first.status = OfficerStatus.LEFT
    first.save(update_fields=["status"])

    assert sampling_redraw_check(plan) is False


def test_a_draw_without_a_seed_records_a_new_one(branch, station):
    officers(station, 5)
    plan = save_plan(random_exam(), proportional(2, branch), units=[branch])

    plan = sampling_draw(plan=plan, actor=None)

    assert plan.seed is not None
    assert AuditEntry.objects.filter(action="exams.sampling.drawn", data__seed=plan.seed).exists()


def test_the_population_leaves_out_officers_who_cannot_be_drawn(branch, station, legal_brigade):
    today = timezone.localdate()
    exam = random_exam()
    drawable = [
        UserFactory(unit=station, birth_date=today.replace(year=today.year - 30)),
        UserFactory(unit=legal_brigade, is_legal_brigade=True, birth_date=today.replace(year=today.year - 40)),
    ]
    UserFactory(unit=station, status=OfficerStatus.LEFT)
    UserFactory(unit=station, status=OfficerStatus.SECONDED)
    UserFactory(unit=station, status=OfficerStatus.ON_LEAVE)
    UserFactory(unit=station, is_active=False)
    exempted = UserFactory(unit=station)
    ExamExemption.objects.create(exam=exam, officer=exempted, reason=ExemptionReason.INJURY)
    UserFactory(unit=station, birth_date=today.replace(year=today.year - 24))  # too young
    UserFactory(unit=station, birth_date=today.replace(year=today.year - 56))  # too old
    UserFactory(unit=station, birth_date=None)  # age unknown
    plan = save_plan(exam, proportional(2, branch), units=[branch], age_min=25, age_max=55)

    plan = sampling_draw(plan=plan, seed=1, actor=None)

    assert plan.population_size == 2
    assert {row.officer_id for row in drawn(plan)} == {officer.pk for officer in drawable}


def test_categories_and_positions_narrow_the_population(branch, station):
    police = officers(station, 2)
    officers(station, 3, category=Category.AUXILIARY)
    exam = random_exam()
    plan = sampling_plan_save(
        exam=exam,
        audience=AudienceSpec(units_with_subtree=(branch,), categories=(Category.OFFICER,)),
        quotas=[proportional(2, branch)],
        actor=None,
    )
    plan = sampling_draw(plan=plan, seed=1, actor=None)

    assert plan.population_size == 2
    assert {row.officer_id for row in drawn(plan)} == {officer.pk for officer in police}


@pytest.mark.parametrize(
    ("quota", "expected"),
    [
        (middle_leaders((4, 3)), "Quota 1: the share must be at most 1"),
        (per_unit(0), "Quota 1: draw at least one officer."),
    ],
)
def test_invalid_plans_are_refused_with_the_reason(branch, quota, expected):
    exam = random_exam()
    with translation.override("en"), pytest.raises(SamplingError) as refused:
        save_plan(exam, quota, units=[branch])
    assert any(expected in message for message in refused.value.messages)


def test_only_random_exams_have_a_plan(branch):
    exam = random_exam(kind=ExamKind.FORMAL)
    with pytest.raises(SamplingError):
        save_plan(exam, per_unit(1), units=[branch])


def test_a_plan_without_population_criteria_is_refused(branch):
    with translation.override("en"), pytest.raises(SamplingError) as refused:
        save_plan(random_exam(), per_unit(1))
    assert "Choose who can be drawn" in refused.value.messages[0]


def test_editing_a_drawn_plan_discards_the_list(branch, station):
    officers(station, 5)
    exam = random_exam()
    plan = sampling_draw(plan=save_plan(exam, proportional(2, branch), units=[branch]), seed=1, actor=None)

    plan = save_plan(exam, proportional(3, branch), units=[branch])

    assert plan.status == SamplingStatus.DRAFT
    assert not SampledOfficer.objects.filter(plan=plan).exists()


def test_confirm_puts_the_drawn_officers_on_the_roster_and_notifies_them_once(branch, station, trainer):
    officers(station, 8)
    exam = random_exam()
    plan = sampling_draw(plan=save_plan(exam, proportional(4, branch), units=[station]), seed=4, actor=trainer)
    drawn_ids = {row.officer_id for row in drawn(plan)}

    assert sampling_confirm(plan=plan, drawn_at=plan.drawn_at, actor=trainer) == 4
    assert sampling_confirm(plan=plan, drawn_at=plan.drawn_at, actor=trainer) == 0

    plan.refresh_from_db()
    assert plan.status == SamplingStatus.CONFIRMED and plan.confirmed_by == trainer
    invitations = ExamInvitation.objects.filter(exam=exam)
    assert {i.officer_id for i in invitations} == drawn_ids
    assert {i.source for i in invitations} == {InvitationSource.SAMPLED}
    notifications = Notification.objects.filter(kind="exams.sampling.drawn")
    assert sorted(n.recipient_id for n in notifications) == sorted(drawn_ids)
    assert all(f"/take/{exam.pk}/" in n.url for n in notifications)
    assert all(row.notified_at is not None for row in drawn(plan))
    assert AuditEntry.objects.filter(action="exams.sampling.confirmed").count() == 1


def test_a_confirmed_plan_cannot_change_or_be_drawn_again(branch, station):
    officers(station, 4)
    exam = random_exam()
    plan = sampling_draw(plan=save_plan(exam, proportional(2, branch), units=[station]), seed=4, actor=None)
    sampling_confirm(plan=plan, actor=None)
    before = [row.officer_id for row in drawn(plan)]

    with pytest.raises(SamplingError):
        save_plan(exam, proportional(3, branch), units=[station])
    with pytest.raises(SamplingError):
        sampling_draw(plan=plan, seed=5, actor=None)

    assert [row.officer_id for row in drawn(plan)] == before


def test_confirming_a_list_drawn_again_since_the_page_loaded_is_refused(branch, station):
    officers(station, 6)
    plan = sampling_draw(plan=save_plan(random_exam(), proportional(2, branch), units=[station]), seed=1, actor=None)
    reviewed = plan.drawn_at
    plan = sampling_draw(plan=plan, seed=2, actor=None, now=reviewed + datetime.timedelta(seconds=5))

    with pytest.raises(SamplingError):
        sampling_confirm(plan=plan, drawn_at=reviewed, actor=None)

    plan.refresh_from_db()
    assert plan.status == SamplingStatus.DRAWN
    assert not ExamInvitation.objects.exists()
    assert not Notification.objects.exists()


def test_confirming_before_a_draw_is_refused(branch, station):
    plan = save_plan(random_exam(), proportional(2, branch), units=[station])
    with pytest.raises(SamplingError):
        sampling_confirm(plan=plan, actor=None)


def test_outcomes_are_recorded_once_the_window_has_closed(branch, station):
    now = timezone.now()
    sat, exempted, absent = officers(station, 3)
    exam = random_exam(now=now - datetime.timedelta(days=10))  # window: 9 to 2 days ago
    plan = save_plan(exam, proportional(3, branch), units=[station])
    plan = sampling_draw(plan=plan, seed=1, actor=None, now=now - datetime.timedelta(days=10))
    sampling_confirm(plan=plan, actor=None, now=now - datetime.timedelta(days=10))
    Attempt.objects.create(exam=exam, officer=sat, state=AttemptState.SUBMITTED, submitted_at=exam.opens_at)
    ExamExemption.objects.create(exam=exam, officer=exempted, reason=ExemptionReason.LEAVE)

    assert sampling_outcomes_record(now=exam.closes_at - datetime.timedelta(minutes=1)) == 0
    assert sampling_outcomes_record(now=now) == 1
    assert sampling_outcomes_record(now=now) == 0

    outcomes = {row.officer_id: row.outcome for row in drawn(plan)}
    assert outcomes == {
        sat.pk: SampleOutcome.TESTED,
        exempted.pk: SampleOutcome.EXEMPTED,
        absent.pk: SampleOutcome.NO_SHOW,
    }
    plan.refresh_from_db()
    assert plan.outcomes_recorded_at == now


def test_outcomes_wait_for_attempts_still_in_progress(branch, station):
    now = timezone.now()
    (officer,) = officers(station, 1)
    exam = random_exam(now=now - datetime.timedelta(days=10))
    plan = sampling_draw(
        plan=save_plan(exam, proportional(1, branch), units=[station]),
        seed=1,
        actor=None,
        now=now - datetime.timedelta(days=10),
    )
    sampling_confirm(plan=plan, actor=None, now=now - datetime.timedelta(days=10))
    attempt = Attempt.objects.create(exam=exam, officer=officer, state=AttemptState.IN_PROGRESS)

    assert sampling_outcomes_record(now=now) == 0

    Attempt.objects.filter(pk=attempt.pk).update(state=AttemptState.SUBMITTED)
    assert sampling_outcomes_record(now=now) == 1
    assert drawn(plan)[0].outcome == SampleOutcome.TESTED


def test_confirming_after_the_window_closed_is_refused(branch, station):
    now = timezone.now()
    officers(station, 2)
    exam = random_exam(now=now - datetime.timedelta(days=10))
    plan = sampling_draw(plan=save_plan(exam, proportional(1, branch), units=[station]), seed=1, actor=None)

    with pytest.raises(SamplingError):
        sampling_confirm(plan=plan, actor=None, now=now)
    assert not ExamInvitation.objects.exists()


def test_the_demo_has_a_confirmed_random_test_with_tested_and_absent_officers():
    from exams.demo import blueprints, questions, sampling
    from exams.demo.sampling import TITLE
    from exams.models import Exam
    from portal.demo import DemoContext
    from portal.demo import accounts as demo_accounts
    from portal.demo import people as demo_people
    from portal.demo import units as demo_units

    ctx = DemoContext()
    for builder in (demo_units, demo_accounts, demo_people, questions, blueprints, sampling):
        builder.build(ctx)

    exam = Exam.objects.get(title=TITLE)
    plan = exam.sampling_plan
    assert exam.kind == ExamKind.RANDOM
    assert plan.status == SamplingStatus.CONFIRMED and plan.outcomes_recorded_at is not None
    rows = drawn(plan)
    outcomes = Counter(row.outcome for row in rows)
    assert outcomes[SampleOutcome.TESTED] > 0 and outcomes[SampleOutcome.NO_SHOW] > 0
    assert outcomes[SampleOutcome.EXEMPTED] == 1
    quota_checks = {check.label: check for check in sampling_rerun(plan).result.checks}
    assert len(quota_checks) == 2 and all(check.met for check in quota_checks.values())
    assert sampling_redraw_check(plan) is True
    assert ExamInvitation.objects.filter(exam=exam, source=InvitationSource.SAMPLED).count() == len(rows)

    sampling.build(ctx)  # a rerun changes nothing
    assert Exam.objects.filter(title=TITLE).count() == 1
    assert SampledOfficer.objects.filter(plan=plan).count() == len(rows)
