"""Question.uid: a stable identity across installations (exports carry it; imports match on it).

Added in three steps (nullable, filled, unique) so existing questions each get their own value.
"""

import uuid

from django.db import migrations, models

BATCH = 1000


def fill_uids(apps, schema_editor):
    Question = apps.get_model("exams", "Question")
    pending = list(Question.objects.filter(uid__isnull=True).only("pk"))
    for question in pending:
        question.uid = uuid.uuid4()
    Question.objects.bulk_update(pending, ["uid"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0005_exam_submission_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="uid",
            field=models.UUIDField(editable=False, null=True, verbose_name="identifier"),
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="question",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="identifier"),
        ),
    ]
