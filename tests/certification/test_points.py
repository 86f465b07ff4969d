"""The points ledger (积分): entries traceable to their sources, rebuilds, over-50 indicators, the
yearly promotion summary, and who may see which ledger."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    AttendanceState,
    CaseQualityShare,
    IndicatorTarget,
    PointCategory,
    PointEntry,
    Qualification,
    QualificationSource,
    QualificationStatus,
    QualificationType,
    ShareRole,
)
from certification.selectors.court import file_entries as court_file_entries
from certification.selectors.points import (
    IndicatorState,
    file_entries,
    indicator_list,
    indicator_status,
    officer_ledger,
    promotion_summary,
)
from certification.services.cases import case_record_save
from certification.services.court import court_attendance_reject
from certification.services.points import (
    PointsError,
    indicator_save,
    point_entry_add_manual,
    points_rebuild,
    points_rebuild_all,
)
from exams.models import AttemptState, ExamKind
from portal.models import AuditEntry
from tests.certification.points_support import attendance, formal_exam, in_sequence, released_attempt, this_year
from tests.exams.delivery_support import objective_blueprint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SOURCE_MODELS = {
    "certification.courtattendance": "certification.CourtAttendance",
    "certification.casequalityshare": "certification.CaseQualityShare",
    "exams.attempt": "exams.Attempt",
    "certification.qualification": "certification.Qualification",
}


def case(officer, actor, *, number="A2026001", score="95", deductions="0", day=None):
    record, _outcome = case_record_save(
        officer=officer,
        case_number=number,
        case_date=day or timezone.localdate().replace(month=1, day=10),
        score=Decimal(score),
        deductions=Decimal(deductions),
        case_title="王某盗窃案",
        actor=actor,
    )
    return record


def grant(officer, code="basic", *, granted_on=None):
    return Qualification.objects.create(
        officer=officer,
        qualification_type=QualificationType.objects.get(code=code),
        status=QualificationStatus.VALID,
        granted_on=granted_on or timezone.localdate().replace(month=1, day=5),
        source=QualificationSource.MANUAL,
    )


def assert_traceable(officer, year):
    ledger = officer_ledger(officer, year)
    assert ledger.total == sum(entry.points for entry in ledger.entries)
    assert ledger.total == sum(total for _code, _label, total in ledger.by_category)
    for entry in ledger.entries:
        if entry.source_type:
            model = apps.get_model(SOURCE_MODELS[entry.source_type])
            assert model.objects.filter(pk=entry.source_id).exists(), entry
    return ledger


def test_ledger_collects_every_source_and_totals_trace_back(officer, trainer, legal_leader):
    year = this_year()
    in_sequence(officer, points_each="1.5")
    verified = attendance(officer, state=AttendanceState.VERIFIED)
    attendance(officer, state=AttendanceState.REJECTED)
    attendance(officer, state=AttendanceState.SUBMITTED)
    case(officer, legal_leader, score="95", deductions="2")
    grant(officer)
    grant(officer, "intermediate", granted_on=datetime.date(year - 1, 5, 1))
    blueprint = objective_blueprint()
    released_attempt(formal_exam(officer, blueprint=blueprint), officer, passed=True)
    released_attempt(formal_exam(officer, blueprint=blueprint, title="未通过"), officer, passed=False)
    practice = formal_exam(officer, blueprint=blueprint, title="练习", kind=ExamKind.PRACTICE)
    released_attempt(practice, officer, passed=True)

    assert points_rebuild(officer, year) == 5
    ledger = assert_traceable(officer, year)
    totals = {code: total for code, _label, total in ledger.by_category}
    assert totals[PointCategory.COURT] == Decimal("1.5")
    assert totals[PointCategory.CASE_HANDLING] == Decimal("0.95")
    assert totals[PointCategory.DEDUCTION] == Decimal("-2")
    assert totals[PointCategory.EXAM] == Decimal("1")
    assert totals[PointCategory.QUALIFICATION] == Decimal("2")
    assert ledger.total == Decimal("3.45")
    court_entry = PointEntry.objects.get(officer=officer, category=PointCategory.COURT)
    assert court_entry.source_id == str(verified.pk)
    # Idempotent: nothing changes on a second run.
    assert points_rebuild(officer, year) == 0
    assert PointEntry.objects.filter(officer=officer).count() == 5


def test_changed_case_score_updates_its_entry_and_removed_deduction_goes(officer, legal_leader):
    year = this_year()
    case(officer, legal_leader, score="95", deductions="1")
    points_rebuild(officer, year)
    entry = PointEntry.objects.get(officer=officer, category=PointCategory.CASE_HANDLING)
    assert entry.points == Decimal("0.95")
    case(officer, legal_leader, score="80", deductions="0")
    assert points_rebuild(officer, year) == 2
    entry.refresh_from_db()
    assert entry.points == Decimal("0.80")
    assert not PointEntry.objects.filter(officer=officer, category=PointCategory.DEDUCTION).exists()
    assert_traceable(officer, year)


def test_mentor_share_is_its_own_category(officer, squad_officer, legal_leader):
    record = case(squad_officer, legal_leader, score="90")
    CaseQualityShare.objects.create(record=record, officer=officer, role=ShareRole.MENTOR, weight=Decimal("0.5"))
    points_rebuild(officer, this_year())
    entry = PointEntry.objects.get(officer=officer)
    assert (entry.category, entry.points) == (PointCategory.MENTOR, Decimal("0.45"))


def test_rejecting_after_verification_removes_the_points_on_rebuild(officer, trainer):
    item = attendance(officer, state=AttendanceState.VERIFIED)
    points_rebuild(officer, this_year())
    assert PointEntry.objects.filter(officer=officer, category=PointCategory.COURT).exists()
    court_attendance_reject(attendance=item, reason="材料不实", actor=trainer)
    assert not PointEntry.objects.filter(officer=officer).exists()


def test_exam_counts_only_the_counted_released_attempt(officer):
    exam = formal_exam(officer, attempts_allowed=2)
    first = released_attempt(exam, officer, passed=True, score=95)
    points_rebuild(officer, this_year())
    assert PointEntry.objects.get(officer=officer, category=PointCategory.EXAM).source_id == str(first.pk)
    # A result not yet released gives nothing.
    other = formal_exam(officer, blueprint=exam.blueprint, title="待发布")
    attempt = released_attempt(other, officer, passed=True)
    type(attempt).objects.filter(pk=attempt.pk).update(state=AttemptState.GRADED)
    points_rebuild(officer, this_year())
    assert PointEntry.objects.filter(officer=officer, category=PointCategory.EXAM).count() == 1


def test_manual_entries_need_a_reason_and_survive_rebuilds(officer, trainer, unit_leader):
    with pytest.raises(PointsError):
        point_entry_add_manual(
            officer=officer, year=this_year(), category="other", points=Decimal("3"), reason="", actor=trainer
        )
    with pytest.raises(PointsError):
        point_entry_add_manual(
            officer=officer, year=this_year(), category="other", points=Decimal("3"), reason="嘉奖", actor=unit_leader
        )
    entry = point_entry_add_manual(
        officer=officer, year=this_year(), category="other", points=Decimal("3"), reason="市局嘉奖", actor=trainer
    )
    assert points_rebuild(officer, this_year()) == 0
    assert PointEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.filter(action="certification.points.manual_added").exists()


def test_rebuild_all_covers_everyone_with_sources(officer, squad_officer, legal_leader):
    case(officer, legal_leader, number="A1")
    attendance(squad_officer, state=AttendanceState.VERIFIED)
    assert points_rebuild_all() == 2
    assert points_rebuild_all() == 0
    assert PointEntry.objects.filter(officer=squad_officer, category=PointCategory.COURT).count() == 1


# --- over-50 indicators -------------------------------------------------------------------------------


def born_aged(age: int, year: int) -> datetime.date:
    return datetime.date(year - age, 12, 31)


def test_over_50_status_met_not_met_no_data(station, trainer, hr):
    year = this_year()
    IndicatorTarget.objects.create(year=year, min_age=50, cases_required=10, incidents_required=30)
    on = UserFactory(unit=station, birth_date=born_aged(50, year))
    off = UserFactory(unit=station, birth_date=born_aged(55, year))
    none = UserFactory(unit=station, birth_date=born_aged(52, year))
    young = UserFactory(unit=station, birth_date=datetime.date(year - 49, 12, 31) + datetime.timedelta(days=1))
    indicator_save(officer=on, year=year, cases_handled=10, incidents_responded=30, actor=trainer)
    indicator_save(officer=off, year=year, cases_handled=12, incidents_responded=29, actor=trainer)
    assert indicator_status(on, year).state == IndicatorState.MET
    assert indicator_status(off, year).state == IndicatorState.NOT_MET
    assert indicator_status(none, year).state == IndicatorState.NO_DATA
    assert indicator_status(young, year) is None
    assert {row.officer for row in indicator_list(hr, year=year)} == {on, off, none}
    assert [row.officer for row in indicator_list(hr, year=year, state=IndicatorState.NOT_MET)] == [off]
    # No target that year: no status.
    assert indicator_status(on, year - 1) is None


def test_indicator_list_is_scoped(station, other_unit, unit_leader, trainer):
    year = this_year()
    IndicatorTarget.objects.create(year=year)
    mine = UserFactory(unit=station, birth_date=born_aged(56, year))
    UserFactory(unit=other_unit, birth_date=born_aged(56, year))
    assert [row.officer for row in indicator_list(unit_leader, year=year)] == [mine]


# --- promotion summary ------------------------------------------------------------------------------


def test_promotion_summary_numbers(officer, trainer, legal_leader):
    year = this_year()
    in_sequence(officer, required=2, points_each="1")
    attendance(officer, state=AttendanceState.VERIFIED)
    attendance(officer, state=AttendanceState.SUBMITTED)
    case(officer, legal_leader, number="A1", score="90", deductions="1")
    case(officer, legal_leader, number="A2", score="80", deductions="0.5")
    grant(officer)
    exam = formal_exam(officer)
    released_attempt(exam, officer, passed=True)
    officer.birth_date = born_aged(51, year)
    officer.save(update_fields=["birth_date"])
    IndicatorTarget.objects.create(year=year)
    points_rebuild(officer, year)

    summary = promotion_summary(officer, year)
    assert (summary.court.verified, summary.court.required) == (1, 2)
    assert [attempt.exam for attempt in summary.exams_passed] == [exam]
    assert [record.qualification_type.code for record in summary.qualifications] == ["basic"]
    assert summary.case_count == 2
    assert summary.case_mean_score == Decimal("85.00")
    assert summary.case_deductions == Decimal("1.5")
    assert summary.indicator.state == IndicatorState.NO_DATA
    # 1 (court) + 0.9 + 0.8 (cases) - 1.5 (deductions) + 1 (exam) + 2 (qualification)
    assert summary.total == Decimal("4.2")


def test_promotion_export_is_audited(client, hr, officer, legal_leader):
    import pandas as pd

    case(officer, legal_leader)
    points_rebuild(officer, this_year())
    client.force_login(hr)
    response = client.get(
        reverse("certification:promotion_summary_xlsx"), {"year": this_year(), "q": officer.police_number}
    )
    frame = pd.read_excel(io.BytesIO(response.content), dtype={"警号": str})
    assert list(frame["警号"]) == [officer.police_number]
    assert frame.loc[0, "积分合计"] == pytest.approx(0.95)
    assert AuditEntry.objects.get(action="certification.points.promotion_exported").data["rows"] == 1


# --- scope --------------------------------------------------------------------------------------------


def test_officer_sees_only_their_own_ledger(client, officer, squad_officer):
    client.force_login(officer)
    assert client.get(reverse("certification:my_points")).status_code == 200
    assert client.get(reverse("certification:officer_points", args=[officer.pk])).status_code == 200
    assert client.get(reverse("certification:officer_points", args=[squad_officer.pk])).status_code == 404
    assert client.get(reverse("certification:promotion_summary", args=[squad_officer.pk])).status_code == 404
    assert client.get(reverse("certification:points_summary")).status_code == 403


def test_unit_leader_sees_their_unit_subtree_only(client, unit_leader, officer, squad_officer, outsider):
    client.force_login(unit_leader)
    for person in (officer, squad_officer):
        assert client.get(reverse("certification:officer_points", args=[person.pk])).status_code == 200
    assert client.get(reverse("certification:officer_points", args=[outsider.pk])).status_code == 404
    assert client.get(reverse("certification:promotion_summary", args=[outsider.pk])).status_code == 404
    rows = client.get(reverse("certification:points_summary")).context["rows"]
    assert outsider not in [row["officer"] for row in rows]
    assert officer in [row["officer"] for row in rows]


def test_hr_sees_everyone(client, hr, outsider, officer):
    client.force_login(hr)
    assert client.get(reverse("certification:officer_points", args=[outsider.pk])).status_code == 200
    rows = client.get(reverse("certification:points_summary")).context["rows"]
    assert {outsider, officer} <= {row["officer"] for row in rows}
    assert client.get(reverse("certification:officer_points", args=[999999])).status_code == 404


def test_ledger_page_links_each_entry_to_its_source(client, officer, trainer, legal_leader):
    case(officer, legal_leader)
    item = attendance(officer, state=AttendanceState.VERIFIED)
    points_rebuild(officer, this_year())
    client.force_login(officer)
    entries = client.get(reverse("certification:my_points")).context["ledger"].entries
    urls = {entry.category: entry.source_url for entry in entries}
    assert urls[PointCategory.COURT].endswith(f"#attendance-{item.pk}")
    assert "A2026001" in urls[PointCategory.CASE_HANDLING]


def test_file_entries(officer, legal_leader):
    case(officer, legal_leader)
    attendance(officer, state=AttendanceState.REJECTED, reject_reason="无证明")
    points_rebuild(officer, this_year())
    [points_line] = file_entries(officer)
    assert points_line.points == Decimal("0.95") and points_line.kind == "points"
    [court_line] = court_file_entries(officer)
    assert court_line.kind == "court" and "无证明" in court_line.detail


# --- demo ---------------------------------------------------------------------------------------------


def test_demo_builds_sequence_attendance_ledgers_indicators_and_a_rerun_changes_nothing():
    from certification.demo.points import build
    from certification.models import CaseHandlingIndicator, CourtAttendance, PointsSequence
    from portal.demo import DemoContext, run_builders

    ctx = run_builders(
        DemoContext(), ["portal.demo.units.build", "portal.demo.accounts.build", "portal.demo.people.build"]
    )
    build(ctx)
    year = ctx.today.year
    officer001 = ctx.accounts["officer"]
    assert PointsSequence.objects.count() == 40
    assert set(CourtAttendance.objects.values_list("state", flat=True)) == set(AttendanceState.values)
    progress = promotion_summary(officer001, year).court
    assert (progress.verified, progress.required) == (1, 2)
    assert PointEntry.objects.filter(officer=officer001, category=PointCategory.COURT).count() == 1
    verified = CourtAttendance.objects.filter(state=AttendanceState.VERIFIED).count()
    assert PointEntry.objects.filter(category=PointCategory.COURT).count() == verified
    states = {row.state for row in indicator_list(ctx.accounts["hr"], year=year)}
    assert {IndicatorState.MET, IndicatorState.NOT_MET} <= states
    assert CaseHandlingIndicator.objects.exists()

    counts = (CourtAttendance.objects.count(), PointEntry.objects.count(), CaseHandlingIndicator.objects.count())
    rerun = DemoContext(accounts=ctx.accounts, units=ctx.units)
    build(rerun)
    assert (
        CourtAttendance.objects.count(),
        PointEntry.objects.count(),
        CaseHandlingIndicator.objects.count(),
    ) == counts
    assert not rerun.created_counts and not rerun.updated_counts


def test_every_page_renders_for_the_legal_brigade_and_forms_save(client, trainer, officer, legal_leader, settings):
    from certification.models import CaseHandlingIndicator, CourtRequirement

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    year = this_year()
    case(officer, legal_leader)
    attendance(officer, state=AttendanceState.VERIFIED)
    officer.birth_date = born_aged(53, year)
    officer.save(update_fields=["birth_date"])
    points_rebuild(officer, year)
    client.force_login(trainer)
    client.post(
        reverse("certification:court_requirements"),
        {"year": year, "sequence": "case_handling", "required": 3, "points_each": "2"},
    )
    assert CourtRequirement.objects.get(year=year).required == 3
    client.post(
        reverse("certification:indicator_targets"),
        {"year": year, "min_age": 50, "cases_required": 5, "incidents_required": 20},
    )
    client.post(
        reverse("certification:indicator_entry"),
        {"officer": officer.police_number, "year": year, "cases_handled": 6, "incidents_responded": 25},
    )
    assert CaseHandlingIndicator.objects.get(officer=officer, year=year).cases_handled == 6
    token = client.get(reverse("certification:points_manual")).context["form"]["token"].value()
    manual = {"token": token, "officer": officer.police_number, "year": year, "category": "other", "points": "2"}
    response = client.post(reverse("certification:points_manual"), {**manual, "reason": "市局嘉奖"})
    assert response.status_code == 302
    client.post(reverse("certification:points_manual"), {**manual, "reason": "市局嘉奖"})
    assert PointEntry.objects.filter(officer=officer, source_type="").count() == 1

    pages = [
        reverse("certification:my_court"),
        reverse("certification:court_review"),
        reverse("certification:court_shortfall"),
        reverse("certification:court_requirements"),
        reverse("certification:court_sequence"),
        reverse("certification:my_points"),
        reverse("certification:officer_points", args=[officer.pk]),
        reverse("certification:promotion_summary", args=[officer.pk]),
        reverse("certification:points_summary"),
        reverse("certification:indicator_list"),
        reverse("certification:indicator_targets"),
        reverse("certification:indicator_entry"),
        reverse("certification:points_summary_xlsx"),
        reverse("certification:indicator_list_xlsx"),
        reverse("certification:promotion_summary_one_xlsx", args=[officer.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    ledger = client.get(reverse("certification:officer_points", args=[officer.pk]))
    assert ledger.context["indicator"].state == IndicatorState.MET
    assert b"indicator-status" in ledger.content
