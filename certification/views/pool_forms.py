"""Forms of the reserve talent pool pages. They parse input; the rules live in
``certification.services.pool``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import ActivityKind, AttendanceStatus


class NominateForm(forms.Form):
    officer = forms.IntegerField(widget=forms.HiddenInput)
    basis = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for nomination"), max_length=300)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False, help_text=_("Required when rejecting."))


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


def attendance_entries(data, officer_ids) -> tuple[dict[int, tuple[str, str]], bool]:
    """Read ``status-<pk>`` / ``note-<pk>`` for each roster officer: the entries to record (blank
    status: not recorded) and whether every given value was well-formed."""
    entries: dict[int, tuple[str, str]] = {}
    valid = True
    for pk in officer_ids:
        status = data.get(f"status-{pk}", "")
        note = data.get(f"note-{pk}", "").strip()
        if not status:
            continue
        if status not in AttendanceStatus.values or len(note) > 200:
            valid = False
            continue
        entries[pk] = (status, note)
    return entries, valid
