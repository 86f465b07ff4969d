"""manage.py generate_scale_data: a synthetic province for benchmarks, refused on real databases."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from certification.models import Certificate, Pathway, Qualification, QualificationStatus
from exams.models import Attempt, AttemptState
from people.models import Role, Unit, User

pytestmark = pytest.mark.django_db


def _generate(**options) -> str:
    out = StringIO()
    call_command("generate_scale_data", stdout=out, **options)
    return out.getvalue()


def test_small_data_set_has_the_requested_volume_and_plausible_records():
    output = _generate(officers=200, records=1000, seed=3)
    officers = User.objects.filter(police_number__startswith="S")
    assert officers.count() == 200
    assert not officers.first().has_usable_password()
    assert officers.filter(groups__name__in=[Role.OFFICER, Role.AUXILIARY]).count() == 200
    assert Qualification.objects.count() + Attempt.objects.count() == 1000
    assert Attempt.objects.exclude(state=AttemptState.RELEASED).count() == 0
    # The tree: province → 12 cities → 120 districts → 360 stations; officers only below cities.
    root = Unit.objects.get(code="SCALE-DATA")
    assert root.get_descendant_count() == 12 + 120 + 360
    assert not officers.filter(unit__depth__lt=3).exists()
    today = timezone.localdate()
    assert not Qualification.objects.filter(status=QualificationStatus.VALID, expires_on__lt=today).exists()
    assert not Qualification.objects.filter(status=QualificationStatus.EXPIRED, expires_on__gte=today).exists()
    assert Qualification.objects.filter(status=QualificationStatus.VALID).count() > 300
    assert Certificate.objects.filter(qualification__status=QualificationStatus.PROPOSED).count() == 0
    assert Certificate.objects.count() > 0
    assert Pathway.objects.count() == officers.filter(is_new_officer=True).count()
    assert "200 officers" in output and "500 qualification records" in output


def test_a_second_run_is_refused():
    _generate(officers=20, records=40)
    with pytest.raises(CommandError, match="already holds"):
        _generate(officers=20, records=40)
    assert User.objects.filter(police_number__startswith="S").count() == 20


def test_a_database_with_many_users_is_refused_without_force(monkeypatch):
    monkeypatch.setattr("certification.management.commands.generate_scale_data.REAL_DATA_USERS", 2)
    User.objects.create_user("R1", name="甲")
    User.objects.create_user("R2", name="乙")
    User.objects.create_user("R3", name="丙")
    with pytest.raises(CommandError, match="looks real"):
        _generate(officers=10, records=10)
    assert not Unit.objects.filter(code="SCALE-DATA").exists()
    _generate(officers=10, records=10, force=True)
    assert User.objects.filter(police_number__startswith="S").count() == 10
