"""Forms of the points, indicator and promotion-summary pages. They parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.models import PointCategory
from certification.selectors.points import INDICATOR_LABELS
from certification.views.court_forms import TokenMixin, YearUnitForm
from certification.views.pathway_forms import OfficerNumberField
from people.models import User


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = years[0]


class SummaryFilterForm(YearUnitForm):
    q = forms.CharField(label=_("Name or police number"), required=False, max_length=50)


class IndicatorFilterForm(YearUnitForm):
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *INDICATOR_LABELS.items()]
    )


class ManualEntryForm(TokenMixin):
    officer = OfficerNumberField(label=_("Police number"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("Category"), choices=PointCategory.choices, initial=PointCategory.OTHER)
    points = forms.DecimalField(
        label=pgettext_lazy("case-handling points", "Points"),
        max_digits=7,
        decimal_places=2,
        help_text=_("Negative for a deduction."),
        min_value=Decimal("-9999"),
        max_value=Decimal("9999"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.all()


class IndicatorTargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    min_age = forms.IntegerField(label=_("From age"), min_value=18, max_value=70, initial=50)
    cases_required = forms.IntegerField(label=_("Cases handled required"), min_value=0, initial=10)
    incidents_required = forms.IntegerField(label=_("Incidents responded to required"), min_value=0, initial=30)


class IndicatorForm(forms.Form):
    officer = OfficerNumberField(label=_("Police number"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    cases_handled = forms.IntegerField(label=_("Cases handled"), min_value=0)
    incidents_responded = forms.IntegerField(label=_("Incidents responded to"), min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.all()
