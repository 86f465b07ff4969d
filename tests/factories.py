"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group

from people.models import Category, OfficerStatus, Unit, User
from people.models.units import UnitKind

DEFAULT_PASSWORD = "Test-pass-2026"


def unit_create(name: str, parent: Unit | None = None, kind: str = UnitKind.OFFICE) -> Unit:
    """Treebeard nodes are created through add_root / add_child, so units get a function, not a factory."""
    if parent is None:
        existing = Unit.get_root_nodes().filter(name=name).first()
        return existing or Unit.add_root(name=name, kind=kind)
    parent.refresh_from_db()
    existing = parent.get_children().filter(name=name).first()
    return existing or parent.add_child(name=name, kind=kind)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    police_number = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"测试民警{n}")
    category = Category.OFFICER
    status = OfficerStatus.ACTIVE
    birth_date = datetime.date(1988, 5, 1)
    service_start_date = datetime.date(2012, 7, 1)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if not create:
            return
        codes = extracted if extracted is not None else [obj.category]
        obj.groups.set([Group.objects.get_or_create(name=code)[0] for code in codes])
