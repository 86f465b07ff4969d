"""The qualification types the seed plan names. Admins may add others later."""

from django.db import migrations

TYPES = [
    # code, name, obtained_by, tier, requires, approval, validity months, prefix, order
    ("basic", "基本级执法资格", "exam", "basic", None, False, 36, "JB", 10),
    ("intermediate", "中级执法资格", "exam", "intermediate", "basic", False, 36, "ZJ", 20),
    ("advanced", "高级执法资格", "exam", "advanced", "intermediate", True, 36, "GJ", 30),
    ("lead_officer", "主办民警资格", "exam", "", None, False, None, "ZB", 40),
    ("legal_profession", "法律职业资格（司法考试）", "evidence", "", None, True, None, "FZ", 50),
    ("public_lawyer", "公职律师", "evidence", "", None, True, None, "GL", 60),
]


def create_types(apps, schema_editor):
    QualificationType = apps.get_model("certification", "QualificationType")
    created = {}
    for code, name, obtained_by, tier, requires, approval, months, prefix, order in TYPES:
        created[code], _ = QualificationType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "obtained_by": obtained_by,
                "tier": tier,
                "requires": created.get(requires),
                "requires_approval": approval,
                "validity_months": months,
                "certificate_prefix": prefix,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
