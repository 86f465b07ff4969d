"""Forms of the middle-leader pages. They parse input; ``certification.services.leaders`` decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.views.pathway_forms import DATE_INPUT, OfficerNumberField
from certification.views.qualification_forms import TokenForm
from people.models import User

STATE_CHOICES = [
    ("", _("All")),
    ("pending", _("Talks to be held")),
    ("held", _("Talks held")),
    ("open", _("Open flags")),
    ("resolved", _("Resolved flags")),
]


class TalkCreateForm(TokenForm):
    """The token makes a double submit raise one talk, not two."""

    officer = OfficerNumberField(label=_("Police number of the middle leader"))
    year = forms.IntegerField(label=_("Year"), min_value=2000)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(is_middle_leader=True)
        self.fields["year"].initial = timezone.localdate().year


class TalkRecordForm(forms.Form):
    talk_date = forms.DateField(label=_("Date of the talk"), widget=DATE_INPUT)
    talked_by = OfficerNumberField(label=_("Police number of who held the talk"))
    summary = forms.CharField(label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.CharField(
        label=_("Follow-up"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talked_by"].queryset = User.objects.filter(is_active=True)


class FlagResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Measures taken"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
