from __future__ import annotations

import re

from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Page, Task, Workflow, WorkflowPage, WorkflowState, WorkflowTask

from courses.models import LessonPage, SearchDocument
from courses.moderation import workflow_keep_single
from tests.courses.conftest import make_course, make_lesson


def _draft_lesson_by(trainer, course) -> LessonPage:
    lesson = course.add_child(
        instance=LessonPage(
            title="伤情鉴定",
            body=[{"type": "rich_text", "value": "<p>轻伤害案件应当及时委托鉴定。</p>"}],
            live=False,
            owner=trainer,
        )
    )
    lesson.save_revision(user=trainer)
    return lesson


def test_course_index_uses_the_legal_brigade_workflow(course_index):
    workflow = course_index.get_workflow()

    assert workflow.name == "法制大队审核"
    task = workflow.tasks.get().specific
    assert [group.name for group in task.groups.all()] == ["legal_leader"]


def test_trainer_can_edit_but_not_publish(course_index, trainer, legal_leader):
    course = make_course(course_index, "伤害案件办理清单")
    lesson = _draft_lesson_by(trainer, course)

    trainer_permissions = lesson.permissions_for_user(trainer)
    assert trainer_permissions.can_edit()
    assert not trainer_permissions.can_publish()
    assert course_index.permissions_for_user(trainer).can_add_subpage()
    assert lesson.permissions_for_user(legal_leader).can_publish()


def test_officer_cannot_edit_or_enter_the_admin(client, course_index, officer, auxiliary):
    course = make_course(course_index, "接处警规范")

    assert not course.permissions_for_user(officer).can_edit()
    for person in (officer, auxiliary):
        assert not person.has_perm("wagtailadmin.access_admin")
        client.force_login(person)
        response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 302  # back to the admin login: no access
        client.logout()


def test_trainer_and_legal_leader_can_enter_the_admin_and_upload_media(client, trainer, legal_leader):
    for person in (trainer, legal_leader):
        client.force_login(person)
        assert client.get(reverse("wagtailadmin_home")).status_code == 200
        assert client.get(reverse("wagtailimages:add")).status_code == 200
        assert client.get(reverse("wagtaildocs:add")).status_code == 200
        client.logout()


def test_moderation_setup_can_run_again_without_duplicates(course_index):
    import importlib

    from wagtail.models import GroupPagePermission

    migration = importlib.import_module("courses.migrations.0003_moderation")
    counts = (Workflow.objects.count(), WorkflowTask.objects.count(), GroupPagePermission.objects.count())

    migration.set_up_moderation(apps, None)

    assert (Workflow.objects.count(), WorkflowTask.objects.count(), GroupPagePermission.objects.count()) == counts


def test_trainer_cannot_publish_through_the_admin(client, course_index, trainer):
    course = make_course(course_index, "伤害案件办理清单")
    lesson = _draft_lesson_by(trainer, course)
    client.force_login(trainer)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="action-submit"' in html  # "Submit to 法制大队审核" is offered
    assert 'name="action-publish"' not in html


def test_submission_waits_for_the_legal_leader_and_approval_publishes(client, course_index, trainer, legal_leader):
    course = make_course(course_index, "伤害案件办理清单")
    lesson = _draft_lesson_by(trainer, course)

    state = lesson.get_workflow().start(lesson, trainer)

    assert WorkflowState.objects.filter(pk=state.pk, status=WorkflowState.STATUS_IN_PROGRESS).exists()
    task_state = state.current_task_state
    assert task_state.task.name == "法制大队领导审批"
    lesson.refresh_from_db()
    assert not lesson.live

    # The trainer cannot approve their own submission...
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "approve", task_state.pk])
    client.post(url, {"comment": ""})
    lesson.refresh_from_db()
    assert not lesson.live

    # ...the legal-brigade leader can, and approving the last task publishes the lesson.
    client.force_login(legal_leader)
    response = client.post(url, {"comment": "同意发布"})

    assert response.status_code in (200, 302)
    lesson.refresh_from_db()
    state.refresh_from_db()
    assert lesson.live
    assert state.status == WorkflowState.STATUS_APPROVED
    assert lesson.live_revision is not None
    assert SearchDocument.objects.filter(page=lesson).exists()  # approval publishes into the search index


# --- one path to publishing -------------------------------------------------------------------------

CHINESE_NAME = re.compile(r"[\u4e00-\u9fff]+")


def _active_workflow_names() -> list[str]:
    return list(Workflow.objects.filter(active=True).values_list("name", flat=True))


def _moderators_style_workflow(page) -> Workflow:
    """What Wagtail's own migration leaves: an English-named group approval on a page."""
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    task.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    workflow = Workflow.objects.create(name="Moderators approval", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def test_the_legal_brigade_workflow_is_the_only_active_one_and_covers_the_whole_tree(course_index):
    lesson = make_lesson(make_course(course_index, "伤害案件办理清单"), "伤情鉴定")

    assert _active_workflow_names() == ["法制大队审核"]
    assert list(Task.objects.filter(active=True).values_list("name", flat=True)) == ["法制大队领导审批"]
    root = Page.get_first_root_node()
    for page in (root, course_index.get_parent(), course_index, lesson):
        assert page.get_workflow().name == "法制大队审核", page.title


def test_keeping_one_workflow_deactivates_a_renamed_default_and_cancels_its_submissions(course_index, trainer):
    home = course_index.get_parent().specific
    home.save_revision(user=trainer)
    default = _moderators_style_workflow(Page.get_first_root_node())
    default.name = "Editors review"  # renamed by an administrator: found all the same
    default.save()
    state = default.start(home, trainer)

    deactivated = workflow_keep_single(apps)

    assert deactivated == 1
    assert _active_workflow_names() == ["法制大队审核"]
    assert not default.tasks.get().active
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_CANCELLED
    assert state.current_task_state.status == "cancelled"
    assert home.get_workflow().name == "法制大队审核"
    assert workflow_keep_single(apps) == 0  # idempotent


def test_keeping_one_workflow_is_a_no_op_where_no_default_exists(course_index):
    before = list(WorkflowPage.objects.values_list("page_id", "workflow_id").order_by("page_id"))

    assert workflow_keep_single(apps) == 0

    assert list(WorkflowPage.objects.values_list("page_id", "workflow_id").order_by("page_id")) == before
    assert _active_workflow_names() == ["法制大队审核"]


def test_seed_demo_leaves_exactly_one_active_workflow_with_a_chinese_name(course_index, trainer, legal_leader):
    from courses.demo import build
    from portal.demo import DemoContext

    # A flushed database that got Wagtail's default back, but not the project's workflow.
    Workflow.objects.filter(name="法制大队审核").delete()
    Task.objects.all().delete()
    _moderators_style_workflow(Page.get_first_root_node())

    ctx = DemoContext(accounts={"trainer": trainer, "legal_leader": legal_leader})
    build(ctx)

    names = _active_workflow_names()
    assert len(names) == 1 and CHINESE_NAME.fullmatch(names[0])
    assert course_index.get_workflow().name == names[0]
    assert Page.get_first_root_node().get_workflow().name == names[0]
