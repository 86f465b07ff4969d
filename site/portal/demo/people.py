"""The demo branch's 300 people: generated officers around the demo accounts.

Generated officers are created once and then left alone, so changes made while trying the demo
(a status set by HR, a moved officer) survive a rerun. Everything random comes from a fixed seed:
every machine gets the same names, posts and dates. The shares below give about 30 % auxiliary
officers, 10 % middle leaders, 5 % new officers, one legal officer per station and brigade, and
some officers over 50.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from people.models import Category, OfficerStatus, OfficerStatusChange, Role, User
from people.models.units import UnitKind
from portal.demo import DemoContext
from portal.demo.accounts import DEMO_ACCOUNTS
from portal.demo.units import BRANCH, HR_OFFICE, LEGAL_BRIGADE, UNITS

# Leadership posts per unit kind. Heads of offices, brigades, stations and squads are middle
# leaders (中层领导); the bureau's own leaders are not.
LEADER_POSTS: dict[str, list[str]] = {
    UnitKind.BRANCH: ["局长", "政委", "副局长"],
    UnitKind.OFFICE: ["主任", "副主任"],
    UnitKind.BRIGADE: ["大队长", "教导员", "副大队长"],
    UnitKind.STATION: ["所长", "教导员", "副所长", "副所长"],
    UnitKind.SQUAD: ["中队长"],
}
# One full-time legal officer (法制员) per police station and per investigating brigade.
LEGAL_OFFICER_UNIT_KINDS = {UnitKind.STATION, UnitKind.BRIGADE}

AUXILIARY_SHARE = 0.30
NEW_OFFICER_SHARE = 0.05
# Weights of the statuses of generated people; the rest are on duty.
STATUS_WEIGHTS = [
    (OfficerStatus.ACTIVE, 88),
    (OfficerStatus.SECONDED, 4),
    (OfficerStatus.ON_LEAVE, 4),
    (OfficerStatus.LEFT, 4),
]

# Most common surnames first; the first ones are drawn more often.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
# Whole given names (not random characters, which read oddly): about 60 % men in the force.
GIVEN_NAMES_MEN = (  # noqa: SIM905 - a spaced string reads better than 70 quoted items
    "伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 斌 鹏 飞 浩 凯 健 俊 峰 亮 波 宇 鑫 建国 建华 志强 志刚 志明 国强 海波"
    " 海涛 晓东 晓明 文博 俊杰 浩然 子豪 宇航 天翔 振华 永刚 建军 建平 春生 立新 卫东 德胜 家豪 明辉 宏伟 鹏飞"
    " 晨阳 嘉豪 思远 一鸣 承志 博文 金龙 国庆 少华 永明 学军 耀华 正阳 子轩 皓宇 俊熙"
).split()
GIVEN_NAMES_WOMEN = (  # noqa: SIM905
    "芳 娜 敏 静 丽 艳 娟 霞 婷 雪 颖 倩 丹 琳 洁 萍 燕 玲 慧 秀英 桂英 丽华 晓燕 婷婷 佳怡 欣然 子涵 思雨 雨欣"
    " 梦瑶 诗涵 晓丽 春梅 玉兰 海燕 丽娟 静怡 慧敏 雅琴 文静 晓琳 美玲 凤英 雨桐 可馨 若曦 晓雯 月华 素芬"
).split()


@dataclass
class Slot:
    """One person's place in the branch before a person is put into it."""

    unit_path: str
    kind: str  # "bureau" | "admin" | "leader" | "legal_officer" | "staff"
    position: str = ""
    claimed_by: str = ""


@dataclass
class PlannedOfficer:
    police_number: str
    unit_path: str
    fields: dict
    roles: list[str] = field(default_factory=list)


def build(ctx: DemoContext) -> None:
    groups = {code: Group.objects.get_or_create(name=code)[0] for code in Role.values}
    planned = _plan_officers(ctx.random_for("people"), ctx.today)
    _ensure_generated_officers(ctx, planned, groups)


# --- planning (pure: same seed, same people) ----------------------------------------------------


def _slots() -> list[Slot]:
    slots: list[Slot] = []
    for path, kind, headcount in UNITS:
        if kind == UnitKind.BRANCH:
            unit_slots = [Slot(path, "bureau", post) for post in LEADER_POSTS[kind]] + [
                Slot(path, "admin", "系统管理员")
            ]
        else:
            unit_slots = [Slot(path, "leader", post) for post in LEADER_POSTS[kind]]
        if kind in LEGAL_OFFICER_UNIT_KINDS and path != LEGAL_BRIGADE:
            unit_slots.append(Slot(path, "legal_officer", "法制员"))
        unit_slots += [Slot(path, "staff") for _ in range(headcount - len(unit_slots))]
        slots += unit_slots[:headcount]
    for spec in DEMO_ACCOUNTS:
        slot = next(
            s
            for s in slots
            if not s.claimed_by
            and s.unit_path == spec.unit_path
            and s.kind == spec.slot_kind
            and (spec.slot_kind == "staff" or s.position == spec.position)
        )
        slot.claimed_by = spec.key
    return slots


def _is_operational(path: str) -> bool:
    return path not in {BRANCH, HR_OFFICE, LEGAL_BRIGADE}


def _plan_officers(rng: random.Random, today: datetime.date) -> list[PlannedOfficer]:
    slots = _slots()
    open_slots = [s for s in slots if not s.claimed_by]
    total = len(slots)
    demo_auxiliaries = sum(1 for spec in DEMO_ACCOUNTS if spec.category == Category.AUXILIARY)
    demo_new = sum(1 for spec in DEMO_ACCOUNTS if spec.is_new_officer)

    # Auxiliary officers and new officers work in the operational units, in ordinary posts.
    operational_staff = [s for s in open_slots if s.kind == "staff" and _is_operational(s.unit_path)]
    rng.shuffle(operational_staff)
    auxiliary_count = round(total * AUXILIARY_SHARE) - demo_auxiliaries
    new_count = round(total * NEW_OFFICER_SHARE) - demo_new
    auxiliaries = {id(s) for s in operational_staff[:auxiliary_count]}
    new_officers = {id(s) for s in operational_staff[auxiliary_count : auxiliary_count + new_count]}

    planned: list[PlannedOfficer] = []
    officer_seq = auxiliary_seq = 0
    for slot in open_slots:
        is_auxiliary = id(slot) in auxiliaries
        is_new = id(slot) in new_officers
        if is_auxiliary:
            auxiliary_seq += 1
            police_number = f"F{31000 + auxiliary_seq}"
        else:
            officer_seq += 1
            police_number = f"0{31000 + officer_seq}"
        status = OfficerStatus.ACTIVE if is_new else _weighted(rng, STATUS_WEIGHTS)
        birth_date, service_start = _dates(rng, today, slot=slot, is_auxiliary=is_auxiliary, is_new=is_new)
        planned.append(
            PlannedOfficer(
                police_number=police_number,
                unit_path=slot.unit_path,
                fields={
                    "name": _name(rng),
                    "category": Category.AUXILIARY if is_auxiliary else Category.OFFICER,
                    "position": _position(slot, is_auxiliary),
                    "is_middle_leader": slot.kind == "leader",
                    "is_legal_officer": slot.kind == "legal_officer",
                    "is_legal_brigade": slot.unit_path == LEGAL_BRIGADE,
                    "is_new_officer": is_new,
                    "birth_date": birth_date,
                    "service_start_date": service_start,
                    "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                    "status": status,
                    "is_active": status != OfficerStatus.LEFT,
                },
                roles=_roles(slot, is_auxiliary),
            )
        )
    return planned


def _weighted(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _w in weights], weights=[w for _v, w in weights])[0]


def _name(rng: random.Random) -> str:
    # Rank-weighted surnames: 王, 李, 张 … are far more common than the tail of the list.
    surname = rng.choices(SURNAMES, weights=[1 / (rank + 4) for rank in range(len(SURNAMES))])[0]
    given_names = GIVEN_NAMES_MEN if rng.random() < 0.6 else GIVEN_NAMES_WOMEN
    return surname + rng.choice(given_names)


def _position(slot: Slot, is_auxiliary: bool) -> str:
    if slot.position:
        return slot.position
    if is_auxiliary:
        return "辅警"
    if slot.unit_path == LEGAL_BRIGADE:
        return "法制大队民警"
    if slot.unit_path == HR_OFFICE:
        return "政治处民警"
    return "民警"


def _roles(slot: Slot, is_auxiliary: bool) -> list[str]:
    if is_auxiliary:
        return [Role.AUXILIARY]
    roles = [Role.OFFICER]
    if slot.unit_path == HR_OFFICE:
        roles.append(Role.HR)
    elif slot.unit_path == LEGAL_BRIGADE:
        roles.append(Role.LEGAL_LEADER if slot.kind == "leader" else Role.TRAINER)
    elif slot.kind == "leader":
        roles.append(Role.UNIT_LEADER)
    return roles


def _dates(
    rng: random.Random, today: datetime.date, *, slot: Slot, is_auxiliary: bool, is_new: bool
) -> tuple[datetime.date, datetime.date]:
    """Birth date and service start date. Some officers are over 50 (item 16 of the plan)."""
    if is_new:
        age = rng.randint(22, 27)
    elif is_auxiliary:
        age = rng.randint(21, 52)
    elif slot.kind in {"leader", "bureau"}:
        age = rng.randint(36, 57)
    else:
        age = rng.randint(25, 57)
    birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    if is_new:
        # Joined in the last five months: the 123 pathway is still running.
        return birth, today - datetime.timedelta(days=rng.randint(20, 150))
    joined_at_age = rng.randint(20, 30) if is_auxiliary else rng.randint(21, 26)
    start_year = min(birth.year + joined_at_age, today.year - 1)
    return birth, datetime.date(start_year, rng.choice([3, 7, 7, 8, 9, 12]), 1)


def _ensure_generated_officers(ctx: DemoContext, planned: list[PlannedOfficer], groups: dict[str, Group]) -> None:
    numbers = [p.police_number for p in planned]
    existing = set(User.objects.filter(police_number__in=numbers).values_list("police_number", flat=True))
    missing = [p for p in planned if p.police_number not in existing]
    if not missing:
        return
    password_hash = ctx.ensure_password_hash()
    User.objects.bulk_create(
        [
            User(police_number=p.police_number, unit=ctx.units[p.unit_path], password=password_hash, **p.fields)
            for p in missing
        ],
        batch_size=500,
    )
    pks = dict(
        User.objects.filter(police_number__in=[p.police_number for p in missing]).values_list("police_number", "pk")
    )
    membership = User.groups.through
    membership.objects.bulk_create(
        [membership(user_id=pks[p.police_number], group_id=groups[code].pk) for p in missing for code in p.roles],
        batch_size=1000,
    )
    # Officers who are not on duty got there by a transition; the history shows one.
    OfficerStatusChange.objects.bulk_create(
        [
            OfficerStatusChange(
                officer_id=pks[p.police_number],
                from_status=OfficerStatus.ACTIVE,
                to_status=p.fields["status"],
                reason="演示数据",
            )
            for p in missing
            if p.fields["status"] != OfficerStatus.ACTIVE
        ]
    )
    ctx.created(_("officers"), len(missing))
