"""Forms of the sampling plan page: who can be drawn (the shared audience fields plus an age range),
the quotas as a formset, the draw's seed and the confirmation of a reviewed draw."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.forms import AudienceFormMixin
from exams.models import QuotaKind, SamplingPlan
from exams.services.sampling import QuotaSpec
from people.models import Category, Unit
from people.models.audience import Position
from people.selectors.units import unit_full_paths


class SamplingPlanForm(AudienceFormMixin):
    age_min = forms.IntegerField(label=_("Minimum age"), min_value=16, max_value=80, required=False)
    age_max = forms.IntegerField(
        label=_("Maximum age"),
        min_value=16,
        max_value=80,
        required=False,
        help_text=_("Age on the day of the draw. With an age range, officers without a birth date are not drawn."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A random test draws from units, categories and positions; named officers would not be random.
        del self.fields["audience_officers"]
        self.fields["audience_positions"].help_text = _(
            "None ticked: every position. Quotas below can still require a share of one position."
        )


def plan_initial(plan: SamplingPlan | None) -> dict:
    if plan is None:
        return {"audience_categories": [Category.OFFICER]}
    return {
        "audience_units_subtree": list(plan.audience_units_subtree.all()),
        "audience_units_only": list(plan.audience_units_only.all()),
        "audience_categories": plan.audience_categories,
        "audience_positions": plan.audience_positions,
        "age_min": plan.age_min,
        "age_max": plan.age_max,
    }


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, unit_labels: dict[int, str] | None = None, **kwargs):
        self.unit_labels = unit_labels or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.unit_labels.get(obj.pk, obj.name)


class QuotaForm(forms.Form):
    # A blank first choice: the spare row stays unchanged, and so unsaved, unless a kind is chosen.
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *QuotaKind.choices])
    officer_position = forms.ChoiceField(label=_("Position"), choices=[("", "—"), *Position.choices], required=False)
    numerator = forms.IntegerField(label=_("At least"), min_value=1, max_value=100, initial=1)
    denominator = forms.IntegerField(label=_("out of"), min_value=1, max_value=100, initial=3)
    count = forms.IntegerField(label=_("Officers"), min_value=0, max_value=10000, required=False)
    unit = UnitChoiceField(label=_("Below unit"), queryset=Unit.objects.none(), required=False, empty_label="—")

    def __init__(self, *args, unit_labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        self.fields["unit"].unit_labels = unit_labels or {}

    def spec(self) -> QuotaSpec:
        data = self.cleaned_data
        return QuotaSpec(
            kind=data["kind"],
            officer_position=data.get("officer_position") or "",
            numerator=data.get("numerator") or 1,
            denominator=data.get("denominator") or 1,
            count=data.get("count") or 0,
            unit=data.get("unit"),
        )


QuotaFormSet = forms.formset_factory(QuotaForm, extra=1, can_delete=True)


def quota_formset(data=None, *, plan: SamplingPlan | None = None, add_row: bool = False):
    """The quota rows; ``add_row`` re-shows the posted rows with one blank row more (no JavaScript)."""
    labels = unit_full_paths()
    if data is not None and add_row:
        data = data.copy()
        key = "quotas-TOTAL_FORMS"
        try:
            data[key] = str(int(data.get(key, "0")) + 1)
        except ValueError:
            data[key] = "1"
    initial = None
    if plan is not None and data is None:
        initial = [
            {
                "kind": quota.kind,
                "officer_position": quota.officer_position,
                "numerator": quota.numerator,
                "denominator": quota.denominator,
                "count": quota.count or None,
                "unit": quota.unit,
            }
            for quota in plan.quotas.all()
        ]
    elif plan is None and data is None:
        initial = [
            {
                "kind": QuotaKind.POSITION_FRACTION,
                "officer_position": Position.MIDDLE_LEADER,
                "numerator": 1,
                "denominator": 3,
            }
        ]
    return QuotaFormSet(data, prefix="quotas", initial=initial, form_kwargs={"unit_labels": labels})


def quota_specs(formset) -> list[QuotaSpec]:
    return [form.spec() for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**62,
        required=False,
        help_text=_("The same seed always draws the same list from the same population. Empty: a new random seed."),
    )


class ConfirmForm(forms.Form):
    drawn_at = forms.CharField(widget=forms.HiddenInput)
