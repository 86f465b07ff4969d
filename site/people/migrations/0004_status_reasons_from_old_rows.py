"""Status changes made by a personnel import stored "人员导入：花名册.xlsx" as finished words. Where a
row's reason matches that sentence (in Chinese or English), keep its key and source, so it reads in
the reader's language from now on; typed reasons keep their words. The template is frozen here."""

from django.db import migrations

from portal.texts import recognise

REASONS = {"people.status.personnel_import": "Personnel import: %(source)s"}


def forwards(apps, schema_editor):
    changes = apps.get_model("people", "OfficerStatusChange").objects
    for row in changes.filter(reason_message={}).exclude(reason="").iterator():
        message = recognise(row.reason, REASONS)
        if message:
            changes.filter(pk=row.pk).update(reason_message=message)


class Migration(migrations.Migration):
    dependencies = [("people", "0003_officer_status_reason_message")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
