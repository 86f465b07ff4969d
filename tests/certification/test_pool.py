"""The reserve talent pool (法制后备人才库): eligibility by rule, nominations and decisions, the nightly
lapse review, activities and attendance, the pages' scope, the export and the demo."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from certification.models import (
    AttendanceStatus,
    MemberStatus,
    PoolActivity,
    PoolAttendance,
    Qualification,
    QualificationStatus,
    ReserveMember,
)
from certification.selectors.pool import file_entries, pool_candidates
from certification.services.pool import (
    PoolError,
    pool_activity_create,
    pool_activity_update,
    pool_attendance_record,
    pool_decide,
    pool_member_end,
    pool_memberships_review,
    pool_nominate,
)
from certification.services.qualifications import qualification_suspend
from people.models import OfficerStatus
from portal.models import AuditEntry, Notification
from tests.certification.pool_support import basis, days_ago, member, nominated, today
from tests.certification.qualification_support import english

pytestmark = pytest.mark.django_db


def candidate_ids():
    return {c.officer.pk for c in pool_candidates()}


# --- eligibility ------------------------------------------------------------------------------------


def test_valid_legal_profession_or_advanced_makes_a_candidate(officer, squad_officer, outsider, legal_leader):
    lp = basis(officer, "legal_profession", leader=legal_leader)
    adv = basis(squad_officer, "advanced", leader=legal_leader)
    basis(outsider, "basic", leader=legal_leader)
    candidates = {c.officer.pk: c.basis for c in pool_candidates()}
    assert candidates[officer.pk] == lp
    assert candidates[squad_officer.pk] == adv
    assert outsider.pk not in candidates


def test_expired_suspended_or_missing_basis_is_not_a_candidate(officer, squad_officer, outsider, legal_leader):
    expired = basis(officer, "advanced", leader=legal_leader)
    Qualification.objects.filter(pk=expired.pk).update(expires_on=days_ago(1))
    suspended = basis(squad_officer, "legal_profession", leader=legal_leader)
    qualification_suspend(qualification=suspended, actor=legal_leader, reason="调查")
    assert candidate_ids().isdisjoint({officer.pk, squad_officer.pk, outsider.pk})


def test_officers_who_left_or_have_an_open_membership_are_not_candidates(officer, squad_officer, trainer, legal_leader):
    basis(officer, leader=legal_leader)
    officer.status = OfficerStatus.LEFT
    officer.save()
    nominated(squad_officer, trainer=trainer, leader=legal_leader)
    assert candidate_ids().isdisjoint({officer.pk, squad_officer.pk})


# --- nominations and decisions ----------------------------------------------------------------------


def test_nomination_needs_the_legal_brigade_a_valid_basis_and_no_open_membership(
    officer, squad_officer, trainer, hr, legal_leader, django_capture_on_commit_callbacks
):
    record = basis(officer, leader=legal_leader)
    with pytest.raises(PoolError) as refused:
        pool_nominate(officer=officer, basis=record, reason="推荐", actor=hr)
    assert refused.value.code == "not_manager"
    plain = basis(squad_officer, "basic", leader=legal_leader)
    with pytest.raises(PoolError) as refused:
        pool_nominate(officer=squad_officer, basis=plain, reason="推荐", actor=trainer)
    assert refused.value.code == "no_basis"
    with pytest.raises(PoolError) as refused:
        pool_nominate(officer=squad_officer, basis=record, reason="推荐", actor=trainer)  # someone else's
    assert refused.value.code == "no_basis"

    with django_capture_on_commit_callbacks(execute=True):
        member = pool_nominate(officer=officer, basis=record, reason="推荐", actor=trainer)
    assert member.status == MemberStatus.NOMINATED and member.nominated_by == trainer
    with pytest.raises(PoolError) as refused:
        pool_nominate(officer=officer, basis=record, reason="再次推荐", actor=trainer)
    assert refused.value.code == "already_open"
    assert ReserveMember.objects.count() == 1
    assert AuditEntry.objects.filter(action="certification.pool.nominated", target_id=str(member.pk)).exists()
    assert Notification.objects.filter(recipient=legal_leader, kind="certification.pool.nominated").exists()


def test_a_leader_approves_from_today_or_rejects_with_a_note(
    officer, squad_officer, trainer, legal_leader, django_capture_on_commit_callbacks
):
    first = nominated(officer, trainer=trainer, leader=legal_leader)
    with pytest.raises(PoolError) as refused:
        pool_decide(member=first, approve=True, note="", actor=trainer)
    assert refused.value.code == "not_leader"
    approved = pool_decide(member=first, approve=True, note="同意", actor=legal_leader)
    assert (approved.status, approved.started_on, approved.decided_by) == (MemberStatus.ACTIVE, today(), legal_leader)
    with pytest.raises(PoolError) as refused:
        pool_decide(member=approved, approve=False, note="迟到的驳回", actor=legal_leader)
    assert refused.value.code == "not_nominated"

    second = nominated(squad_officer, trainer=trainer, leader=legal_leader)
    with pytest.raises(PoolError) as refused:
        pool_decide(member=second, approve=False, note="", actor=legal_leader)
    assert refused.value.code == "note_required"
    with django_capture_on_commit_callbacks(execute=True):
        rejected = pool_decide(member=second, approve=False, note="办案经历不足", actor=legal_leader)
    assert rejected.status == MemberStatus.REJECTED and rejected.decision_note == "办案经历不足"
    assert Notification.objects.filter(recipient=squad_officer, kind="certification.pool.rejected").exists()
    assert squad_officer.pk in candidate_ids()  # may be nominated again later


def test_ending_by_hand_needs_a_reason(officer, trainer, legal_leader):
    joined = member(officer, trainer=trainer, leader=legal_leader)
    with pytest.raises(PoolError):
        pool_member_end(member=joined, reason=" ", actor=trainer)
    ended = pool_member_end(member=joined, reason="本人申请退出", actor=trainer)
    assert (ended.status, ended.ended_on, ended.end_reason) == (MemberStatus.ENDED, today(), "本人申请退出")
    assert AuditEntry.objects.filter(action="certification.pool.ended", data__cause="manual").exists()


# --- the nightly review -----------------------------------------------------------------------------


def test_a_lapsed_basis_ends_the_membership_with_the_reason(
    officer, trainer, legal_leader, django_capture_on_commit_callbacks
):
    joined = member(officer, trainer=trainer, leader=legal_leader, code="advanced")
    assert pool_memberships_review() == 0
    Qualification.objects.filter(pk=joined.basis_id).update(expires_on=days_ago(1))
    with django_capture_on_commit_callbacks(execute=True):
        assert pool_memberships_review() == 1
    joined.refresh_from_db()
    assert joined.status == MemberStatus.ENDED and joined.ended_on == today()
    assert "高级执法资格" in joined.end_reason
    entry = AuditEntry.objects.get(action="certification.pool.ended", target_id=str(joined.pk))
    assert entry.data["cause"] == "basis_lapsed" and entry.actor is None
    assert Notification.objects.filter(recipient=officer, kind="certification.pool.ended").exists()
    assert pool_memberships_review() == 0


def test_a_lapsed_basis_switches_to_another_valid_one(officer, trainer, legal_leader):
    joined = member(officer, trainer=trainer, leader=legal_leader, code="advanced")
    other = basis(officer, "legal_profession", leader=legal_leader)
    qualification_suspend(qualification=joined.basis, actor=legal_leader, reason="调查")
    assert pool_memberships_review() == 1
    joined.refresh_from_db()
    assert joined.status == MemberStatus.ACTIVE and joined.basis == other
    assert AuditEntry.objects.filter(
        action="certification.pool.basis_switched", target_id=str(joined.pk), data__basis_before="advanced"
    ).exists()


def test_an_officer_who_left_or_was_deactivated_leaves_the_pool(officer, squad_officer, trainer, legal_leader):
    left = member(officer, trainer=trainer, leader=legal_leader)
    inactive = member(squad_officer, trainer=trainer, leader=legal_leader)
    officer.status = OfficerStatus.LEFT
    officer.save()
    squad_officer.is_active = False
    squad_officer.save()
    assert pool_memberships_review() == 2
    causes = dict(AuditEntry.objects.filter(action="certification.pool.ended").values_list("target_id", "data__cause"))
    assert causes == {str(left.pk): "officer_left", str(inactive.pk): "officer_inactive"}


def test_the_scheduled_task_runs_the_review(officer, trainer, legal_leader):
    from certification.tasks import review_reserve_pool

    joined = member(officer, trainer=trainer, leader=legal_leader)
    Qualification.objects.filter(pk=joined.basis_id).update(status=QualificationStatus.REVOKED)
    assert review_reserve_pool() == 1


# --- activities and attendance ----------------------------------------------------------------------


def test_attendance_is_recorded_for_members_active_on_the_date(officer, squad_officer, outsider, trainer, legal_leader):
    early = member(officer, trainer=trainer, leader=legal_leader, started_days_ago=30)
    member(squad_officer, trainer=trainer, leader=legal_leader)  # joined today: not on a past roster
    activity = pool_activity_create(title="盗窃案研讨", kind="case_discussion", date=days_ago(7), actor=trainer)

    with pytest.raises(PoolError) as refused:
        pool_attendance_record(
            activity=activity,
            entries={officer.pk: ("present", ""), squad_officer.pk: ("present", "")},
            actor=trainer,
        )
    assert refused.value.code == "not_on_roster"
    assert not PoolAttendance.objects.exists()

    assert pool_attendance_record(activity=activity, entries={officer.pk: ("excused", "出差")}, actor=trainer) == 1
    assert pool_attendance_record(activity=activity, entries={officer.pk: ("excused", "出差")}, actor=trainer) == 0
    assert PoolAttendance.objects.get().note == "出差"
    assert AuditEntry.objects.filter(action="certification.pool.attendance_recorded").count() == 1

    future = pool_activity_create(
        title="下月调研", kind="research", date=today() + datetime.timedelta(days=3), actor=trainer
    )
    with pytest.raises(PoolError) as refused:
        pool_attendance_record(activity=future, entries={early.officer_id: ("present", "")}, actor=trainer)
    assert refused.value.code == "future_activity"


def test_activity_update_is_audited_with_changes(trainer, hr):
    activity = pool_activity_create(title="调研", kind="research", date=days_ago(1), actor=trainer)
    with pytest.raises(PoolError):
        pool_activity_create(title="x", kind="research", date=days_ago(1), actor=hr)
    pool_activity_update(activity=activity, title="执法证据调研", kind="research", date=days_ago(1), actor=trainer)
    entry = AuditEntry.objects.get(action="certification.pool.activity_updated")
    assert entry.data["title"] == ["调研", "执法证据调研"]


def test_attendance_page_records_every_state_and_counts_per_member(
    client, officer, squad_officer, trainer, legal_leader
):
    first = member(officer, trainer=trainer, leader=legal_leader, started_days_ago=30)
    member(squad_officer, trainer=trainer, leader=legal_leader, started_days_ago=30)
    activity = pool_activity_create(title="研讨", kind="case_discussion", date=days_ago(3), actor=trainer)
    client.force_login(trainer)
    url = reverse("certification:pool_attendance", args=[activity.pk])
    response = client.post(
        url,
        {
            f"status-{officer.pk}": "present",
            f"status-{squad_officer.pk}": "absent",
            f"note-{squad_officer.pk}": "未请假",
        },
    )
    assert response.status_code == 302
    assert dict(PoolAttendance.objects.values_list("officer_id", "status")) == {
        officer.pk: AttendanceStatus.PRESENT,
        squad_officer.pk: AttendanceStatus.ABSENT,
    }
    client.post(url, {f"status-{officer.pk}": "bogus"})
    assert PoolAttendance.objects.get(officer=officer).status == AttendanceStatus.PRESENT
    page = client.get(reverse("certification:pool_member", args=[first.pk]))
    assert page.context["counts"] == {"present": 1, "excused": 0, "absent": 0}


# --- pages, scope and export ------------------------------------------------------------------------


def test_pool_list_scope(client, officer, squad_officer, outsider, unit_leader, hr, trainer, legal_leader):
    mine = member(officer, trainer=trainer, leader=legal_leader)
    squad = member(squad_officer, trainer=trainer, leader=legal_leader)
    other = member(outsider, trainer=trainer, leader=legal_leader)
    url = reverse("certification:pool_list")

    def members_seen(user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        return {m.pk for m in response.context["members"]}

    assert members_seen(hr) == {mine.pk, squad.pk, other.pk}
    assert members_seen(unit_leader) == {mine.pk, squad.pk}
    assert members_seen(officer) == {mine.pk}
    for user, hidden in ((unit_leader, other), (officer, squad)):
        client.force_login(user)
        assert client.get(reverse("certification:pool_member", args=[hidden.pk])).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("certification:pool_member", args=[mine.pk])).status_code == 200
    assert client.post(reverse("certification:pool_member_end", args=[mine.pk]), {"reason": "x"}).status_code == 404
    client.force_login(hr)
    assert client.post(reverse("certification:pool_member_end", args=[mine.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("certification:pool_export")).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("certification:pool_activities")).status_code == 200  # a member
    client.force_login(squad_officer)
    ReserveMember.objects.filter(officer=squad_officer).delete()
    assert client.get(reverse("certification:pool_activities")).status_code == 404


def test_candidates_and_nominate_and_decide_through_the_page(client, officer, trainer, legal_leader):
    record = basis(officer, leader=legal_leader)
    client.force_login(trainer)
    page = client.get(reverse("certification:pool_list"))
    assert [c.officer.pk for c in page.context["candidates"]] == [officer.pk]
    nominate = reverse("certification:pool_nominate")
    client.post(nominate, {"officer": officer.pk, "basis": record.pk, "reason": "推荐"})
    client.post(nominate, {"officer": officer.pk, "basis": record.pk, "reason": "推荐"})  # double submit
    assert ReserveMember.objects.filter(officer=officer).count() == 1
    nomination = ReserveMember.objects.get(officer=officer)
    decide = reverse("certification:pool_decide", args=[nomination.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404  # a trainer does not decide
    client.force_login(legal_leader)
    english(client)
    response = client.post(decide, {"decision": "reject"}, follow=True)
    assert "Give the reason for not approving." in response.content.decode()
    client.post(decide, {"decision": "approve", "note": "同意"})
    nomination.refresh_from_db()
    assert nomination.status == MemberStatus.ACTIVE


def test_export_has_the_filtered_rows_and_is_audited(client, officer, squad_officer, hr, trainer, legal_leader):
    import pandas as pd

    member(officer, trainer=trainer, leader=legal_leader, code="advanced")
    member(squad_officer, trainer=trainer, leader=legal_leader, code="legal_profession")
    client.force_login(hr)
    english(client)
    response = client.get(reverse("certification:pool_export"), {"basis": "advanced"})
    assert response.status_code == 200
    frame = pd.read_excel(io.BytesIO(response.content))
    assert frame["Police number"].astype(str).tolist() == [officer.police_number]
    assert frame["Basis"].tolist() == ["高级执法资格"]
    entry = AuditEntry.objects.get(action="certification.pool.exported")
    assert entry.data == {"filters": {"status": "", "unit": "", "basis": "advanced", "query": ""}, "rows": 1}


def test_activity_pages_and_edit_scope(client, officer, outsider, trainer, legal_leader):
    member(officer, trainer=trainer, leader=legal_leader, started_days_ago=10)
    client.force_login(trainer)
    response = client.post(
        reverse("certification:pool_activity_create"),
        {"title": "证据规则调研", "kind": "research", "date": days_ago(2).isoformat(), "place": "会议室"},
    )
    activity = PoolActivity.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("certification:pool_activity", args=[activity.pk]))
    assert [row.officer.pk for row in page.context["roster"]] == [officer.pk] and page.context["can_record"]
    client.force_login(officer)
    assert client.get(reverse("certification:pool_activity", args=[activity.pk])).status_code == 200
    assert client.get(reverse("certification:pool_activity_edit", args=[activity.pk])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("certification:pool_activity", args=[activity.pk])).status_code == 404


def test_file_entries_cover_nomination_membership_and_activities(officer, trainer, legal_leader):
    joined = member(officer, trainer=trainer, leader=legal_leader, started_days_ago=20)
    activity = pool_activity_create(title="研讨", kind="case_discussion", date=days_ago(5), actor=trainer)
    pool_attendance_record(activity=activity, entries={officer.pk: ("present", "")}, actor=trainer)
    pool_member_end(member=joined, reason="退出", actor=trainer)
    entries = file_entries(officer)
    assert {e.date for e in entries} >= {today(), days_ago(20), days_ago(5)}
    assert len(entries) == 4 and all(e.kind == "pool" and e.url for e in entries)


# --- demo -------------------------------------------------------------------------------------------


def test_demo_builds_members_in_every_state_and_a_rerun_changes_nothing(django_capture_on_commit_callbacks):
    from certification.demo import pool as pool_demo
    from certification.demo.qualifications import build as qualifications_build
    from portal.demo import DemoContext, run_builders

    ctx = run_builders(
        DemoContext(), ["portal.demo.units.build", "portal.demo.accounts.build", "portal.demo.people.build"]
    )
    qualifications_build(ctx)
    pool_demo.build(ctx)
    statuses = list(ReserveMember.objects.values_list("status", flat=True))
    assert statuses.count(MemberStatus.ACTIVE) >= 4
    assert statuses.count(MemberStatus.NOMINATED) == 1
    ended = ReserveMember.objects.get(status=MemberStatus.ENDED)
    assert ended.end_reason and ended.started_on < ended.ended_on
    assert set(PoolActivity.objects.values_list("kind", flat=True)) == {"research", "case_discussion"}
    assert PoolActivity.objects.count() == 3
    assert set(PoolAttendance.objects.values_list("status", flat=True)) == set(AttendanceStatus.values)
    bases = set(ReserveMember.objects.values_list("basis__qualification_type__code", flat=True))
    assert bases <= {"legal_profession", "advanced"}

    counts = (ReserveMember.objects.count(), PoolAttendance.objects.count(), Qualification.objects.count())
    rerun = DemoContext(accounts=ctx.accounts, units=ctx.units)
    pool_demo.build(rerun)
    assert counts == (ReserveMember.objects.count(), PoolAttendance.objects.count(), Qualification.objects.count())
    assert not rerun.created_counts and not rerun.updated_counts
