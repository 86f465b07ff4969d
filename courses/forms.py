from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import Audience, KnowledgePoint, Tier
from courses.search_text import MAX_QUERY_LENGTH
from courses.services import knowledge_point_check, knowledge_point_create, knowledge_point_update


class CourseFilterForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("All audiences")), *Audience.choices]
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices])


class CourseSearchForm(forms.Form):
    """Validates ``?q=``; the search box itself is rendered by templates/courses/includes/search_form.html."""

    q = forms.CharField(
        label=_("Search courses and lessons"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Search words can be at most %(limit_value)d characters long.")},
    )


class KnowledgePointForm(WagtailAdminModelForm):
    """Admin form: a tree node is placed by choosing its parent; saving goes through services."""

    parent = forms.ModelChoiceField(
        label=_("Parent"),
        queryset=KnowledgePoint.objects.none(),
        required=False,
        empty_label=_("(top level)"),
        help_text=_("Leave empty for a top-level knowledge point."),
    )

    class Meta:
        model = KnowledgePoint
        fields = ["parent", "name", "code", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = KnowledgePoint.objects.order_by("path")
        if self.instance.pk:
            # A point cannot become its own ancestor.
            choices = choices.exclude(path__startswith=self.instance.path)
            self.fields["parent"].initial = self.instance.get_parent()
        self.fields["parent"].queryset = choices
        self.fields["parent"].label_from_instance = lambda point: point.indented_name

    def clean(self):
        cleaned = super().clean()
        if "name" in cleaned:
            try:
                cleaned["name"] = knowledge_point_check(
                    name=cleaned["name"],
                    parent=cleaned.get("parent"),
                    point=self.instance if self.instance.pk else None,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        actor = getattr(self, "for_user", None)
        fields = {
            "name": data["name"],
            "parent": data.get("parent"),
            "code": data.get("code", ""),
            "description": data.get("description", ""),
        }
        if self.instance.pk:
            self.instance = knowledge_point_update(actor=actor, point=self.instance, **fields)
        else:
            self.instance = knowledge_point_create(actor=actor, **fields)
        return self.instance
