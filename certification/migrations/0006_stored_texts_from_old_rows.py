"""Old rows stored generated sentences as finished words (in the language active at the time).
Where a row's words match one of the templates certification generated them from — in Chinese or
in English — keep its key and parameters, so it is shown in the reader's language from now on.
Anything not recognised (typed reasons, reworded sentences) keeps its words as they are.

The templates are frozen here (key → the English msgid they had when this migration was written).
"""

import re

from django.db import migrations

from portal.texts import recognise

TRANSITION_REASONS = {
    "certification.pathway.enrolled": "Enrolled",
    "certification.pathway.lead_test_passed": "Passed the lead-officer test (attempt %(number)d)",
    "certification.pathway.lead_test_failed": "Failed the lead-officer test (attempt %(number)d); retake from %(day)s",
}
BINDING_END_REASONS = {
    "certification.binding.ended_completed": "Pathway completed",
    "certification.binding.ended_withdrawn": "Pathway withdrawn",
}
TALK_REASONS = {
    "certification.talk.failed": "Failed %(exam)s: score %(score)s, pass mark %(pass_mark)s.",
    "certification.talk.low_score": "Scored %(score)s in %(exam)s, below %(low)s.",
}
POOL_END_REASONS = {
    "certification.pool.officer_left": "The officer left the service.",
    "certification.pool.officer_inactive": "The officer's account was deactivated.",
    "certification.pool.no_basis": "The membership has no basis qualification.",
    "certification.pool.basis_lapsed": "The basis lapsed: %(qualification)s is no longer valid (%(state)s).",
}
CORRECTED_REASON = re.compile(r"^attempt (\d+)$")


def _convert(queryset, text_field: str, message_field: str, templates) -> None:
    for row in queryset.filter(**{message_field: {}}).exclude(**{text_field: ""}).iterator():
        message = (
            templates(getattr(row, text_field))
            if callable(templates)
            else recognise(getattr(row, text_field), templates)
        )
        if message:
            setattr(row, message_field, message)
            # update() rather than save(): transitions and events refuse a second save.
            queryset.filter(pk=row.pk).update(**{message_field: message})


def _corrected(words: str):
    match = CORRECTED_REASON.match(words or "")
    if match is None:
        return None
    return {"key": "certification.qualification.corrected_reason", "params": {"attempt": match.group(1)}}


def forwards(apps, schema_editor):
    model = apps.get_model
    _convert(model("certification", "PathwayTransition").objects.all(), "reason", "reason_message", TRANSITION_REASONS)
    _convert(
        model("certification", "MentorBinding").objects.all(), "end_reason", "end_reason_message", BINDING_END_REASONS
    )
    # Only talks and flags raised by a result; a talk raised by hand has a typed reason.
    for name in ("ReminderTalk", "OrganisationalFlag"):
        raised = model("certification", name).objects.filter(attempt__isnull=False)
        _convert(raised, "reason", "reason_message", TALK_REASONS)
    _convert(
        model("certification", "ReserveMember").objects.all(), "end_reason", "end_reason_message", POOL_END_REASONS
    )
    events = model("certification", "QualificationEvent").objects.filter(action="corrected")
    _convert(events, "reason", "reason_message", _corrected)


class Migration(migrations.Migration):
    dependencies = [("certification", "0005_stored_texts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
