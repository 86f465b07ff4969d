"""An index on exams_attempt for the HR dashboards' exam pass rates (issue 15, province scale).

``certification.selectors.dashboards.exam_pass_rates`` groups the year's released attempts by
officer (an exam counts once per officer). With only the single-column indexes, PostgreSQL read
458,000 attempts through the officer index in random heap order: 1.26 s at 100,000 officers. On
(officer, exam) carrying state, passed and number, the same query is an index-only scan already in
group order: 0.29 s (docs/PERFORMANCE.md, "Province on PostgreSQL"). The officer's own attempts
(officer file, my results) use it too.

The index is created here, next to the query that needs it, with SQL rather than in
``exams.Attempt.Meta`` (the exams app does not know about this read); SQLite has no INCLUDE, so it
gets the same columns as keys.
"""

from django.db import migrations

NAME = "cert_attempt_officer_exam"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON exams_attempt (officer_id, exam_id) INCLUDE (state, passed, number)"
        )
    else:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON exams_attempt (officer_id, exam_id, state, passed, number)"
        )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0006_stored_texts_from_old_rows"),
        ("exams", "0007_exam_day"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
