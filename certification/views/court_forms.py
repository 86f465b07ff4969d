"""Forms of the court-attendance pages. They parse input; the services decide."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import AttendanceState, CourtRole, Sequence
from certification.services.court import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES
from certification.views.pathway_forms import DATE_INPUT
from people.models import Unit, User


class TokenMixin(forms.Form):
    """A one-time token: a form submitted twice (double click, back button) acts once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=40)

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex


def token_issue(request, name: str) -> str:
    token = TokenMixin.new_token()
    tokens = request.session.get(f"certification.{name}", [])[-9:]
    request.session[f"certification.{name}"] = [*tokens, token]
    return token


def token_consume(request, name: str, token: str) -> bool:
    tokens = request.session.get(f"certification.{name}", [])
    if token not in tokens:
        return False
    tokens.remove(token)
    request.session[f"certification.{name}"] = tokens
    return True


class AttendanceForm(TokenMixin):
    date = forms.DateField(label=_("Hearing date"), widget=DATE_INPUT)
    court = forms.CharField(label=_("Court"), max_length=200)
    case = forms.CharField(label=_("Case"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=CourtRole.choices, initial=CourtRole.OBSERVER)
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Optional: a PDF, JPG or PNG of at most 10 MB (e.g. the hearing notice or a photo)."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EVIDENCE_EXTENSIONS)}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            if not evidence.name.lower().endswith(EVIDENCE_EXTENSIONS):
                raise forms.ValidationError(_("The evidence must be a PDF, JPG or PNG file."))
            if evidence.size > EVIDENCE_MAX_BYTES:
                raise forms.ValidationError(_("The evidence file is larger than 10 MB."))
        return evidence


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *AttendanceState.choices]
    )


class YearUnitForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )

    def __init__(self, *args, years: list[int], units, unit_labels: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = years[0]
        self.fields["unit"].queryset = units.order_by("path")
        if unit_labels:
            self.fields["unit"].label_from_instance = lambda unit: unit_labels.get(unit.pk, unit.name)


class RequirementForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    sequence = forms.ChoiceField(label=_("Sequence"), choices=Sequence.choices, initial=Sequence.CASE_HANDLING)
    required = forms.IntegerField(label=_("Hearings required"), min_value=0, max_value=50, initial=2)
    points_each = forms.DecimalField(
        label=_("Points per verified hearing"), min_value=Decimal("0"), max_digits=5, decimal_places=2, initial=1
    )


class SequenceNumbersForm(forms.Form):
    numbers = forms.CharField(
        label=_("Police numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more police numbers, separated by spaces, commas or new lines."),
    )
    sequence = forms.ChoiceField(label=_("Sequence"), choices=Sequence.choices, initial=Sequence.CASE_HANDLING)

    def clean_numbers(self):
        numbers = [part for part in re.split(r"[\s,，、;；]+", self.cleaned_data["numbers"]) if part]
        officers = {officer.police_number: officer for officer in User.objects.filter(police_number__in=numbers)}
        unknown = [number for number in numbers if number not in officers]
        if unknown:
            raise forms.ValidationError(
                _("No officer with police number %(numbers)s.") % {"numbers": "、".join(unknown)}
            )
        return [officers[number] for number in dict.fromkeys(numbers)]


class SequenceUnitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit (with the units below it)"), queryset=Unit.objects.all())

    def __init__(self, *args, unit_labels: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("path")
        if unit_labels:
            self.fields["unit"].label_from_instance = lambda unit: unit_labels.get(unit.pk, unit.name)
