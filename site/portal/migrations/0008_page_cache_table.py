"""The table of the "pages" cache on a server without Redis (``CACHES["pages"]``, a DatabaseCache
shared by the worker and the web processes). ``createcachetable`` creates only what is missing and
nothing when the cache is Redis, so every ``migrate`` may run it."""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_job_lease")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]
