"""`manage.py setup_schedules` and the tasks its schedules run."""

from __future__ import annotations

import ast
import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Failure, Schedule, Success, Task
from wagtail.models import Page

from portal.models import AuditEntry
from portal.tasks import SCHEDULES, prune_task_results, publish_scheduled, registered_schedules


def setup_schedules() -> str:
    out = io.StringIO()
    call_command("setup_schedules", stdout=out)
    return out.getvalue()


def schedule_rows() -> list[dict]:
    return list(Schedule.objects.order_by("pk").values())


@pytest.mark.django_db
def test_setup_schedules_creates_publishing_and_result_pruning_schedules():
    setup_schedules()

    publish = Schedule.objects.get(name="wagtail.publish_scheduled")
    assert (publish.func, publish.schedule_type, publish.minutes) == (
        "portal.tasks.publish_scheduled",
        Schedule.MINUTES,
        1,
    )
    prune = Schedule.objects.get(name="portal.prune_task_results")
    assert (prune.func, prune.schedule_type) == ("portal.tasks.prune_task_results", Schedule.DAILY)
    assert prune.repeats == -1 and publish.repeats == -1
    # The daily pruning runs at night, local time.
    assert timezone.localtime(prune.next_run).time() == datetime.time(3, 30)


@pytest.mark.django_db
def test_running_setup_schedules_twice_gives_the_same_schedules():
    setup_schedules()
    before = schedule_rows()

    setup_schedules()

    assert schedule_rows() == before


@pytest.mark.django_db
def test_setup_schedules_repairs_a_schedule_changed_by_hand_and_removes_its_duplicate():
    setup_schedules()
    Schedule.objects.filter(name="wagtail.publish_scheduled").update(minutes=30, repeats=0)
    Schedule.objects.create(name="portal.prune_task_results", func="portal.tasks.prune_task_results")

    setup_schedules()

    publish = Schedule.objects.get(name="wagtail.publish_scheduled")
    assert (publish.minutes, publish.repeats) == (1, -1)
    assert Schedule.objects.filter(name="portal.prune_task_results").count() == 1
    assert AuditEntry.objects.filter(action="portal.schedules.synced").count() == 2


@pytest.mark.django_db
def test_setup_schedules_leaves_schedules_it_does_not_own_alone():
    own = Schedule.objects.create(name="somebody.else", func="math.floor", args="1.5")

    output = setup_schedules()

    assert Schedule.objects.filter(pk=own.pk, func="math.floor").exists()
    assert "somebody.else" in output


def test_every_registered_schedule_runs_an_importable_function_under_a_unique_name():
    specs = registered_schedules()
    assert {spec.name for spec in SCHEDULES} <= {spec.name for spec in specs}
    assert len({spec.name for spec in specs}) == len(specs)
    for spec in specs:
        assert callable(import_string(spec.func)), spec.func


@pytest.mark.django_db
def test_the_every_minute_schedule_does_not_store_its_successes():
    setup_schedules()

    publish = Schedule.objects.get(name="wagtail.publish_scheduled")
    assert ast.literal_eval(publish.kwargs) == {"q_options": {"save": False}}


def make_task_result(*, success: bool, days_ago: int) -> Task:
    stopped = timezone.now() - datetime.timedelta(days=days_ago)
    return Task.objects.create(
        id=uuid.uuid4().hex,
        name=f"task-{uuid.uuid4().hex[:8]}",
        func="portal.tasks.publish_scheduled",
        started=stopped - datetime.timedelta(seconds=1),
        stopped=stopped,
        success=success,
    )


@pytest.mark.django_db
def test_pruning_deletes_successes_older_than_30_days_and_keeps_failures():
    old_success = make_task_result(success=True, days_ago=31)
    recent_success = make_task_result(success=True, days_ago=29)
    old_failure = make_task_result(success=False, days_ago=90)

    assert prune_task_results() == 1

    assert list(Success.objects.values_list("pk", flat=True)) == [recent_success.pk]
    assert list(Failure.objects.values_list("pk", flat=True)) == [old_failure.pk]
    assert not Task.objects.filter(pk=old_success.pk).exists()
    assert AuditEntry.objects.get(action="portal.task_results.pruned").data == {"deleted": 1, "older_than_days": 30}


@pytest.mark.django_db
def test_retention_period_comes_from_settings(settings):
    settings.TASK_RESULT_RETENTION_DAYS = 7
    make_task_result(success=True, days_ago=8)

    assert prune_task_results() == 1


@pytest.mark.django_db
def test_publish_task_publishes_a_page_whose_go_live_time_has_passed():
    root = Page.get_first_root_node()
    page = root.add_child(instance=Page(title="定时发布的学习材料", slug="scheduled-study", live=False))
    page.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))

    publish_scheduled()

    page.refresh_from_db()
    assert page.live
