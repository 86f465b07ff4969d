"""Old notifications stored their title and body as finished words in the recipient's language.
Where the words are recognisably one of the platform's sentences — a registered stored text
(parameters read back) or a fixed sentence of the Chinese catalog — keep its key or msgid so the
notification follows the reader's language from now on; anything else keeps its words.
"""

from django.db import migrations

from portal.texts import recognise_any


def forwards(apps, schema_editor):
    Notification = apps.get_model("portal", "Notification")
    for notification in Notification.objects.filter(title_message={}, body_message={}).iterator():
        title = recognise_any(notification.title) or {}
        body = recognise_any(notification.body) or {}
        if title or body:
            Notification.objects.filter(pk=notification.pk).update(title_message=title, body_message=body)


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_stored_texts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
