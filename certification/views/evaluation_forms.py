"""Forms of the quarterly-evaluation pages. They parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.models import EvaluationItem, ItemGroup, ReviewDecision
from certification.views.pathway_forms import DATE_INPUT, MAX_IMPORT_SIZE, OfficerNumberField


class SchemeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    low_score = forms.DecimalField(
        label=_("Low score"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=Decimal("60"),
        help_text=_("A total (0–100) below this counts as a low quarter."),
    )
    low_quarters = forms.IntegerField(
        label=_("Consecutive low quarters that flag"), min_value=1, max_value=4, initial=2
    )
    bottom_percent = forms.IntegerField(
        label=_("Bottom share that flags (%)"),
        min_value=0,
        max_value=100,
        initial=10,
        help_text=_("0 turns this flag off; otherwise at least the lowest officer is flagged."),
    )
    linked_unit_weight = forms.DecimalField(
        label=_("Weight of linked units for legal-brigade officers"),
        min_value=0,
        max_value=1,
        decimal_places=2,
        initial=Decimal("0.30"),
        help_text=_("Between 0 and 1: 0.30 means 70 % own result, 30 % the linked units' legal officers."),
    )


class ItemForm(forms.Form):
    item_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    group = forms.ChoiceField(label=_("Group"), choices=ItemGroup.choices)
    name = forms.CharField(label=_("Item"), max_length=200)
    weight = forms.DecimalField(label=_("Weight"), min_value=Decimal("0.01"), max_digits=5, decimal_places=2, initial=1)
    max_score = forms.DecimalField(label=_("Maximum"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2)

    def has_changed(self) -> bool:
        # A blank extra row still posts its preselected group and default weight: it is only a
        # new item once a name or a maximum is typed in.
        if self.initial:
            return super().has_changed()
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in ("name", "max_score"))


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError(_("A scheme needs at least one item."))


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=2, can_delete=True)


def item_initial(items) -> list[dict]:
    return [
        {"item_id": item.pk, "group": item.group, "name": item.name, "weight": item.weight, "max_score": item.max_score}
        for item in items
    ]


class EntryForm(forms.Form):
    """One officer's scores for the quarter: a field per item (``item_<pk>``), bounded by its maximum."""

    officer = OfficerNumberField(label=_("Police number"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, officers, items: list[EvaluationItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=f"{item.name}（{item.get_group_display()}，{_('max')} {item.max_score}）",
                max_digits=6,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": str(item.max_score)}),
            )
        self.order_fields(["officer", *[f"item_{item.pk}" for item in items], "note"])

    def scores(self) -> dict[int, Decimal]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Scores file (.xlsx)"),
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


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReviewDecision.KEEP, ReviewDecision.KEEP.label),
            (ReviewDecision.REPLACE, ReviewDecision.REPLACE.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LinkForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Legal-brigade officer"), queryset=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    started_on = forms.DateField(
        label=pgettext_lazy("date range", "From"), widget=DATE_INPUT, initial=timezone.localdate
    )

    def __init__(self, *args, officers, units, unit_labels: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: unit_labels.get(unit.pk, unit.name)


class LinkEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Until"), widget=DATE_INPUT, initial=timezone.localdate)
