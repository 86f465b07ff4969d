"""Persona fixtures: a small branch and one person per role.

西湖分局 (branch)
├── 法制大队          trainer, legal_leader
├── 北山派出所         unit_leader, officer, auxiliary
│   └── 一中队         squad_officer
├── 治安大队          outsider
└── 政治处            hr
"""

from __future__ import annotations

import os

import pytest

from people.models import Category, Role
from people.models.units import UnitKind
from tests.factories import DEFAULT_PASSWORD, UserFactory, unit_create

# Live-server browser tests call the ORM from Playwright's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def branch(db):
    return unit_create("西湖分局", kind=UnitKind.BRANCH)


@pytest.fixture
def legal_brigade(branch):
    return unit_create("法制大队", branch, UnitKind.BRIGADE)


@pytest.fixture
def station(branch):
    return unit_create("北山派出所", branch, UnitKind.STATION)


@pytest.fixture
def squad(station):
    return unit_create("一中队", station, UnitKind.SQUAD)


@pytest.fixture
def other_unit(branch):
    return unit_create("治安大队", branch, UnitKind.BRIGADE)


@pytest.fixture
def hr_unit(branch):
    return unit_create("政治处", branch, UnitKind.OFFICE)


@pytest.fixture
def officer(station):
    return UserFactory(police_number="200001", name="张伟", unit=station)


@pytest.fixture
def auxiliary(station):
    return UserFactory(police_number="F200002", name="李娜", unit=station, category=Category.AUXILIARY)


@pytest.fixture
def squad_officer(squad):
    return UserFactory(police_number="200003", name="王强", unit=squad)


@pytest.fixture
def unit_leader(station):
    return UserFactory(
        police_number="200010",
        name="刘洋",
        unit=station,
        is_middle_leader=True,
        roles=[Role.OFFICER, Role.UNIT_LEADER],
    )


@pytest.fixture
def trainer(legal_brigade):
    return UserFactory(
        police_number="300001",
        name="陈静",
        unit=legal_brigade,
        is_legal_brigade=True,
        roles=[Role.OFFICER, Role.TRAINER],
    )


@pytest.fixture
def legal_leader(legal_brigade):
    return UserFactory(
        police_number="300010",
        name="赵磊",
        unit=legal_brigade,
        is_legal_brigade=True,
        is_middle_leader=True,
        roles=[Role.OFFICER, Role.LEGAL_LEADER],
    )


@pytest.fixture
def hr(hr_unit):
    return UserFactory(police_number="400001", name="孙丽", unit=hr_unit, roles=[Role.OFFICER, Role.HR])


@pytest.fixture
def outsider(other_unit):
    return UserFactory(police_number="500001", name="周杰", unit=other_unit)


@pytest.fixture
def admin_user(branch):
    return UserFactory(
        police_number="admin", name="系统管理员", unit=branch, is_staff=True, is_superuser=True, roles=[Role.ADMIN]
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids come back after a rollback, so a key one test left
    (a board's examinee list, a password try count) could otherwise meet another test's exam."""
    from django.core.cache import cache

    cache.clear()
    yield
