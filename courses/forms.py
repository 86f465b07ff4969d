from __future__ import annotations

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import Audience, CoursePage, KnowledgePoint, LessonPage, StudyAssignment, Tier
from courses.search_text import MAX_QUERY_LENGTH
from courses.services import knowledge_point_check, knowledge_point_create, knowledge_point_update
from people.models import Category, Unit, User
from people.models.audience import AudienceSpec, Position
from people.selectors import unit_full_paths


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


# --- audiences, assignments, discussions ---------------------------------------------------------

POLICE_NUMBER_SEPARATORS = re.compile(r"[\s,，、;；]+")
MINUTES_EXTENSIONS = ["pdf", "doc", "docx", "odt", "txt", "rtf", "jpg", "jpeg", "png"]
MAX_MINUTES_SIZE = 20 * 1024 * 1024
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, unit_labels: dict[int, str] | None = None, **kwargs):
        self.unit_labels = unit_labels or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.unit_labels.get(obj.pk, obj.name)


class AudienceFormMixin(forms.Form):
    """The audience fields shared by assignments and discussions; ``audience_spec()`` reads them."""

    audience_units_subtree = UnitMultipleChoiceField(
        label=_("Units, including the units below them"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    audience_units_only = UnitMultipleChoiceField(
        label=_("Units, without the units below them"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    audience_categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: both police and auxiliary officers."),
    )
    audience_positions = forms.MultipleChoiceField(
        label=_("Positions"),
        choices=Position.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every position. Several ticked: any of them."),
    )
    audience_officers = forms.CharField(
        label=_("Named officers (police numbers)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Added to the audience whatever the criteria above say. Separate police numbers with spaces, "
            "commas or new lines."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = unit_full_paths()
        for name in ("audience_units_subtree", "audience_units_only"):
            self.fields[name].queryset = Unit.objects.filter(is_active=True).order_by("path")
            self.fields[name].unit_labels = labels

    def clean_audience_officers(self) -> list[User]:
        numbers = [n for n in POLICE_NUMBER_SEPARATORS.split(self.cleaned_data.get("audience_officers") or "") if n]
        numbers = list(dict.fromkeys(numbers))
        found = {user.police_number: user for user in User.objects.filter(police_number__in=numbers)}
        unknown = [number for number in numbers if number not in found]
        if unknown:
            raise ValidationError(
                _("No officer has the police number %(numbers)s."), params={"numbers": "、".join(unknown)}
            )
        return [found[number] for number in numbers]

    def audience_spec(self) -> AudienceSpec:
        data = self.cleaned_data
        return AudienceSpec(
            units_with_subtree=tuple(data.get("audience_units_subtree") or ()),
            units_only=tuple(data.get("audience_units_only") or ()),
            categories=tuple(data.get("audience_categories") or ()),
            positions=tuple(data.get("audience_positions") or ()),
            officers=tuple(data.get("audience_officers") or ()),
        )


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.live:
            return obj.title
        return _("%(title)s (not published)") % {"title": obj.title}


class AssignmentForm(AudienceFormMixin):
    course = CourseChoiceField(label=_("Course"), queryset=CoursePage.objects.none(), empty_label=None)
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Officers must have learned every lesson by the end of this day."),
    )
    note = forms.CharField(
        label=_("Note to officers"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    field_order = ["course", "due_date", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Unpublished courses are listed (and refused with a clear message) rather than hidden, so
        # a trainer sees why the course they are looking for cannot be assigned yet.
        self.fields["course"].queryset = CoursePage.objects.order_by("path")
        self.fields["submission_key"].initial = uuid.uuid4


class DiscussionForm(AudienceFormMixin):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(
        label=_("Agenda"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    lessons = forms.ModelMultipleChoiceField(
        label=_("Lessons discussed"),
        queryset=LessonPage.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    field_order = ["topic", "description", "starts_at", "ends_at", "place", "lessons"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lessons = LessonPage.objects.live().order_by("path").defer_streamfields()
        courses = dict(CoursePage.objects.live().values_list("path", "title"))
        self.fields["lessons"].queryset = lessons
        self.fields["lessons"].label_from_instance = lambda lesson: " › ".join(
            filter(None, [courses.get(lesson.path[: -LessonPage.steplen], ""), lesson.title])
        )
        self.fields["submission_key"].initial = uuid.uuid4


class AttendanceForm(forms.Form):
    """The host's checklist: the ids of everyone ticked as present."""

    officers = forms.ModelMultipleChoiceField(queryset=User.objects.all(), required=False)


class MinutesForm(forms.Form):
    minutes_text = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    minutes_file = forms.FileField(
        label=_("Minutes document"),
        required=False,
        validators=[FileExtensionValidator(MINUTES_EXTENSIONS)],
        help_text=_("PDF, Word, text or a photo of the signed minutes; at most 20 MB."),
    )
    remove_file = forms.BooleanField(label=_("Remove the attached document"), required=False)

    def clean_minutes_file(self):
        upload = self.cleaned_data.get("minutes_file")
        if upload and upload.size > MAX_MINUTES_SIZE:
            raise ValidationError(_("The document is larger than 20 MB."))
        return upload

    def clean(self):
        cleaned = super().clean()
        has_text = bool((cleaned.get("minutes_text") or "").strip())
        keeps_file = bool(cleaned.get("minutes_file")) or (
            bool(self.initial.get("has_file")) and not cleaned.get("remove_file")
        )
        if not self.errors and not has_text and not keeps_file:
            raise ValidationError(_("Write the minutes or attach a document."))
        return cleaned


class RereadForm(forms.Form):
    reason = forms.CharField(
        label=_("What changed"),
        max_length=300,
        help_text=_("Officers see this when they are asked to read the lesson again."),
    )


class AssignmentOfficerFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Progress"),
        required=False,
        choices=[("", _("All")), ("complete", _("Finished")), ("incomplete", _("Not finished"))],
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (including units below it)"), queryset=Unit.objects.none(), required=False
    )
    q = forms.CharField(label=_("Name or police number"), required=False, max_length=50)

    def __init__(self, *args, units, unit_labels: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: unit_labels.get(unit.pk, unit.name)


class OverdueFilterForm(forms.Form):
    assignment = forms.ModelChoiceField(
        label=_("Assignment"), queryset=StudyAssignment.objects.none(), required=False, empty_label=_("All")
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (including units below it)"), queryset=Unit.objects.none(), required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *Category.choices], required=False)
    q = forms.CharField(label=_("Name or police number"), required=False, max_length=50)

    def __init__(self, *args, assignments, units, unit_labels: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: unit_labels.get(unit.pk, unit.name)
