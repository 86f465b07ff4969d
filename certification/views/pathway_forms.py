"""Forms of the pathway, mentor and case-quality pages. They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.models import PathwayPhase, WorkType
from people.models import User

MAX_IMPORT_SIZE = 20 * 1024 * 1024
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfficerNumberField(forms.CharField):
    """A police number typed by the user, resolved to an officer among ``queryset``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.queryset = User.objects.none()

    def clean(self, value):
        number = super().clean(value)
        if not number:
            return None
        officer = self.queryset.filter(police_number=number.strip()).first()
        if officer is None:
            raise forms.ValidationError(_("No officer with police number %(number)s.") % {"number": number})
        return officer


class EnrolForm(forms.Form):
    officer = OfficerNumberField(label=_("Police number of the new officer"))
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_INPUT, help_text=_("Empty: today."))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class LogEntryForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    work_type = forms.ChoiceField(label=_("Work type"), choices=WorkType.choices)
    description = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.5, max_value=24, decimal_places=1, max_digits=4)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class BindForm(forms.Form):
    mentor = OfficerNumberField(label=_("Police number of the mentor"))
    reason = forms.CharField(label=_("Reason for binding"), max_length=300, required=False)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = officers


def _unit_field(units, labels: dict[int, str]) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("Unit (including units below it)"), queryset=units.order_by("path"), required=False
    )
    field.label_from_instance = lambda unit: labels.get(unit.pk, unit.name)
    return field


class BoardFilterForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", _("Active (phases 1–3)"))], required=False)

    def __init__(self, *args, units, unit_labels: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(units, unit_labels)
        self.fields["phase"].choices = [("", _("Active (phases 1–3)")), *PathwayPhase.choices]
        self.order_fields(["unit", "phase"])


class CaseRecordForm(forms.Form):
    officer = OfficerNumberField(label=_("Police number of the handling officer"))
    case_number = forms.CharField(label=_("Case number"), max_length=60)
    case_date = forms.DateField(label=_("Case date"), widget=DATE_INPUT)
    case_title = forms.CharField(label=_("Case"), max_length=200, required=False)
    score = forms.DecimalField(label=_("Score"), required=False, min_value=0, max_value=100, decimal_places=2)
    deductions = forms.DecimalField(
        label=_("Deductions"), required=False, min_value=0, max_value=100, decimal_places=2, initial=0
    )
    issue_categories = forms.CharField(
        label=_("Issue categories"), required=False, max_length=500, help_text=_("Separate categories with 、")
    )
    serious = forms.BooleanField(label=_("Serious problem"), required=False)
    commendation = forms.CharField(label=_("Commendation"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class CaseImportForm(forms.Form):
    file = forms.FileField(
        label=_("Case-quality file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check the file without saving"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it into smaller files."))
        return upload


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Case number, case or officer"), required=False, max_length=60)
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE_INPUT)
    serious = forms.BooleanField(label=_("Serious problems only"), required=False)

    def __init__(self, *args, units, unit_labels: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(units, unit_labels)
        self.order_fields(["q", "unit", "date_from", "date_to", "serious"])
