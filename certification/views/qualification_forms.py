"""Forms of the qualification pages. They parse input; the rules live in
``certification.services.qualifications``."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import QualificationType

EVIDENCE_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Comment"), max_length=300, required=False)


def clean_evidence_file(upload):
    if upload is None:
        return upload
    if Path(upload.name).suffix.lower() not in EVIDENCE_EXTENSIONS:
        raise forms.ValidationError(_("Upload a PDF, JPG or PNG file."))
    if upload.size > EVIDENCE_MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than 10 MB."))
    return upload


class TokenForm(forms.Form):
    """Carries a one-time token so a form submitted twice (double click, back button) acts once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=40)

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex


class GrantForm(TokenForm):
    police_number = forms.CharField(label=_("Police number"), max_length=20)
    qualification_type = forms.ModelChoiceField(
        label=_("Qualification"), queryset=QualificationType.objects.filter(active=True)
    )
    granted_on = forms.DateField(
        label=_("Granted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today. The validity runs from this day."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the qualification is granted without an exam; kept in the record's history."),
    )
    evidence = forms.FileField(
        label=_("Supporting document"), required=False, help_text=_("PDF, JPG or PNG, up to 10 MB.")
    )
    evidence_note = forms.CharField(label=_("Supporting note"), max_length=300, required=False)

    def clean_evidence(self):
        return clean_evidence_file(self.cleaned_data.get("evidence"))

    def clean_granted_on(self):
        day = self.cleaned_data.get("granted_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The grant date cannot be in the future."))
        return day


class EvidenceForm(TokenForm):
    qualification_type = forms.ModelChoiceField(
        label=_("Qualification"), queryset=QualificationType.objects.filter(active=True, obtained_by="evidence")
    )
    evidence = forms.FileField(
        label=_("Evidence file"), help_text=_("A scan of the certificate: PDF, JPG or PNG, up to 10 MB.")
    )
    evidence_note = forms.CharField(
        label=_("Description"),
        max_length=300,
        help_text=_("E.g. certificate number and year of the national legal professional qualification exam."),
    )

    def __init__(self, *args, for_others: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_others:
            self.fields["police_number"] = forms.CharField(
                label=_("Police number"),
                max_length=20,
                required=False,
                help_text=_("Empty: your own record."),
            )
            self.order_fields(["police_number", "qualification_type", "evidence", "evidence_note"])

    def clean_evidence(self):
        return clean_evidence_file(self.cleaned_data.get("evidence"))


class ExamLinkForm(forms.Form):
    qualification_type = forms.ModelChoiceField(
        label=_("Grants"),
        queryset=QualificationType.objects.filter(active=True, obtained_by="exam"),
        required=False,
        empty_label=_("— no qualification —"),
        widget=forms.Select(attrs={"aria-label": _("Grants")}),
    )
