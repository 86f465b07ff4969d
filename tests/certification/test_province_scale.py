"""Province scale (issue 15): pages HR opens with hundreds of units and 100,000 officers read a fixed
number of queries, and the index the dashboards' pass rates rely on is in the database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models.units import UnitKind
from tests.certification.test_dashboards import _population
from tests.factories import UserFactory, unit_create

pytestmark = pytest.mark.django_db


def _get(client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def _more_units(parent, count: int) -> list:
    return [unit_create(f"{parent.name}第{n}派出所", parent, UnitKind.STATION) for n in range(count)]


@pytest.mark.parametrize("name", ["certification:qualification_list", "certification:unit_reports"])
def test_unit_choices_show_full_paths_without_a_query_per_unit(client, hr, station, name):
    client.force_login(hr)
    UserFactory(unit=station)
    few, small = _get(client, reverse(name))
    added = _more_units(station, 12)
    many, large = _get(client, reverse(name))
    assert large == small
    # Each new unit is offered under its full path (province › … › station), as before.
    page = many.content.decode()
    assert added[-1].full_path in page and station.full_path in few.content.decode()


def test_drill_down_reads_the_same_queries_for_five_times_the_officers(client, hr, station, squad, other_unit):
    client.force_login(hr)
    url = f"{reverse('certification:dashboard_officers')}?cell=holders&row=total&type=basic"
    _population([station, squad, other_unit], 2)
    small_page, small = _get(client, url)
    _population([station, squad, other_unit], 8)
    large_page, large = _get(client, url)
    assert large == small
    assert large_page.context["total"] == 5 * small_page.context["total"] == 30
    # Each row still has the officer's number, name, unit and category (the list reads only those).
    numbers, names, units, categories = zip(
        *(list(row.values()) for row in large_page.context["officers"]), strict=True
    )
    assert len(set(numbers)) == 30 and all(names) and set(units) == {station.name, squad.name, other_unit.name}
    assert all(categories)


def test_the_pass_rate_index_is_in_the_database():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "exams_attempt")
    assert indexes["attempt_officer_exam"]["columns"][:2] == ["officer_id", "exam_id"]
