"""The yearly coverage of random tests: the 1/3 middle-leader rule, per position and per unit, and
the spreadsheet download."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from exams.models import Attempt, AttemptState, SampledOfficer
from exams.selectors.sampling import middle_leader_coverage, sampling_coverage
from exams.services.sampling import sampling_confirm, sampling_draw, sampling_outcomes_record
from people.models import Category
from portal.models import AuditEntry
from tests.exams.sampling_support import middle_leaders, officers, proportional, random_exam, save_plan

pytestmark = pytest.mark.django_db

YEAR = 2026
OPENS = timezone.make_aware(datetime.datetime(YEAR, 3, 2, 9, 0))


def confirmed_plan(*quotas, units, opens=OPENS, seed=1):
    """A random test whose window opened at ``opens`` (a week long), drawn and confirmed the day before."""
    exam = random_exam(now=opens - datetime.timedelta(days=1))
    plan = save_plan(exam, *quotas, units=units)
    before = opens - datetime.timedelta(hours=12)
    plan = sampling_draw(plan=plan, seed=seed, actor=None, now=before)
    sampling_confirm(plan=plan, actor=None, now=before)
    return exam, plan


def sit(exam, officer):
    Attempt.objects.create(exam=exam, officer=officer, state=AttemptState.GRADED, submitted_at=exam.opens_at)


def test_the_third_of_middle_leaders_is_met_when_enough_of_them_sat_the_test(branch, station):
    officers(station, 6, is_middle_leader=True)
    exam, plan = confirmed_plan(middle_leaders(), units=[branch])
    drawn = [row.officer for row in SampledOfficer.objects.filter(plan=plan)]
    assert len(drawn) == 2
    for officer in drawn:
        sit(exam, officer)

    coverage = middle_leader_coverage(YEAR)

    assert (coverage.total, coverage.tested, coverage.required, coverage.met) == (6, 2, 2, True)
    assert len(coverage.untested) == 4
    assert not {officer.pk for officer in drawn} & {officer.pk for officer in coverage.untested}


def test_the_third_of_middle_leaders_is_not_met_when_a_drawn_leader_did_not_show(branch, station):
    officers(station, 6, is_middle_leader=True)
    exam, plan = confirmed_plan(middle_leaders(), units=[branch])
    first, _second = [row.officer for row in SampledOfficer.objects.filter(plan=plan).order_by("order")]
    sit(exam, first)
    sampling_outcomes_record(now=exam.closes_at + datetime.timedelta(hours=1))

    coverage = middle_leader_coverage(YEAR)
    report = sampling_coverage(YEAR)

    assert (coverage.total, coverage.tested, coverage.required, coverage.met) == (6, 1, 2, False)
    assert len(coverage.untested) == 5
    leaders_row = report.by_position[0]
    assert (leaders_row.officers, leaders_row.drawn, leaders_row.tested, leaders_row.no_show) == (6, 2, 1, 1)
    assert leaders_row.share_tested == pytest.approx(16.7)


def test_other_years_and_unconfirmed_draws_do_not_count(branch, station):
    officers(station, 3, is_middle_leader=True)
    last_year = OPENS.replace(year=YEAR - 1)
    exam, plan = confirmed_plan(middle_leaders(), units=[branch], opens=last_year)
    for row in SampledOfficer.objects.filter(plan=plan):
        sit(exam, row.officer)
    unconfirmed = save_plan(random_exam(now=OPENS), middle_leaders(), units=[branch])
    sampling_draw(plan=unconfirmed, seed=3, actor=None, now=OPENS)

    assert middle_leader_coverage(YEAR).tested == 0
    assert middle_leader_coverage(YEAR).met is False
    assert middle_leader_coverage(YEAR - 1).met is True


def test_coverage_counts_per_position_and_per_unit(branch, station, squad, legal_brigade, other_unit):
    officers(legal_brigade, 2, is_legal_brigade=True)
    officers(squad, 3)
    officers(station, 1, is_legal_officer=True)
    officers(other_unit, 2)
    exam, plan = confirmed_plan(proportional(4, branch), units=[branch], seed=5)
    tested = list(SampledOfficer.objects.filter(plan=plan).order_by("order"))[:3]
    for row in tested:
        sit(exam, row.officer)

    report = sampling_coverage(YEAR)

    assert report.total.officers == 8 and report.total.drawn == 4 and report.total.tested == 3
    by_unit = {row.label: row for row in report.by_unit}
    assert set(by_unit) == {"西湖分局/北山派出所", "西湖分局/法制大队", "西湖分局/治安大队"}
    assert by_unit["西湖分局/北山派出所"].officers == 4  # the squad counts toward its station
    assert sum(row.tested for row in report.by_unit) == 3
    positions = {row.label: row.officers for row in report.by_position}
    assert list(positions.values()) == [0, 1, 2, 5]


def test_the_spreadsheet_has_the_same_numbers_and_is_audited(client, trainer, station, branch):
    import pandas as pd

    officers(station, 3, is_middle_leader=True)
    exam, plan = confirmed_plan(middle_leaders(), units=[branch])
    sit(exam, SampledOfficer.objects.get(plan=plan).officer)
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("exams:sampling_coverage_xlsx"), {"year": YEAR})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = pd.read_excel(io.BytesIO(response.content), sheet_name=None)
    assert list(sheets) == ["By position", "By unit", "Middle leaders not tested"]
    by_position = sheets["By position"]
    leaders = by_position[by_position["Group"] == "Middle leaders"].iloc[0]
    assert (leaders["Officers"], leaders["Officers drawn"], leaders["Tested"]) == (3, 1, 1)
    assert len(sheets["Middle leaders not tested"]) == 2
    assert AuditEntry.objects.filter(action="exams.coverage.exported", actor=trainer, data__year=YEAR).exists()


def test_the_coverage_page_says_whether_the_rule_is_met(client, trainer, station, branch):
    officers(station, 3, is_middle_leader=True)
    client.force_login(trainer)

    response = client.get(reverse("exams:sampling_coverage"), {"year": YEAR})

    assert response.status_code == 200
    assert b'data-met="no"' in response.content
    assert response.context["report"].middle_leaders.required == 1


def test_officers_cannot_see_the_coverage(client, officer):
    client.force_login(officer)
    assert client.get(reverse("exams:sampling_coverage")).status_code == 403
    assert client.get(reverse("exams:sampling_coverage_xlsx")).status_code == 403


def test_coverage_counts_police_officers_unless_asked_for_every_category(branch, station):
    officers(station, 2)
    officers(station, 3, category=Category.AUXILIARY)

    assert sampling_coverage(YEAR).total.officers == 2
    assert sampling_coverage(YEAR, category=Category.AUXILIARY).total.officers == 3
    assert sampling_coverage(YEAR, category="").total.officers == 5
