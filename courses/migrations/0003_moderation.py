"""Moderation of study material, idempotently:

- Workflow 法制大队审核 with one group-approval task owned by the ``legal_leader`` group,
  assigned to the course index (so every course and lesson below it goes through it);
- page permissions under the course index: ``trainer`` may add and change (not publish),
  ``legal_leader`` may add, change and publish;
- both groups get Wagtail admin access, knowledge-point editing and image / document
  permissions on the root collection. Officers and auxiliaries get nothing here.
"""

from django.db import migrations

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


def set_up_moderation(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_course_index_page"),
        ("people", "0002_role_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(set_up_moderation, migrations.RunPython.noop)]
