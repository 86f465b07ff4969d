"""One demo account per role, with the password documented in README.md.

The accounts are put back to their documented state on every run — unit, flags, roles and
password — so the README table always works, whatever was changed while trying the demo.
Each account takes a post in the branch (``unit_path`` + ``slot_kind`` + ``position``), which
the generated officers then leave free.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from people.models import Category, OfficerStatus, Role, User
from people.services import officer_status_change
from portal.demo import DEMO_PASSWORD, SEED_ACTOR, DemoAccount, DemoContext
from portal.demo.units import BRANCH, CRIMINAL_BRIGADE, HR_OFFICE, LEGAL_BRIGADE, STATION, STATION_SQUAD


@dataclass
class DemoSpec:
    key: str
    police_number: str
    name: str
    unit_path: str
    slot_kind: str
    position: str
    roles: list[str]
    role_label: str
    try_this: str
    category: str = Category.OFFICER
    is_middle_leader: bool = False
    is_legal_officer: bool = False
    is_legal_brigade: bool = False
    is_new_officer: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    age: int = 35


DEMO_ACCOUNTS: list[DemoSpec] = [
    DemoSpec(
        key="admin",
        police_number="admin",
        name="系统管理员",
        unit_path=BRANCH,
        slot_kind="admin",
        position="系统管理员",
        roles=[Role.ADMIN],
        is_staff=True,
        is_superuser=True,
        role_label=_("Administrator"),
        try_this=_("Everything, including the Wagtail admin at /admin/ and API keys"),
    ),
    DemoSpec(
        key="hr",
        police_number="hr001",
        name="孙丽华",
        unit_path=HR_OFFICE,
        slot_kind="staff",
        position="政治处民警",
        roles=[Role.OFFICER, Role.HR],
        role_label=_("HR (political department)"),
        try_this=_("Personnel of the whole branch, qualification records and exports"),
    ),
    DemoSpec(
        key="trainer",
        police_number="trainer001",
        name="陈静怡",
        unit_path=LEGAL_BRIGADE,
        slot_kind="staff",
        position="法制大队民警",
        roles=[Role.OFFICER, Role.TRAINER],
        is_legal_brigade=True,
        role_label=_("Trainer (legal brigade)"),
        try_this=_("Publish study material, maintain the question bank, schedule exams, grade answers"),
    ),
    DemoSpec(
        key="legal_leader",
        police_number="leader001",
        name="赵志刚",
        unit_path=LEGAL_BRIGADE,
        slot_kind="leader",
        position="大队长",
        roles=[Role.OFFICER, Role.LEGAL_LEADER],
        is_legal_brigade=True,
        is_middle_leader=True,
        age=48,
        role_label=_("Legal-brigade leader"),
        try_this=_("Approve published study material and qualification grants"),
    ),
    DemoSpec(
        key="unit_leader",
        police_number="unitlead001",
        name="刘建国",
        unit_path=STATION,
        slot_kind="leader",
        position="所长",
        roles=[Role.OFFICER, Role.UNIT_LEADER],
        is_middle_leader=True,
        age=46,
        role_label=_("Unit leader (police station head)"),
        try_this=_("Training and exam records of everyone in 北山派出所 and its squads"),
    ),
    DemoSpec(
        key="officer",
        police_number="officer001",
        name="张伟",
        unit_path=STATION_SQUAD,
        slot_kind="staff",
        position="民警",
        roles=[Role.OFFICER],
        role_label=_("Officer"),
        try_this=_("Assigned study, practice and exams, own results, notifications"),
    ),
    DemoSpec(
        key="auxiliary",
        police_number="aux001",
        name="李娜",
        unit_path=STATION_SQUAD,
        slot_kind="staff",
        position="辅警",
        roles=[Role.AUXILIARY],
        category=Category.AUXILIARY,
        age=28,
        role_label=_("Auxiliary officer"),
        try_this=_("Study material and tests for auxiliary officers"),
    ),
    DemoSpec(
        key="new_officer",
        police_number="newcop001",
        name="王浩然",
        unit_path=STATION,
        slot_kind="staff",
        position="民警",
        roles=[Role.OFFICER],
        is_new_officer=True,
        age=24,
        role_label=_("New officer"),
        try_this=_("The 123 pathway: shadowing, mentor, lead-officer qualification test"),
    ),
    DemoSpec(
        key="legal_officer",
        police_number="legal001",
        name="周敏",
        unit_path=STATION,
        slot_kind="legal_officer",
        position="法制员",
        roles=[Role.OFFICER],
        is_legal_officer=True,
        role_label=_("Legal officer (法制员)"),
        try_this=_("Quarterly legal-officer evaluation"),
    ),
    DemoSpec(
        key="middle_leader",
        police_number="mid001",
        name="吴军",
        unit_path=CRIMINAL_BRIGADE,
        slot_kind="leader",
        position="副大队长",
        roles=[Role.OFFICER],
        is_middle_leader=True,
        age=52,
        role_label=_("Middle leader"),
        try_this=_("Sampled into the annual concentrated test for middle leaders"),
    ),
]


def build(ctx: DemoContext) -> None:
    groups = {code: Group.objects.get_or_create(name=code)[0] for code in Role.values}
    _adopt_valid_password_hash(ctx)
    _ensure_demo_accounts(ctx, groups)


def _adopt_valid_password_hash(ctx: DemoContext) -> None:
    """Reuse a demo account's hash when it is still the demo password: checking one distinct hash
    is one slow hash computation, instead of one per account."""
    numbers = [spec.police_number for spec in DEMO_ACCOUNTS]
    for encoded in set(User.objects.filter(police_number__in=numbers).values_list("password", flat=True)):
        if check_password(DEMO_PASSWORD, encoded):
            ctx.password_hash = encoded
            return


def _demo_fields(spec: DemoSpec, ctx: DemoContext) -> dict:
    return {
        "name": spec.name,
        "unit_id": ctx.units[spec.unit_path].pk,
        "category": spec.category,
        "position": spec.position,
        "is_middle_leader": spec.is_middle_leader,
        "is_legal_officer": spec.is_legal_officer,
        "is_legal_brigade": spec.is_legal_brigade,
        "is_new_officer": spec.is_new_officer,
        "is_staff": spec.is_staff,
        "is_superuser": spec.is_superuser,
        "is_active": True,
    }


def _ensure_demo_accounts(ctx: DemoContext, groups: dict[str, Group]) -> None:
    for spec in DEMO_ACCOUNTS:
        wanted = _demo_fields(spec, ctx)
        user = User.objects.filter(police_number=spec.police_number).first()
        if user is None:
            joined = (
                ctx.today - datetime.timedelta(days=60)
                if spec.is_new_officer
                else datetime.date(ctx.today.year - spec.age + 23, 7, 1)
            )
            user = User.objects.create(
                police_number=spec.police_number,
                status=OfficerStatus.ACTIVE,
                password=ctx.ensure_password_hash(),
                birth_date=datetime.date(ctx.today.year - spec.age, 5, 1),
                service_start_date=joined,
                **wanted,
            )
            ctx.created(_("demo accounts"))
        else:
            changed = [name for name, value in wanted.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, wanted[name])
            if user.password != ctx.password_hash:
                # Not the verified shared hash: someone changed this password while trying the demo.
                user.password = ctx.ensure_password_hash()
                changed.append("password")
            if changed:
                user.save(update_fields=changed)
            # Through the people service, so the officer's history shows the way back on duty.
            status_changed = officer_status_change(
                officer=user, to_status=OfficerStatus.ACTIVE, reason="演示账号复位", actor=SEED_ACTOR
            )
            if changed or status_changed:
                ctx.updated(_("demo accounts"))
        wanted_groups = {groups[code] for code in spec.roles}
        current_groups = set(user.groups.all())
        if current_groups != wanted_groups:
            user.groups.set(wanted_groups)
            if current_groups:  # a new account getting its roles is part of "created"
                ctx.updated(_("demo account roles"))
        ctx.accounts[spec.key] = user
        ctx.account_rows.append(DemoAccount(spec.key, spec.police_number, str(spec.role_label), str(spec.try_this)))
