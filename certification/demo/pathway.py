"""Demo data for the 123 pathway: a dozen new officers spread over every phase (one overdue, one who
failed the lead-officer test once), mentors who hold 主办民警资格, shadowing logs signed and waiting,
and case-quality records — phase-3 ones shared with the mentor, and one serious deduction.

The officers are created through ``people.services.officer_create`` with 新警 set, so the people
hook enrols them; their history (phase moves weeks ago) is then written with the dates it would
have had. Idempotent: an officer who already exists keeps the pathway they have.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    CertificationPolicy,
    LogStatus,
    MentorBinding,
    Pathway,
    PathwayPhase,
    PathwayTransition,
    Qualification,
    QualificationSource,
    QualificationType,
    ShadowingLogEntry,
    WorkType,
)
from certification.selectors.pathway import add_months
from certification.services.cases import case_record_save
from certification.services.pathway import pathway_enrol
from people.models import User
from people.services import officer_create
from portal.demo import SEED_ACTOR, DemoContext
from portal.demo.units import BRANCH, STATION, STATION_SQUAD

LINGYIN = f"{BRANCH}/灵隐派出所"
WENXIN = f"{BRANCH}/文新派出所"

# Mentors (师傅): experienced officers with 主办民警资格. officer001 (张伟) mentors newcop001.
MENTORS = [
    ("039101", "周建华", STATION, 16),
    ("039102", "何志强", LINGYIN, 12),
    ("039103", "钱国栋", WENXIN, 9),
]

LOG_TEXTS = {
    WorkType.CASE_REVIEW: "跟班审核治安案件卷宗，学习受案、立案审查要点",
    WorkType.CASE_FILE: "协助整理电子卷宗，核对证据目录和文书签章",
    WorkType.INTERROGATION: "旁听询问笔录制作，学习权利义务告知",
    WorkType.INCIDENT: "随师傅出警处置纠纷警情，现场取证并制作现场笔录",
    WorkType.EVIDENCE: "随师傅调取监控视频，学习电子证据提取固定",
    WorkType.CASE_HANDLING: "在师傅指导下办理一起轻微盗窃案件",
}


@dataclass
class Plan:
    """One new officer's story, in days before today."""

    police_number: str
    name: str
    unit: str
    started: int  # days ago
    phase: str
    phase2_from: int | None = None  # days ago
    phase3_from: int | None = None
    ended: int | None = None  # completed / withdrawn, days ago
    mentor: str | None = None  # police number
    bound: int | None = None  # days ago
    failed: int | None = None  # failed the lead-officer test, days ago
    pending_logs: int = 0
    note: str = ""
    cases: list[tuple[int, dict]] = field(default_factory=list)  # (days ago, fields)


PLANS = [
    Plan("newcop001", "王浩然", STATION, 50, PathwayPhase.PHASE2, 20, mentor="officer001", bound=25, pending_logs=1),
    Plan("039001", "林晓东", STATION, 10, PathwayPhase.PHASE1, pending_logs=1),
    Plan("039002", "陈思远", LINGYIN, 3, PathwayPhase.PHASE1),
    Plan("039003", "黄一鸣", WENXIN, 45, PathwayPhase.PHASE1, note="overdue"),
    Plan("039004", "吴嘉豪", STATION_SQUAD, 60, PathwayPhase.PHASE2, 28, mentor="039101", bound=32, pending_logs=1),
    Plan("039005", "徐子涵", LINGYIN, 100, PathwayPhase.PHASE2, 68, mentor="039102", bound=70, failed=4),
    Plan(
        "039006",
        "孙浩宇",
        STATION,
        125,
        PathwayPhase.PHASE3,
        95,
        35,
        mentor="039102",
        bound=98,
        cases=[
            (30, {"score": 95, "commendation": "案件办理规范，获分局通报表扬"}),
            (12, {"score": 88, "deductions": 12}),
        ],
    ),
    Plan(
        "039007",
        "马天佑",
        STATION_SQUAD,
        150,
        PathwayPhase.PHASE3,
        120,
        62,
        mentor="039101",
        bound=122,
        cases=[
            (50, {"score": 90, "deductions": 10, "issue_categories": "文书制作瑕疵"}),
            (
                20,
                {
                    "score": 55,
                    "deductions": 45,
                    "serious": True,
                    "issue_categories": "证据收集不规范、超期羁押风险",
                    "note": "未依法告知诉讼权利，证据链缺失",
                },
            ),
        ],
    ),
    Plan(
        "039008",
        "朱博文",
        WENXIN,
        100,
        PathwayPhase.PHASE3,
        70,
        9,
        mentor="039103",
        bound=72,
        cases=[(5, {"score": 92, "deductions": 8, "issue_categories": "程序瑕疵"})],
    ),
    Plan(
        "039009",
        "郭晨阳",
        STATION,
        230,
        PathwayPhase.COMPLETED,
        200,
        140,
        ended=45,
        mentor="039103",
        bound=202,
        cases=[(100, {"score": 93}), (20, {"score": 96, "commendation": "快速破获系列盗窃案"})],
    ),
    Plan("039010", "罗俊杰", LINGYIN, 215, PathwayPhase.COMPLETED, 185, 125, ended=30, mentor="039101", bound=186),
    Plan("039011", "梁雨轩", WENXIN, 20, PathwayPhase.WITHDRAWN, ended=6, note="调任其他分局"),
]

LABEL = _("new-officer pathways")


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


def _lead_type() -> QualificationType:
    return QualificationType.objects.get(code="lead_officer")


def _grant_lead(officer: User, granted_on: datetime.date, leader) -> None:
    """主办民警资格 through the qualification service (a leader's manual grant for the demo)."""
    if Qualification.objects.filter(officer=officer, qualification_type__code="lead_officer").exists():
        return
    from certification.services.qualifications import qualification_grant

    qualification_grant(
        officer=officer,
        qualification_type=_lead_type(),
        source=QualificationSource.MANUAL,
        actor=leader,
        granted_on=granted_on,
        reason="主办民警资格测试合格（演示数据）",
    )


def build(ctx: DemoContext) -> None:
    if STATION not in ctx.units or "new_officer" not in ctx.accounts:
        return  # the demo branch is not there
    trainer = ctx.accounts["trainer"]
    leader = ctx.accounts.get("legal_leader") or trainer
    today = ctx.today
    mentors = {"officer001": ctx.accounts["officer"]}
    for number, name, unit, years in MENTORS:
        mentor = User.objects.filter(police_number=number).first()
        if mentor is None:
            mentor = officer_create(
                police_number=number,
                name=name,
                unit=ctx.units[unit],
                actor=SEED_ACTOR,
                source="demo",
                position="民警",
                birth_date=datetime.date(today.year - years - 24, 3, 1),
                service_start_date=datetime.date(today.year - years, 7, 1),
            )
            ctx.created(_("mentors"))
        mentors[number] = mentor
    for mentor in mentors.values():
        _grant_lead(mentor, today - datetime.timedelta(days=800), leader)

    policy = CertificationPolicy.current()
    for plan in PLANS:
        if plan.police_number == "newcop001":
            officer = ctx.accounts["new_officer"]
            if Pathway.objects.filter(officer=officer).exists():
                continue
            pathway = pathway_enrol(officer=officer, actor=SEED_ACTOR)
        else:
            if User.objects.filter(police_number=plan.police_number).exists():
                continue
            officer = officer_create(
                police_number=plan.police_number,
                name=plan.name,
                unit=ctx.units[plan.unit],
                actor=SEED_ACTOR,
                source="demo",
                position="民警",
                is_new_officer=True,
                birth_date=datetime.date(today.year - 24, 9, 1),
                service_start_date=today - datetime.timedelta(days=plan.started),
            )
            pathway = Pathway.objects.get(officer=officer)  # enrolled by the people hook
        _write_history(pathway, plan, mentors, trainer, leader, policy, today)
        ctx.created(LABEL)


def _write_history(pathway, plan: Plan, mentors, trainer, leader, policy, today) -> None:
    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    start = ago(plan.started)
    phase1_due = add_months(start, policy.phase1_months)
    phase2_due = add_months(start, policy.phase1_months + policy.phase2_months)
    phase3_due = add_months(start, policy.phase1_months + policy.phase2_months + policy.phase3_months)
    PathwayTransition.objects.filter(pathway=pathway).update(at=_moment(start))
    moves: list[tuple[str, str, datetime.date, str, int, object]] = []
    mentor = mentors.get(plan.mentor) if plan.mentor else None
    phase_started = start
    if plan.phase2_from is not None:
        phase_started = ago(plan.phase2_from)
        phase2_due = add_months(phase_started, policy.phase2_months)
        phase3_due = add_months(phase2_due, policy.phase3_months)
        moves.append((PathwayPhase.PHASE1, PathwayPhase.PHASE2, phase_started, "", 0, trainer))
    retake_from = None
    extension = 0
    if plan.failed is not None:
        extension = policy.retake_wait_days
        retake_from = ago(plan.failed) + datetime.timedelta(days=extension)
        phase2_due += datetime.timedelta(days=extension)
        phase3_due += datetime.timedelta(days=extension)
        moves.append(
            (
                PathwayPhase.PHASE2,
                PathwayPhase.PHASE2,
                ago(plan.failed),
                f"主办民警资格测试未通过（第1次）；{retake_from.isoformat()} 起可补考",
                extension,
                None,
            )
        )
    if plan.phase3_from is not None:
        phase_started = ago(plan.phase3_from)
        phase3_due = add_months(phase_started, policy.phase3_months)
        moves.append((PathwayPhase.PHASE2, PathwayPhase.PHASE3, phase_started, "主办民警资格测试合格", 0, None))
    completed_on = None
    if plan.phase in (PathwayPhase.COMPLETED, PathwayPhase.WITHDRAWN):
        from_phase = PathwayPhase.PHASE3 if plan.phase == PathwayPhase.COMPLETED else PathwayPhase.PHASE1
        phase_started = ago(plan.ended)
        completed_on = phase_started if plan.phase == PathwayPhase.COMPLETED else None
        moves.append((from_phase, plan.phase, phase_started, plan.note, 0, leader))
    for from_phase, to_phase, day, reason, days, actor in moves:
        PathwayTransition.objects.create(
            pathway=pathway,
            from_phase=from_phase,
            to_phase=to_phase,
            reason=reason,
            extension_days=days,
            actor=actor,
            at=_moment(day),
        )
    Pathway.objects.filter(pk=pathway.pk).update(
        phase=plan.phase,
        start_date=start,
        phase_started_on=phase_started,
        phase1_due=phase1_due,
        phase2_due=phase2_due,
        phase3_due=phase3_due,
        extension_days=extension,
        retake_from=retake_from if plan.phase == PathwayPhase.PHASE2 else None,
        completed_on=completed_on,
        enrolled_by=None,
        created_at=_moment(start),
    )
    pathway.refresh_from_db()

    if mentor is not None:
        ended = ago(plan.ended) if plan.ended is not None else None
        MentorBinding.objects.create(
            mentee=pathway.officer,
            mentor=mentor,
            pathway=pathway,
            started_on=ago(plan.bound),
            ended_on=ended,
            reason="同单位经验丰富的主办民警",
            end_reason="培养期满" if ended else "",
            bound_by=trainer,
            ended_by=leader if ended else None,
        )
    _write_logs(pathway, plan, mentor, trainer, today)
    if plan.phase3_from is not None:
        _grant_lead(pathway.officer, ago(plan.phase3_from), leader)
    for number, (days, fields) in enumerate(plan.cases, start=1):
        case_record_save(
            officer=pathway.officer,
            case_number=f"A330106{today.year}{plan.police_number[-3:]}{number:03d}",
            case_date=ago(days),
            case_title=f"{pathway.officer.name}主办案件{number}",
            source="form",
            actor=trainer,
            today=today,
            **{"deductions": Decimal("0"), **fields},
        )


def _write_logs(pathway, plan: Plan, mentor, trainer, today) -> None:
    """Phase-1 days signed by the legal brigade, phase-2 days signed by the mentor; the most recent
    ``pending_logs`` days of the current phase still wait for a signature."""
    types = list(LOG_TEXTS)
    end1 = today - datetime.timedelta(days=plan.phase2_from) if plan.phase2_from is not None else today
    if plan.phase == PathwayPhase.WITHDRAWN:
        end1 = today - datetime.timedelta(days=plan.ended)
    entries = []
    phase1_days = [pathway.start_date + datetime.timedelta(days=offset) for offset in (1, 5, 9, 15)]
    phase1_days = [day for day in phase1_days if day < end1]
    for index, day in enumerate(phase1_days):
        entries.append((PathwayPhase.PHASE1, day, types[index % 3], trainer))
    if plan.phase2_from is not None and mentor is not None:
        end2 = today - datetime.timedelta(days=plan.phase3_from) if plan.phase3_from is not None else today
        start2 = today - datetime.timedelta(days=plan.phase2_from)
        for index, offset in enumerate((2, 8, 15, 22)):
            day = start2 + datetime.timedelta(days=offset)
            if day < end2:
                entries.append((PathwayPhase.PHASE2, day, types[3 + index % 3], mentor))
    current = [entry for entry in entries if entry[0] == plan.phase]
    pending = {id(entry) for entry in current[-plan.pending_logs :]} if plan.pending_logs else set()
    rows = []
    for entry in entries:
        phase, day, work_type, signer = entry
        waiting = id(entry) in pending
        rows.append(
            ShadowingLogEntry(
                pathway=pathway,
                phase=phase,
                date=day,
                work_type=work_type,
                description=LOG_TEXTS[work_type],
                hours=Decimal("8.0") if phase == PathwayPhase.PHASE1 else Decimal("6.5"),
                status=LogStatus.SUBMITTED if waiting else LogStatus.SIGNED,
                signer=None if waiting else signer,
                signed_at=None if waiting else _moment(day + datetime.timedelta(days=1)),
                created_at=_moment(day),
            )
        )
    ShadowingLogEntry.objects.bulk_create(rows)
