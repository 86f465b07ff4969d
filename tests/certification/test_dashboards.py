"""HR and unit-leader dashboards: coverage figures, expiring buckets, the pathway funnel, drill-downs
that list exactly the officers behind a figure, filters, scope (404), exports equal to the
drill-down, and a query count that does not grow with the number of officers."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    EvaluationScheme,
    Pathway,
    PathwayPhase,
    Qualification,
    QualificationStatus,
    QualificationType,
    QuarterlyEvaluation,
)
from people.models import Category
from portal.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def record(officer, code: str, *, status=QualificationStatus.VALID, expires_in: int | None = None) -> Qualification:
    return Qualification.objects.create(
        officer=officer,
        qualification_type=QualificationType.objects.get(code=code),
        status=status,
        granted_on=today() - datetime.timedelta(days=400),
        expires_on=None if expires_in is None else today() + datetime.timedelta(days=expires_in),
        source="manual",
    )


def pathway(officer, phase: str, *, due_in: int) -> Pathway:
    due = today() + datetime.timedelta(days=due_in)
    start = today() - datetime.timedelta(days=30)
    return Pathway.objects.create(
        officer=officer,
        phase=phase,
        start_date=start,
        phase_started_on=start,
        phase1_due=due,
        phase2_due=due,
        phase3_due=due,
    )


@pytest.fixture
def data(station, squad, other_unit, officer, auxiliary, squad_officer, unit_leader, outsider, hr):
    """Station subtree: officer (basic, expiring in 20 days), auxiliary (basic, no expiry),
    squad_officer (basic revoked, intermediate expiring in 75 days), unit_leader (nothing).
    Other unit: outsider (basic expiring in 50 days). HR's own unit: hr (nothing)."""
    record(officer, "basic", expires_in=20)
    record(auxiliary, "basic")
    record(squad_officer, "basic", status=QualificationStatus.REVOKED)
    record(squad_officer, "intermediate", expires_in=75)
    record(outsider, "basic", expires_in=50)
    pathway(squad_officer, PathwayPhase.PHASE1, due_in=-3)
    pathway(auxiliary, PathwayPhase.PHASE2, due_in=10)
    return {"station": station, "other": other_unit}


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def page(client, user, name="certification:dashboard_qualifications", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def row(response, key):
    return next(item for item in response.context["rows"] if item["row"].key == str(key))


def cell(item, code):
    return next(c for c in item["cells"] if c["type"].code == code)


def drill_numbers(response) -> list[str]:
    return [officer[next(iter(officer))] for officer in response.context["officers"]]


def test_coverage_counts_percentages_and_expiring_buckets(client, hr, data, station, other_unit):
    response = page(client, hr)
    assert response.status_code == 200
    station_row = row(response, station.pk)
    assert station_row["row"].officers == 4  # officer, auxiliary, squad officer, unit leader
    basic = cell(station_row, "basic")
    assert (basic["holders"], basic["missing"], basic["percent"]) == (2, 2, 50.0)
    assert [(days, count) for days, count, _url in basic["expiring"]] == [(30, 1), (60, 1), (90, 1)]
    intermediate = cell(station_row, "intermediate")
    assert intermediate["holders"] == 1
    assert [(days, count) for days, count, _url in intermediate["expiring"]] == [(30, 0), (60, 0), (90, 1)]
    other_basic = cell(row(response, other_unit.pk), "basic")
    assert other_basic["holders"] == 1 and other_basic["percent"] == 100.0
    assert [count for _days, count, _url in other_basic["expiring"]] == [0, 1, 1]
    total = row(response, "total")
    assert total["row"].officers == 6 and cell(total, "basic")["holders"] == 3
    assert 'class="chart chart-bars' in response.content.decode()


def test_filters_category_position_and_types(client, hr, data, station, officer):
    response = page(client, hr, unit=station.pk, category=Category.AUXILIARY, types="basic")
    assert [kind.code for kind in response.context["filters"].types] == ["basic"]
    total = row(response, "total")
    assert total["row"].officers == 1 and cell(total, "basic")["percent"] == 100.0
    officer.is_middle_leader = True
    officer.save()
    response = page(client, hr, unit=station.pk, position="middle_leader")
    assert row(response, "total")["row"].officers == 2  # the officer and the unit leader
    assert cell(row(response, "total"), "basic")["holders"] == 1


@pytest.mark.parametrize(
    ("cell_name", "extra", "expected"),
    [
        ("holders", {"type": "basic"}, ["200001", "F200002"]),
        ("missing", {"type": "basic"}, ["200010", "200003"]),
        ("expiring", {"type": "basic", "days": 30}, ["200001"]),
        ("expiring", {"type": "intermediate", "days": 90}, ["200003"]),
        ("officers", {}, ["200001", "F200002", "200010", "200003"]),
    ],
)
def test_drill_down_lists_exactly_the_officers_behind_the_figure(client, hr, data, station, cell_name, extra, expected):
    dashboard = page(client, hr)
    figure = row(dashboard, station.pk)
    if cell_name == "officers":
        url = figure["officers_url"]
    elif cell_name == "expiring":
        url = next(u for d, _c, u in cell(figure, extra["type"])["expiring"] if d == extra["days"])
    else:
        url = cell(figure, extra["type"])[f"{cell_name}_url"]
    response = client.get(url)
    assert response.status_code == 200
    assert sorted(drill_numbers(response)) == sorted(expected)
    assert response.context["total"] == len(expected)


def test_pathway_funnel_counts_and_overdue_drill_down(client, hr, data, squad_officer):
    response = page(client, hr, name="certification:dashboard_overview")
    assert response.status_code == 200
    html = response.content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<" not in title[len("<title>") :] and html.count('id="dashboard-ranking"') == 1
    steps = {item["step"].phase: item for item in response.context["funnel"]}
    assert (steps["phase1"]["step"].count, steps["phase1"]["step"].overdue) == (1, 1)
    assert (steps["phase2"]["step"].count, steps["phase2"]["step"].overdue) == (1, 0)
    assert steps["phase3"]["step"].count == 0
    overdue = client.get(steps["phase1"]["overdue_url"])
    assert drill_numbers(overdue) == [squad_officer.police_number]
    assert drill_numbers(client.get(steps["phase2"]["overdue_url"])) == []


def test_evaluation_ranking_shows_the_latest_quarter_within_scope(
    client, unit_leader, data, officer, squad_officer, outsider
):
    scheme = EvaluationScheme.objects.create(year=today().year, title="考评")
    for quarter, ranks in (
        (1, {officer: 1, squad_officer: 2, outsider: 3}),
        (2, {outsider: 1, squad_officer: 2, officer: 3}),
    ):
        for person, rank in ranks.items():
            QuarterlyEvaluation.objects.create(
                scheme=scheme, officer=person, quarter=quarter, unit=person.unit, total=100 - rank, rank=rank
            )
    ranking = page(client, unit_leader, name="certification:dashboard_overview").context["ranking"]
    assert ranking.quarter == 2
    assert [evaluation.officer for evaluation in ranking.top] == [squad_officer, officer]
    assert ranking.bottom == []  # two officers in scope: all already shown


def drill_figures(response) -> dict[str, tuple]:
    """Police number -> the per-officer numbers after the four officer columns."""
    return {values[0]: tuple(values[4:]) for values in (list(o.values()) for o in response.context["officers"])}


def test_assignment_completion_by_unit_drills_down_to_each_officers_share(
    client, hr, trainer, data, station, squad, officer, auxiliary, squad_officer
):
    from courses.models import CourseIndexPage
    from tests.courses.conftest import assign, learn, make_course, make_lesson

    course = make_course(CourseIndexPage.objects.get(), "伤害案件办理清单", slug="injury-cases")
    lessons = [make_lesson(course, "受案登记"), make_lesson(course, "伤情鉴定")]
    other = make_course(CourseIndexPage.objects.get(), "执法记录仪使用", slug="body-cameras")
    other_lesson = make_lesson(other, "开机与存储")
    assign(course, by=trainer, units_with_subtree=[station])
    assign(other, by=trainer, officers=[officer, auxiliary])
    for lesson in lessons:
        learn(officer, lesson)
    learn(squad_officer, lessons[0])
    learn(auxiliary, other_lesson)
    response = page(client, hr, name="certification:dashboard_overview", unit=station.pk)
    rows = {item["row"].path: (item["row"].assigned, item["row"].complete) for item in response.context["completion"]}
    # The squad: squad officer (half of one). The station's own members: officer (1 of 2 done),
    # auxiliary (1 of 2 done), unit leader (0 of 1).
    assert rows == {squad.path: (1, 0), station.path: (5, 2)}
    direct = next(item for item in response.context["completion"] if item["row"].key == "direct")
    assigned = client.get(direct["assigned_url"])
    assert drill_figures(assigned) == {officer.police_number: (2, 1), auxiliary.police_number: (2, 1), "200010": (1, 0)}
    assert assigned.context["figure_totals"] == [5, 2]
    complete = client.get(direct["complete_url"])
    assert sorted(drill_figures(complete)) == sorted([officer.police_number, auxiliary.police_number])
    assert 'href="/certification/dashboards/overview/' in complete.content.decode()


def test_exam_pass_rates_follow_each_exams_counting_rule_and_drill_down(
    client, hr, data, station, other_unit, officer, auxiliary, outsider, unit_leader
):
    import pandas as pd

    from exams.models import Attempt, AttemptCounting, AttemptState
    from tests.certification.qualification_support import qualification_exam, sit

    # Counted by the last attempt: the officer passed, then failed a retake — not passed.
    last = qualification_exam(officer, auxiliary, outsider, attempts_allowed=2, counts=AttemptCounting.LAST)
    sit(last, officer, correct=True)
    sit(last, officer, correct=False)
    sit(last, auxiliary, correct=False)
    sit(last, outsider, correct=False)
    # Counted by the highest score: the unit leader failed, then passed — passed.
    highest = qualification_exam(
        unit_leader, code="", attempts_allowed=2, counts=AttemptCounting.HIGHEST, title="中级执法资格测试"
    )
    sit(highest, unit_leader, correct=False)
    sit(highest, unit_leader, correct=True)
    Attempt.objects.exclude(officer=outsider).update(state=AttemptState.RELEASED)
    Attempt.objects.filter(officer=outsider).update(state=AttemptState.GRADED)
    response = page(client, hr, name="certification:dashboard_overview")
    rows = {(item["row"].path, item["row"].category): item for item in response.context["pass_rates"]}
    # The outsider's result is not released yet: it does not count.
    assert {key: (item["row"].sat, item["row"].passed) for key, item in rows.items()} == {
        (station.path, Category.OFFICER): (2, 1),
        (station.path, Category.AUXILIARY): (1, 0),
    }
    officers = rows[(station.path, Category.OFFICER)]
    sat = client.get(officers["sat_url"])
    assert drill_figures(sat) == {officer.police_number: (1, 0), unit_leader.police_number: (1, 1)}
    assert sat.context["figure_totals"] == [2, 1]
    assert sat.context["filters"].category == Category.OFFICER
    passed = client.get(officers["passed_url"])
    assert drill_numbers(passed) == [unit_leader.police_number]
    auxiliaries = client.get(rows[(station.path, Category.AUXILIARY)]["sat_url"])
    assert drill_figures(auxiliaries) == {auxiliary.police_number: (1, 0)}
    # The download carries the same per-officer numbers as the screen.
    export = client.get(f"{reverse('certification:dashboard_officers_xlsx')}?{sat.context['export_query']}")
    frame = pd.read_excel(io.BytesIO(export.content), dtype=str)
    assert [[str(value) for value in o.values()] for o in sat.context["officers"]] == frame.values.tolist()


def test_middle_leader_figures_drill_down_to_the_leaders(client, hr, data, station, officer, unit_leader):
    from tests.certification.leaders_support import graded, middle_leader, random_exam, sampled

    User = type(officer)
    User.objects.filter(pk__in=[officer.pk, unit_leader.pk]).update(is_middle_leader=True)
    third = middle_leader(station, "200099")
    exam = random_exam(officer, third)
    sampled(exam, officer, third)
    graded(exam, officer, score=90)
    response = page(client, hr, name="certification:dashboard_overview", unit=station.pk)
    leaders = response.context["leaders"]
    assert (leaders.total, leaders.tested, leaders.untested, leaders.required) == (3, 1, 2, 1)
    urls = response.context["leader_urls"]
    assert sorted(drill_numbers(client.get(urls["total"]))) == sorted(["200001", "200010", "200099"])
    assert drill_numbers(client.get(urls["tested"])) == [officer.police_number]
    assert sorted(drill_numbers(client.get(urls["untested"]))) == sorted(["200010", "200099"])
    # The random-test table: the station's own members, drawn / tested / did not show.
    direct = next(item for item in response.context["random_tests"] if item["row"].key == "direct")
    assert (direct["row"].officers, direct["row"].drawn, direct["row"].tested, direct["row"].no_show) == (4, 2, 1, 0)
    assert sorted(drill_numbers(client.get(direct["urls"]["drawn"]))) == sorted(["200001", "200099"])
    assert drill_numbers(client.get(direct["urls"]["tested"])) == ["200001"]
    assert drill_numbers(client.get(direct["urls"]["no_show"])) == []
    # The leader figures are for the whole chosen unit: a per-unit row is not one of them.
    assert page(client, hr, name="certification:dashboard_officers", cell="leaders", row="direct").status_code == 404


def test_unit_leader_sees_only_their_subtree(client, unit_leader, data, station, other_unit, squad):
    response = page(client, unit_leader)
    assert response.status_code == 200
    assert response.context["filters"].root == station
    assert [item["row"].key for item in response.context["rows"]] == [str(squad.pk), "direct", "total"]
    assert {pk for pk, _label in response.context["units"]} == {station.pk, squad.pk}
    assert page(client, unit_leader, unit=squad.pk).status_code == 200
    assert page(client, unit_leader, unit=other_unit.pk).status_code == 404
    assert page(client, unit_leader, name="certification:dashboard_overview", unit=other_unit.pk).status_code == 404
    drill = client.get(reverse("certification:dashboard_officers"), {"unit": other_unit.pk, "cell": "officers"})
    assert drill.status_code == 404


@pytest.mark.parametrize("persona", ["officer", "trainer", "outsider"])
def test_others_get_404(client, request, data, persona):
    user = request.getfixturevalue(persona)
    for name in ("certification:dashboard_qualifications", "certification:dashboard_overview"):
        assert page(client, user, name=name).status_code == 404
    assert page(client, user, name="certification:dashboard_officers", cell="officers").status_code == 404


def test_unknown_cell_is_404(client, hr, data, other_unit, squad):
    assert page(client, hr, name="certification:dashboard_officers", cell="nonsense").status_code == 404
    # A row that is not a unit directly below the chosen root.
    assert page(client, hr, name="certification:dashboard_officers", cell="officers", row=squad.pk).status_code == 404
    assert (
        page(client, hr, name="certification:dashboard_officers", cell="expiring", type="basic", days=45).status_code
        == 404
    )


def test_export_rows_equal_the_drill_down_and_are_audited(client, hr, data, station):
    import pandas as pd

    english(client)
    figure = row(page(client, hr), station.pk)
    drill = client.get(cell(figure, "basic")["missing_url"])
    export = client.get(f"{reverse('certification:dashboard_officers_xlsx')}?{drill.context['export_query']}")
    assert export.status_code == 200
    frame = pd.read_excel(io.BytesIO(export.content), dtype=str)
    assert [list(officer.values()) for officer in drill.context["officers"]] == frame.values.tolist()
    assert list(frame["Police number"]) == drill_numbers(drill)
    entry = AuditEntry.objects.get(action="certification.dashboard_officers.export")
    assert entry.actor == hr and entry.data["rows"] == 2
    assert entry.data["filters"]["cell"] == "missing" and entry.data["filters"]["row"] == str(station.pk)


def test_coverage_table_export(client, hr, data, station):
    import pandas as pd

    english(client)
    response = page(client, hr, name="certification:dashboard_qualifications_xlsx", unit=station.pk, types="basic")
    frame = pd.read_excel(io.BytesIO(response.content))
    total = frame[frame["Unit"] == "All units"].iloc[0]
    assert (total["Officers"], total["Holders"], total["Percentage"]) == (4, 2, 50.0)
    assert AuditEntry.objects.filter(action="certification.dashboard_qualifications.export").count() == 1


def _population(units, per_unit: int) -> None:
    for unit in units:
        for index in range(per_unit):
            officer = UserFactory(unit=unit, is_new_officer=index % 2 == 0)
            record(officer, "basic", expires_in=index * 10 + 5)
            if index % 3 == 0:
                record(officer, "intermediate", expires_in=80)
            if index % 2 == 0:
                pathway(officer, PathwayPhase.PHASE1, due_in=index - 2)


def _queries(client, name) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name)).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_officers(client, hr, station, squad, other_unit):
    client.force_login(hr)
    _population([station, squad, other_unit], 2)
    small = {
        name: _queries(client, name)
        for name in ("certification:dashboard_qualifications", "certification:dashboard_overview")
    }
    _population([station, squad, other_unit], 8)  # five times as many officers in all
    large = {
        name: _queries(client, name)
        for name in ("certification:dashboard_qualifications", "certification:dashboard_overview")
    }
    assert small == large


def test_overview_export_holds_every_table_with_the_filters_and_is_audited(
    client, hr, unit_leader, data, station, other_unit
):
    import pandas as pd

    english(client)
    response = page(client, hr, name="certification:dashboard_overview_xlsx", unit=station.pk)
    assert response.status_code == 200
    sheets = pd.read_excel(io.BytesIO(response.content), sheet_name=None)
    assert list(sheets) == [
        "123 pathway",
        "Exam pass rates",
        "Random ability tests",
        "Study completion",
        "Middle leaders",
        "Evaluation ranking",
    ]
    funnel = dict(zip(sheets["123 pathway"]["Phase"], sheets["123 pathway"]["Officers"], strict=True))
    overview = page(client, hr, name="certification:dashboard_overview", unit=station.pk)
    assert funnel == {item["step"].label: item["step"].count for item in overview.context["funnel"]}
    entry = AuditEntry.objects.get(action="certification.dashboard_overview.export")
    assert entry.actor == hr and entry.data["filters"]["unit"] == station.pk
    # A unit leader cannot export a unit outside their subtree.
    assert (
        page(client, unit_leader, name="certification:dashboard_overview_xlsx", unit=other_unit.pk).status_code == 404
    )


def test_kept_figures_say_when_they_were_counted_and_recount_on_request(client, hr, data, station, settings, officer):
    from django.core.cache import cache

    settings.CERTIFICATION_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    first = page(client, hr, unit=station.pk)
    assert cell(row(first, "total"), "basic")["holders"] == 2 and not first.context["figures"].cached
    record(UserFactory(unit=station), "basic")
    with CaptureQueriesContext(connection) as queries:
        kept = page(client, hr, unit=station.pk)
    # The kept figures, said to be kept; the drill-down list is live.
    assert kept.context["figures"].cached and cell(row(kept, "total"), "basic")["holders"] == 2
    assert 'id="figures-as-of"' in kept.content.decode()
    assert not any('"certification_qualification"' in query["sql"] for query in queries.captured_queries)
    drill = client.get(cell(row(kept, "total"), "basic")["holders_url"])
    assert drill.context["total"] == 3
    recounted = page(client, hr, unit=station.pk, fresh=1)
    assert cell(row(recounted, "total"), "basic")["holders"] == 3 and not recounted.context["figures"].cached
    # Another unit's figures are kept apart, and a unit leader reaches only their own root.
    assert cell(row(page(client, hr), "total"), "basic")["holders"] == 4
    overview = page(client, hr, name="certification:dashboard_overview", unit=station.pk)
    assert page(client, hr, name="certification:dashboard_overview", unit=station.pk).context["figures"].cached
    assert overview.context["funnel"]
    cache.clear()


def test_kept_figures_read_in_the_readers_language(client, hr, data, station, settings, officer):
    """A figure counted for an English reader and kept must not show English to the next Chinese one."""
    from django.core.cache import cache

    settings.CERTIFICATION_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    english(client)
    assert "All units" in page(client, hr, unit=station.pk).content.decode()
    assert (
        "Phase 1: legal department shadowing"
        in page(client, hr, name="certification:dashboard_overview", unit=station.pk).content.decode()
    )

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    coverage = page(client, hr, unit=station.pk).content.decode()
    overview = page(client, hr, name="certification:dashboard_overview", unit=station.pk).content.decode()

    assert "全部单位" in coverage and "All units" not in coverage
    assert "第一阶段：法制部门跟岗见习" in overview and "Phase 1: legal department shadowing" not in overview
    cache.clear()


def test_kept_figures_hold_labels_as_messages_not_text(hr, data, station, settings):
    """What is kept is numbers and lazy labels: read back under another language, a label follows it."""
    from django.core.cache import cache
    from django.utils import translation

    from certification.selectors.dashboards import cached_figures, dashboard_filters_from, qualification_coverage

    settings.CERTIFICATION_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    filters = dashboard_filters_from(hr, {"unit": str(station.pk)})
    with translation.override("en"):
        cached_figures("coverage", filters, qualification_coverage)
        kept = cached_figures("coverage", filters, qualification_coverage)
    assert kept.cached
    with translation.override("zh-hans"):
        assert str(kept.value.total.label) == "全部单位"
        assert "（本单位人员）" in str(kept.value.rows[-1].label)
    cache.clear()


def test_kept_figures_survive_the_shared_redis_cache(hr, data, station, settings):
    """At city scale the figures go through Redis (pickled): lazy labels must make the trip."""
    import socket

    from django.core.cache import cache
    from django.utils import translation

    from certification.selectors.dashboards import cached_figures, dashboard_filters_from, qualification_coverage

    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis server on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"fazhi-test-{id(settings)}",
        }
    }
    settings.CERTIFICATION_DASHBOARD_CACHE_SECONDS = 60
    filters = dashboard_filters_from(hr, {"unit": str(station.pk)})
    try:
        with translation.override("en"):
            first = cached_figures("coverage", filters, qualification_coverage)
            kept = cached_figures("coverage", filters, qualification_coverage)
        assert kept.cached and kept.value.total.officers == first.value.total.officers
        with translation.override("zh-hans"):
            assert str(kept.value.total.label) == "全部单位"
    finally:
        cache.clear()
