from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from people.models import Category, OfficerStatus, Unit

MAX_IMPORT_SIZE = 20 * 1024 * 1024


class PersonnelImportForm(forms.Form):
    file = forms.FileField(
        label=_("Personnel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without saving"), required=False
    )
    create_units = forms.BooleanField(
        label=_("Create missing units named in the file"),
        required=False,
        help_text=_("Leave unticked to have an unknown unit reported as an error (usually a typo)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it into smaller files."))
        return upload


class OfficerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or police number"), required=False, max_length=50)
    unit = forms.ModelChoiceField(
        label=_("Unit (including units below it)"), queryset=Unit.objects.none(), required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All"))] + Category.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + OfficerStatus.choices, required=False)

    def __init__(self, *args, units, unit_labels: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: unit_labels.get(unit.pk, unit.name)
