from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PoliceNumberAuthenticationForm(AuthenticationForm):
    """Django's login form (it passes ``request`` to authenticate, which django-axes needs), with
    the field still named ``username`` — axes reads that name — but labelled as the police number."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The police number or password is incorrect. After %(limit)s failed attempts in a row, "
            "this police number is locked on this computer for %(minutes)s minutes."
        ),
        "inactive": _("This account is disabled. Please contact the administrator."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Police number")
        username.widget.attrs.update({"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def get_invalid_login_error(self):
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "limit": getattr(settings, "AXES_FAILURE_LIMIT", 5),
                "minutes": round(float(getattr(settings, "AXES_COOLOFF_TIME", 0.25)) * 60),
            },
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action starts with"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "people.officer"}),
    )
    actor = forms.CharField(label=_("Actor's police number"), required=False, max_length=20)
    target_type = forms.ChoiceField(label=_("Target type"), required=False)
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DateInput())

    def __init__(self, *args, target_types: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_type"].choices = [("", _("All")), *((value, value) for value in target_types)]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError(_("The start date is after the end date."), code="date_order")
        return cleaned
