"""One path to publishing: 法制大队审核 becomes the only active workflow and is assigned to the
root page as well as the course index. Wagtail's default "Moderators approval" workflow (or
whatever it was renamed to) and its task are deactivated, not deleted, so past submissions keep
their history. Idempotent, and a no-op where the default workflow never existed; see
``courses.moderation.workflow_keep_single``."""

from django.db import migrations

from courses.moderation import workflow_keep_single


def keep_single_workflow(apps, schema_editor):
    workflow_keep_single(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_study_progress_assignments_discussions"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(keep_single_workflow, migrations.RunPython.noop)]
