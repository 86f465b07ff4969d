from __future__ import annotations

from django.urls import reverse
from wagtail.models import WorkflowState

from courses.models import LessonPage, SearchDocument
from tests.courses.conftest import make_course


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

    from django.apps import apps
    from wagtail.models import GroupPagePermission, Workflow, WorkflowTask

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
