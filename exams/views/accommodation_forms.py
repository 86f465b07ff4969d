"""Forms of the trainers' accommodation pages: one set of terms for a list of police numbers
(granting) or for one officer (editing). The services decide; these only read what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.forms import DATETIME_INPUT_FORMATS
from exams.models import ExamAccommodation
from exams.views.exam_forms import DATETIME_WIDGET, PoliceNumbersField


class AccommodationForm(forms.Form):
    extra_minutes = forms.IntegerField(
        label=_("Extra time (minutes)"),
        required=False,
        min_value=0,
        max_value=600,
        help_text=_("Either minutes or a percentage of the exam's duration, not both."),
    )
    extra_percent = forms.IntegerField(
        label=_("Extra time (percent of the duration)"), required=False, min_value=0, max_value=300
    )
    opens_at = forms.DateTimeField(
        label=_("Own window opens"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(**DATETIME_WIDGET),
        help_text=_("Leave empty to keep the exam's own opening time."),
    )
    closes_at = forms.DateTimeField(
        label=_("Own window closes"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(**DATETIME_WIDGET),
        help_text=_("Leave empty to keep the exam's closing time (moved on by any extra time)."),
    )
    extra_attempts = forms.IntegerField(label=_("Extra attempts"), required=False, min_value=0, max_value=10)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept in the exam's record, such as a medical certificate or a duty clash."),
    )

    def __init__(self, *args, accommodation: ExamAccommodation | None = None, **kwargs):
        if accommodation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "extra_minutes": accommodation.extra_minutes or None,
                    "extra_percent": accommodation.extra_percent or None,
                    "opens_at": accommodation.opens_at,
                    "closes_at": accommodation.closes_at,
                    "extra_attempts": accommodation.extra_attempts or None,
                    "reason": accommodation.reason,
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("extra_minutes") and cleaned.get("extra_percent"):
            self.add_error("extra_percent", _("Give extra time in minutes or as a percentage, not both."))
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The officer's own window must close after it opens."))
        return cleaned

    def terms(self) -> dict:
        """The keyword arguments of ``exam_accommodation_set`` the form gives."""
        data = self.cleaned_data
        return {
            "extra_minutes": data.get("extra_minutes") or 0,
            "extra_percent": data.get("extra_percent") or 0,
            "opens_at": data.get("opens_at"),
            "closes_at": data.get("closes_at"),
            "extra_attempts": data.get("extra_attempts") or 0,
            "reason": data["reason"],
        }


class AccommodationGrantForm(AccommodationForm):
    officers = PoliceNumbersField(
        label=_("Police numbers"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One officer or several: separate police numbers with spaces, commas or new lines."),
    )

    field_order = ["officers"]
