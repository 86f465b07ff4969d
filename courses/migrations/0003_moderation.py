"""Moderation of study material: see ``courses.moderation.moderation_set_up`` (the workflow
法制大队审核, page permissions under the course index, admin and media permissions for the
``trainer`` and ``legal_leader`` groups). Idempotent; ``seed_demo`` runs the same code."""

from django.db import migrations

from courses.moderation import moderation_set_up


def set_up_moderation(apps, schema_editor):
    moderation_set_up(apps)


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
