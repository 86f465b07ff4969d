"""The sampling plan page: a trainer sets the population and quotas, draws, checks and confirms."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from exams.models import ExamInvitation, ExamKind, QuotaKind, SampledOfficer, SamplingPlan, SamplingStatus
from people.models import Category
from people.models.audience import Position
from portal.models import Notification
from tests.exams.sampling_support import officers, random_exam

pytestmark = pytest.mark.django_db


def plan_data(*quotas: dict, units=(), **fields) -> dict:
    data = {
        "audience_units_subtree": [str(unit.pk) for unit in units],
        "audience_categories": [Category.OFFICER],
        "age_min": "",
        "age_max": "",
        "quotas-TOTAL_FORMS": str(len(quotas) + 1),
        "quotas-INITIAL_FORMS": "0",
        "quotas-MIN_NUM_FORMS": "0",
        "quotas-MAX_NUM_FORMS": "1000",
        **fields,
    }
    blank = {"kind": "", "officer_position": "", "numerator": "1", "denominator": "3", "count": "", "unit": ""}
    for index, quota in enumerate([*quotas, {}]):
        for name, value in {**blank, **quota}.items():
            data[f"quotas-{index}-{name}"] = value
    return data


LEADERS = {"kind": QuotaKind.POSITION_FRACTION, "officer_position": Position.MIDDLE_LEADER}


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_trainer_sets_the_plan_draws_and_confirms_through_the_page(
    trainer_client, branch, station, other_unit, legal_brigade
):
    officers(legal_brigade, 2, is_legal_brigade=True)  # with the trainer: three
    officers(station, 6, is_middle_leader=True)
    officers(station, 4)
    officers(other_unit, 5)
    exam = random_exam()
    url = reverse("exams:sampling_plan", args=[exam.pk])

    assert trainer_client.get(url).status_code == 200
    per_unit = {"kind": QuotaKind.PER_UNIT, "count": "2", "unit": str(branch.pk)}
    response = trainer_client.post(url, plan_data(LEADERS, per_unit, units=[branch]))
    assert response.status_code == 302
    plan = SamplingPlan.objects.get(exam=exam)
    assert plan.quotas.count() == 2

    response = trainer_client.post(reverse("exams:sampling_draw", args=[exam.pk]), {"seed": "42"}, follow=True)
    plan.refresh_from_db()
    assert plan.status == SamplingStatus.DRAWN and plan.seed == 42
    rows = list(SampledOfficer.objects.filter(plan=plan))
    assert sum(row.was_middle_leader for row in rows) >= 2
    page = response.content.decode()
    assert page.count('class="drawn-officer"') == len(rows)
    assert 'data-matches="yes"' in page
    assert 'data-met="no"' not in page and page.count('data-met="yes"') == 2

    confirm = {"drawn_at": response.context["confirm_form"]["drawn_at"].value()}
    confirm_url = reverse("exams:sampling_confirm", args=[exam.pk])
    assert trainer_client.post(confirm_url, confirm).status_code == 302
    response = trainer_client.post(confirm_url, confirm, follow=True)  # a double click

    assert "already confirmed" in response.content.decode()
    assert ExamInvitation.objects.filter(exam=exam).count() == len(rows)
    assert Notification.objects.filter(kind="exams.sampling.drawn").count() == len(rows)
    assert SamplingPlan.objects.get(pk=plan.pk).status == SamplingStatus.CONFIRMED
    assert 'id="plan-editor"' not in response.content.decode()


def test_add_a_quota_row_shows_one_more_row_and_saves_nothing(trainer_client, branch):
    exam = random_exam()
    url = reverse("exams:sampling_plan", args=[exam.pk])

    response = trainer_client.post(url, {**plan_data(LEADERS, units=[branch]), "add_row": "1"})

    assert response.status_code == 200
    assert response.content.decode().count('class="quota-row"') == 3
    assert not SamplingPlan.objects.exists()


def test_an_invalid_plan_is_shown_again_with_the_reason(trainer_client, branch):
    exam = random_exam()
    bad = {"kind": QuotaKind.POSITION_FRACTION, "officer_position": "", "numerator": "1", "denominator": "3"}

    response = trainer_client.post(reverse("exams:sampling_plan", args=[exam.pk]), plan_data(bad, units=[branch]))

    assert response.status_code == 400
    assert "Quota 1: choose the position." in response.content.decode()
    assert not SamplingPlan.objects.exists()


def test_a_draw_the_population_cannot_meet_is_refused_on_the_page(trainer_client, branch, station):
    officers(station, 1)
    exam = random_exam()
    trainer_client.post(
        reverse("exams:sampling_plan", args=[exam.pk]),
        plan_data({"kind": QuotaKind.PROPORTIONAL, "count": "5", "unit": str(branch.pk)}, units=[station]),
    )

    response = trainer_client.post(reverse("exams:sampling_draw", args=[exam.pk]), {"seed": ""}, follow=True)

    assert "needs 5, the population has only 1" in response.content.decode()
    assert not SampledOfficer.objects.exists()
    assert SamplingPlan.objects.get(exam=exam).status == SamplingStatus.DRAFT


def test_a_stale_confirmation_changes_nothing(trainer_client, branch, station):
    officers(station, 5)
    exam = random_exam()
    trainer_client.post(
        reverse("exams:sampling_plan", args=[exam.pk]),
        plan_data({"kind": QuotaKind.PROPORTIONAL, "count": "2", "unit": str(branch.pk)}, units=[station]),
    )
    trainer_client.post(reverse("exams:sampling_draw", args=[exam.pk]), {"seed": "1"})

    response = trainer_client.post(
        reverse("exams:sampling_confirm", args=[exam.pk]), {"drawn_at": "2020-01-01T00:00:00+00:00"}, follow=True
    )

    assert "drawn again" in response.content.decode()
    assert not ExamInvitation.objects.exists()
    assert SamplingPlan.objects.get(exam=exam).status == SamplingStatus.DRAWN


def test_a_non_random_exam_has_no_sampling_page(trainer_client, branch):
    exam = random_exam(kind=ExamKind.FORMAL)
    assert trainer_client.get(reverse("exams:sampling_plan", args=[exam.pk])).status_code == 404
    assert trainer_client.post(reverse("exams:sampling_draw", args=[exam.pk]), {"seed": "1"}).status_code == 404
    assert trainer_client.post(reverse("exams:sampling_confirm", args=[exam.pk]), {}).status_code == 404


def test_officers_have_no_access(client, officer, branch):
    exam = random_exam()
    client.force_login(officer)
    assert client.get(reverse("exams:sampling_plan", args=[exam.pk])).status_code == 403
    assert client.post(reverse("exams:sampling_draw", args=[exam.pk]), {"seed": "1"}).status_code == 403


def test_the_page_works_for_a_new_plan_with_sensible_defaults(trainer_client):
    exam = random_exam()
    response = trainer_client.get(reverse("exams:sampling_plan", args=[exam.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["audience_categories"] == [Category.OFFICER]
    assert "audience_officers" not in form.fields
    assert response.context["quotas"].forms[0].initial["officer_position"] == Position.MIDDLE_LEADER


def test_a_confirmed_plan_cannot_be_changed_from_a_stale_page(trainer_client, branch, station):
    officers(station, 4)
    exam = random_exam()
    url = reverse("exams:sampling_plan", args=[exam.pk])
    proportional = {"kind": QuotaKind.PROPORTIONAL, "count": "2", "unit": str(branch.pk)}
    trainer_client.post(url, plan_data(proportional, units=[station]))
    response = trainer_client.post(reverse("exams:sampling_draw", args=[exam.pk]), {"seed": "3"}, follow=True)
    confirm = {"drawn_at": response.context["confirm_form"]["drawn_at"].value()}
    trainer_client.post(reverse("exams:sampling_confirm", args=[exam.pk]), confirm)
    before = list(SampledOfficer.objects.values_list("officer_id", flat=True))

    response = trainer_client.post(url, plan_data({**proportional, "count": "3"}, units=[station]))

    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    assert list(SampledOfficer.objects.values_list("officer_id", flat=True)) == before
    assert SamplingPlan.objects.get(exam=exam).quotas.get().count == 2
