from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from exams.transfer.common import MAX_FILE_SIZE, TransferFormat


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        help_text=_("Excel workbook (.xlsx) in the template's layout, Moodle XML (.xml) or GIFT (.gift, .txt)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xml,.gift,.txt"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect from the file name"))] + list(TransferFormat.choices),
        required=False,
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without saving"), required=False
    )
    create_knowledge_points = forms.BooleanField(
        label=_("Create missing knowledge points named in the file"),
        required=False,
        help_text=_(
            "Moodle and GIFT categories become knowledge-point paths. Leave unticked to have an unknown "
            "knowledge point reported as an error (usually a typo)."
        ),
    )
    skip_unsupported = forms.BooleanField(
        label=_("Skip questions of unsupported types and import the rest"),
        required=False,
        help_text=_("Matching, numerical and cloze questions cannot be imported; unticked, they stop the import."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(_("The file is larger than 50 MB; split it into smaller files."))
        return upload
