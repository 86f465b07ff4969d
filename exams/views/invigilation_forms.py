"""Forms of the invigilation board and the re-opening approvals: each action with its reason."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from exams.services.exam_day import MAX_MINUTES

MINUTES_ERRORS = {
    "required": _("Give between 1 and 600 minutes."),
    "invalid": _("Give between 1 and 600 minutes."),
    "min_value": _("Give between 1 and 600 minutes."),
    "max_value": _("Give between 1 and 600 minutes."),
}
REASON_ERRORS = {"required": _("Give a reason; it is kept in the exam's record.")}


@dataclass(frozen=True)
class Pick:
    """One examinee ticked on the board: the officer, the attempt the row showed and its deadline
    then (the service adds time only where the deadline is still that one)."""

    officer_id: int
    attempt_id: int | None
    deadline: datetime.datetime | None

    @classmethod
    def parse(cls, value: str) -> Pick | None:
        parts = value.split("|")
        if len(parts) != 3:
            return None
        try:
            officer_id = int(parts[0])
            attempt_id = int(parts[1]) if parts[1] else None
            deadline = datetime.datetime.fromisoformat(parts[2]) if parts[2] else None
        except ValueError:
            return None
        if deadline is not None and deadline.tzinfo is None:
            return None
        return cls(officer_id, attempt_id, deadline)

    @staticmethod
    def value(officer_id: int, attempt_id: int | None, deadline: datetime.datetime | None) -> str:
        return f"{officer_id}|{attempt_id or ''}|{deadline.isoformat() if deadline else ''}"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, error_messages=REASON_ERRORS)


class AddTimeForm(ReasonForm):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MAX_MINUTES, error_messages=MINUTES_ERRORS)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the room"),
        max_length=500,
        error_messages={"required": _("Write the message first.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ReopenForm(ReasonForm):
    minutes = forms.IntegerField(
        label=_("Minutes to give"), min_value=1, max_value=MAX_MINUTES, error_messages=MINUTES_ERRORS
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        error_messages={
            "required": _("Approve or refuse the request."),
            "invalid_choice": _("Approve or refuse the request."),
        },
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
