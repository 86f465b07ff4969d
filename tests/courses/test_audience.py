"""Audience rules (people.selectors.audience): AND across kinds, OR within a kind, named officers
added, seconded and departed officers never included. The Python check agrees with the query."""

from __future__ import annotations

import pytest

from people.models import Category, OfficerStatus, Unit, User
from people.models.audience import AudienceSpec, Position
from people.selectors import audience_includes, audience_labels, officers_matching
from tests.factories import UserFactory


@pytest.fixture
def everyone(officer, auxiliary, squad_officer, unit_leader, trainer, legal_leader, hr, outsider):
    return [officer, auxiliary, squad_officer, unit_leader, trainer, legal_leader, hr, outsider]


def _fresh(*units: Unit) -> tuple[Unit, ...]:
    """Units as a request would load them: creating a sibling renumbers tree paths."""
    by_pk = Unit.objects.in_bulk([unit.pk for unit in units])
    return tuple(by_pk[unit.pk] for unit in units)


def _numbers(spec: AudienceSpec) -> set[str]:
    return set(officers_matching(spec).values_list("police_number", flat=True))


def _agrees(spec: AudienceSpec, people) -> None:
    """The per-person Python check gives the same audience as the database query."""
    fresh = User.objects.select_related("unit").filter(pk__in=[p.pk for p in people])
    assert {p.police_number for p in fresh if audience_includes(spec, p)} == _numbers(spec)


def test_a_unit_with_its_subtree_includes_the_squads_below_it(station, everyone):
    spec = AudienceSpec(units_with_subtree=_fresh(station))

    assert _numbers(spec) == {"200001", "F200002", "200003", "200010"}
    _agrees(spec, everyone)


def test_a_unit_without_its_subtree_leaves_the_squads_out(station, everyone):
    spec = AudienceSpec(units_only=_fresh(station))

    assert _numbers(spec) == {"200001", "F200002", "200010"}
    _agrees(spec, everyone)


def test_units_categories_and_positions_narrow_each_other(station, legal_brigade, everyone):
    police_in_station = AudienceSpec(units_with_subtree=_fresh(station), categories=(Category.OFFICER,))
    leaders_in_units = AudienceSpec(
        units_with_subtree=_fresh(station, legal_brigade), positions=(Position.MIDDLE_LEADER,)
    )

    assert _numbers(police_in_station) == {"200001", "200003", "200010"}
    assert _numbers(leaders_in_units) == {"200010", "300010"}  # unit leader and legal-brigade leader
    _agrees(police_in_station, everyone)
    _agrees(leaders_in_units, everyone)


def test_several_values_of_one_kind_widen_the_audience(everyone):
    spec = AudienceSpec(positions=(Position.LEGAL_BRIGADE, Position.MIDDLE_LEADER))

    assert _numbers(spec) == {"300001", "300010", "200010"}
    _agrees(spec, everyone)


def test_named_officers_are_added_whatever_the_criteria(station, outsider, everyone):
    spec = AudienceSpec(units_only=_fresh(station), categories=(Category.AUXILIARY,), officers=(outsider,))

    assert _numbers(spec) == {"F200002", "500001"}
    _agrees(spec, everyone)


def test_seconded_and_departed_officers_are_never_in_an_audience(station, officer, auxiliary, everyone):
    UserFactory(police_number="200020", unit=station, status=OfficerStatus.SECONDED)
    UserFactory(police_number="200021", unit=station, status=OfficerStatus.LEFT)
    UserFactory(police_number="200022", unit=station, status=OfficerStatus.ON_LEAVE)
    named_left = UserFactory(police_number="200023", unit=station, status=OfficerStatus.LEFT)
    spec = AudienceSpec(units_with_subtree=_fresh(station), officers=(named_left,))

    numbers = _numbers(spec)

    assert "200020" not in numbers and "200021" not in numbers and "200023" not in numbers
    assert "200022" in numbers  # on leave is still on the books
    _agrees(spec, [*everyone, *User.objects.filter(police_number__startswith="2000")])


def test_an_empty_rule_matches_nobody(everyone):
    assert AudienceSpec().is_empty
    assert not officers_matching(AudienceSpec()).exists()
    assert not any(audience_includes(AudienceSpec(), person) for person in everyone)


def test_a_rule_reads_as_words(station, outsider):
    spec = AudienceSpec(
        units_with_subtree=(station,),
        categories=(Category.AUXILIARY,),
        positions=(Position.NEW_OFFICER,),
        officers=(outsider,),
    )

    labels = audience_labels(spec, unit_labels={station.pk: "西湖分局/北山派出所"})

    assert labels[0].startswith("西湖分局/北山派出所")
    assert len(labels) == 4
    assert str(outsider) in labels
