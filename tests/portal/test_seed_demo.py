"""`manage.py seed_demo`: the demo branch, its people and the documented demo accounts."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from people.models import Category, OfficerStatus, OfficerStatusChange, Role, Unit, User
from people.models.units import UnitKind
from people.selectors import has_role
from portal.demo import DemoContext
from portal.demo.accounts import DEMO_ACCOUNTS
from portal.demo.people import _plan_officers
from portal.models import AuditEntry, Notification

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_PASSWORD = "Demo@2026"


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def log_in(police_number: str, password: str = DOCUMENTED_PASSWORD):
    return authenticate(request=RequestFactory().post("/login/"), username=police_number, password=password)


def snapshot() -> dict:
    """Everything seed_demo writes, in a form that shows any new row or changed value."""
    return {
        "users": list(User.objects.order_by("pk").values()),
        "units": list(Unit.objects.order_by("pk").values()),
        "memberships": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "notifications": list(Notification.objects.order_by("pk").values()),
        "status_changes": OfficerStatusChange.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_a_branch_of_about_300_officers_in_about_12_units():
    seed()

    assert 280 <= User.objects.count() <= 320
    assert 10 <= Unit.objects.count() <= 15
    (branch,) = Unit.get_root_nodes()
    assert branch.name == "西湖分局"
    children = {unit.name: unit for unit in branch.get_children()}
    assert {"法制大队", "政治处", "刑侦大队", "经侦大队", "治安大队"} <= set(children)
    stations = [unit for unit in children.values() if unit.kind == UnitKind.STATION]
    assert len(stations) >= 3
    assert all(1 <= station.get_children().filter(kind=UnitKind.SQUAD).count() <= 2 for station in stations)
    assert not User.objects.filter(unit__isnull=True).exists()


@pytest.mark.django_db
def test_seeded_officers_cover_categories_posts_statuses_and_ages():
    seed()
    people = User.objects.all()
    total = people.count()
    today = timezone.localdate()

    auxiliaries = people.filter(category=Category.AUXILIARY)
    assert 0.25 <= auxiliaries.count() / total <= 0.35
    assert all(officer.role_codes() == {Role.AUXILIARY} for officer in auxiliaries)
    assert (
        not people.filter(category=Category.OFFICER)
        .exclude(groups__name=Role.OFFICER)
        .exclude(is_superuser=True)
        .exists()
    )
    assert 0.07 <= people.filter(is_middle_leader=True).count() / total <= 0.13

    # One legal officer per police station and per investigating brigade (not the legal brigade).
    legal_officer_units = list(people.filter(is_legal_officer=True).values_list("unit__name", flat=True))
    assert sorted(legal_officer_units) == sorted(
        Unit.objects.filter(kind__in=[UnitKind.STATION, UnitKind.BRIGADE])
        .exclude(name="法制大队")
        .values_list("name", flat=True)
    )
    assert set(people.filter(unit__name="法制大队").values_list("is_legal_brigade", flat=True)) == {True}

    new_officers = people.filter(is_new_officer=True)
    # The generated roster has about 5 % 新警; the pathway demo adds a cohort of a dozen more.
    assert 0.03 <= new_officers.count() / total <= 0.10
    # 新警 for their first year: the 123 pathway alone takes six months plus any extension.
    assert all(today - o.service_start_date <= datetime.timedelta(days=366) for o in new_officers)
    assert not new_officers.filter(category=Category.AUXILIARY).exists()

    assert set(people.values_list("status", flat=True)) == set(OfficerStatus.values)
    assert people.filter(status=OfficerStatus.ACTIVE).count() / total >= 0.8
    assert sum(1 for o in people if o.age_on(today) > 50) >= 10
    assert not people.filter(birth_date__isnull=True).exists()
    assert not people.filter(service_start_date__isnull=True).exists()


@pytest.mark.django_db
def test_officers_who_are_not_on_duty_have_a_status_change_in_their_history():
    seed()

    not_on_duty = User.objects.exclude(status=OfficerStatus.ACTIVE)
    assert not_on_duty.exists()
    for officer in not_on_duty:
        assert officer.status_changes.get().to_status == officer.status


@pytest.mark.django_db
def test_every_role_has_a_demo_account_that_logs_in_with_the_documented_password():
    seed()

    roles_with_an_account = set()
    for spec in DEMO_ACCOUNTS:
        user = log_in(spec.police_number)
        assert user is not None, spec.police_number
        assert user.police_number == spec.police_number
        assert has_role(user, *spec.roles)
        roles_with_an_account |= user.role_codes()
    assert roles_with_an_account == set(Role.values)


@pytest.mark.django_db
def test_demo_accounts_carry_the_facts_their_role_needs():
    seed()
    account = {spec.key: User.objects.get(police_number=spec.police_number) for spec in DEMO_ACCOUNTS}

    assert account["admin"].is_superuser and account["admin"].is_staff
    assert not any(user.is_staff for key, user in account.items() if key != "admin")
    assert account["hr"].unit.name == "政治处"
    assert account["trainer"].unit.name == "法制大队" and account["trainer"].is_legal_brigade
    assert account["legal_leader"].unit.name == "法制大队" and account["legal_leader"].is_middle_leader
    assert account["unit_leader"].unit.kind == UnitKind.STATION and account["unit_leader"].is_middle_leader
    assert account["auxiliary"].category == Category.AUXILIARY
    assert account["new_officer"].is_new_officer
    assert account["legal_officer"].is_legal_officer
    assert account["middle_leader"].is_middle_leader
    assert account["middle_leader"].role_codes() == {Role.OFFICER}


@pytest.mark.django_db
def test_generated_officers_can_log_in_with_the_demo_password_too():
    seed()

    generated = User.objects.filter(status=OfficerStatus.ACTIVE, police_number__startswith="0").first()
    assert log_in(generated.police_number) == generated


@pytest.mark.django_db
def test_running_seed_demo_twice_creates_and_changes_nothing():
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "officer001" in output  # the accounts table is printed every time


@pytest.mark.django_db
def test_seed_demo_puts_a_demo_account_back_after_it_was_changed():
    seed()
    officer = User.objects.get(police_number="officer001")
    officer.set_password("Changed-while-trying-2026")
    officer.unit = Unit.objects.get(name="政治处")
    officer.status = OfficerStatus.LEFT
    officer.save()
    officer.groups.clear()
    # A generated officer moved by HR while trying the demo keeps the change.
    generated = User.objects.filter(police_number__startswith="0", status=OfficerStatus.ACTIVE).last()
    generated.status = OfficerStatus.SECONDED
    generated.save(update_fields=["status"])
    users_before = User.objects.count()

    seed()

    officer = log_in("officer001")
    assert officer is not None
    assert officer.unit.full_path == "西湖分局/北山派出所/一中队"
    assert officer.role_codes() == {Role.OFFICER}
    assert officer.status == OfficerStatus.ACTIVE
    assert officer.status_changes.get().from_status == OfficerStatus.LEFT
    generated.refresh_from_db()
    assert generated.status == OfficerStatus.SECONDED
    assert User.objects.count() == users_before


@pytest.mark.django_db
def test_the_demo_officer_has_notifications_some_unread_created_once():
    seed()
    officer = User.objects.get(police_number="officer001")
    assert officer.notifications.count() >= 2
    assert officer.notifications.filter(read_at__isnull=True).exists()
    assert officer.notifications.filter(read_at__isnull=False).exists()

    officer.notifications.update(read_at=timezone.now())
    seed()

    assert not officer.notifications.filter(read_at__isnull=True).exists()


@pytest.mark.django_db
def test_seed_demo_leaves_one_audit_entry_for_the_run_that_changed_something():
    seed()
    seed()

    entry = AuditEntry.objects.get(action="portal.demo.seeded")
    assert entry.target_label == "西湖分局"
    assert entry.actor is None and entry.actor_label == "manage.py seed_demo"


@pytest.mark.django_db
def test_seed_demo_refuses_where_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        seed()
    assert not User.objects.exists()

    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert log_in("admin") is not None


def test_the_same_people_are_generated_on_every_run():
    today = datetime.date(2026, 3, 1)
    first = _plan_officers(DemoContext(today=today).random_for("people"), today)
    second = _plan_officers(DemoContext(today=today).random_for("people"), today)

    assert [(p.police_number, p.fields["name"], p.unit_path) for p in first] == [
        (p.police_number, p.fields["name"], p.unit_path) for p in second
    ]
    assert len({p.police_number for p in first}) == len(first)


def test_readme_documents_every_demo_account_and_the_password():
    readme = README.read_text(encoding="utf-8")

    assert DOCUMENTED_PASSWORD in readme
    for spec in DEMO_ACCOUNTS:
        assert f"`{spec.police_number}`" in readme, spec.police_number
