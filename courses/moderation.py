"""Moderation of study material, written against an app registry (``apps``) so that the data
migrations run it on historical models and ``seed_demo`` on the live ones. Every function here is
idempotent. Use only models and fields that exist at ``courses`` 0005 / ``wagtailcore`` 0098: the
migrations still call this code.

- ``moderation_set_up``: workflow 法制大队审核 with one group-approval task owned by the
  ``legal_leader`` group, assigned to the course index (so every course and lesson below it goes
  through it); page permissions under the course index: ``trainer`` may add and change (not
  publish), ``legal_leader`` may add, change and publish; both groups get Wagtail admin access,
  knowledge-point editing and image / document permissions on the root collection. Officers and
  auxiliaries get nothing here.
- ``workflow_keep_single``: 法制大队审核 is the only active workflow and covers the whole page
  tree. Wagtail's own migration creates "Moderators approval" on the root page, a second, English
  path to publishing; it and any other active workflow (whatever it is called now) are deactivated
  the way ``Workflow.deactivate`` does it: in-progress submissions cancelled, page and snippet
  assignments removed, its tasks deactivated unless an active workflow still uses them. History
  (states, revisions) is kept.
"""

from __future__ import annotations

from django.utils import timezone

WORKFLOW_NAME = "法制大队审核"
TASK_NAME = "法制大队领导审批"
PAGE_PERMISSIONS = {
    "trainer": ["add_page", "change_page"],
    "legal_leader": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
PAGE_PERMISSION_NAMES = {
    "add_page": "Can add page",
    "change_page": "Can change page",
    "publish_page": "Publish any page",
    "lock_page": "Lock/unlock pages you've locked",
    "unlock_page": "Unlock any page",
}
COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): ["add", "change", "choose"],
    ("wagtaildocs", "document"): ["add", "change", "choose"],
}
EDITOR_GROUPS = ["trainer", "legal_leader"]


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def moderation_set_up(apps) -> None:
    """Groups' admin, knowledge-point, media and page permissions, and the 法制大队审核 workflow
    assigned to the course index (as data migration 0003 first did)."""
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in EDITOR_GROUPS}
    index = CourseIndexPage.objects.first()

    # Admin access and knowledge points (model-level permissions).
    admin_access = _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    knowledge = [
        _permission(apps, "courses", "knowledgepoint", f"{action}_knowledgepoint", f"Can {action} knowledge point")
        for action in ("add", "change", "delete", "view")
    ]
    for group in groups.values():
        group.permissions.add(admin_access, *knowledge)

    # Images and documents are permitted per collection; the root collection covers them all.
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for (app_label, model), actions in COLLECTION_PERMISSIONS.items():
            for action in actions:
                permission = _permission(apps, app_label, model, f"{action}_{model}", f"Can {action} {model}")
                for group in groups.values():
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )

    if index is None:
        return

    for group_name, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            permission = _permission(apps, "wagtailcore", "page", codename, PAGE_PERMISSION_NAMES[codename])
            GroupPagePermission.objects.get_or_create(group=groups[group_name], page_id=index.pk, permission=permission)

    task_content_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_content_type, active=True)
    task.groups.add(groups["legal_leader"])

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


def _project_workflow(apps):
    """法制大队审核, or whatever the course index's workflow is called now if it was renamed."""
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        index = CourseIndexPage.objects.first()
        assignment = WorkflowPage.objects.filter(page_id=index.pk).first() if index is not None else None
        workflow = Workflow.objects.filter(pk=assignment.workflow_id).first() if assignment is not None else None
    return workflow


def workflow_keep_single(apps) -> int:
    """Make the project's workflow the only active one, on the root page and the course index.

    Returns how many other workflows were deactivated. Does nothing when the project's workflow
    does not exist (``moderation_set_up`` creates it): a site is never left without moderation.
    """
    Page = apps.get_model("wagtailcore", "Page")
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")

    project = _project_workflow(apps)
    if project is None:
        return 0
    if not project.active:
        project.active = True
        project.save(update_fields=["active"])
    Task.objects.filter(workflow_tasks__workflow=project, active=False).update(active=True)

    others = list(Workflow.objects.filter(active=True).exclude(pk=project.pk).values_list("pk", flat=True))
    if others:
        now = timezone.now()
        in_progress = WorkflowState.objects.filter(workflow_id__in=others, status="in_progress")
        TaskState.objects.filter(
            pk__in=in_progress.exclude(current_task_state=None).values("current_task_state_id"),
            status="in_progress",
        ).update(status="cancelled", finished_at=now)
        in_progress.update(status="cancelled")
        WorkflowPage.objects.filter(workflow_id__in=others).delete()
        WorkflowContentType.objects.filter(workflow_id__in=others).delete()
        Workflow.objects.filter(pk__in=others).update(active=False)
        Task.objects.filter(workflow_tasks__workflow_id__in=others, active=True).exclude(
            workflow_tasks__workflow__active=True
        ).update(active=False)

    index = CourseIndexPage.objects.first()
    for page in (Page.objects.filter(depth=1).first(), index):
        if page is not None:
            WorkflowPage.objects.update_or_create(page_id=page.pk, defaults={"workflow": project})
    return len(others)
