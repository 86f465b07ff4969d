"""Forms of the blueprint editor: settings, then three formsets (sections, rules, fixed questions).

Rules and fixed questions name their section by its number on the page (1, 2 …), so a trainer can
add a section and its rules in one save. ``spec_from_forms`` turns the bound, valid forms into the
``BlueprintSpec`` the services take.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models.choices import Audience, Tier
from courses.selectors import knowledge_points_in_tree_order
from exams.models import BlueprintStatus, MultipleChoiceScoring, QuestionType
from exams.models.papers import rule_audience_choices, rule_tier_choices
from exams.services.blueprints import BlueprintSpec, FixedSpec, RuleSpec, SectionSpec

DIFFICULTIES = [(n, str(n)) for n in range(1, 6)]
SCORING_CHOICES = [("", _("As the blueprint")), *MultipleChoiceScoring.choices]


class BlueprintSettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    audience = forms.ChoiceField(
        label=_("Audience"), choices=[("", _("Not restricted")), *Audience.choices], required=False
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=BlueprintStatus.choices)
    shuffle_questions = forms.BooleanField(label=_("Shuffle questions within sections"), required=False)
    shuffle_options = forms.BooleanField(label=_("Shuffle options"), required=False)
    prefer_least_used = forms.BooleanField(
        label=_("Prefer least-used questions"),
        required=False,
        help_text=_("Questions drawn less often so far are more likely to be chosen."),
    )
    max_overlap_percent = forms.IntegerField(
        label=_("Maximum overlap between two papers of one exam (%)"),
        min_value=0,
        max_value=100,
        required=False,
        # xgettext:no-python-format
        help_text=_("Empty: no cap. 30 means two examinees share at most 30% of their questions."),
    )
    multiple_scoring = forms.ChoiceField(
        label=_("Multiple-choice scoring"),
        choices=MultipleChoiceScoring.choices,
        help_text=_("Rules and fixed questions may choose otherwise."),
    )


class SectionForm(forms.Form):
    title = forms.CharField(
        label=_("Section title"), max_length=100, widget=forms.TextInput(attrs={"placeholder": "单选题"})
    )
    instructions = forms.CharField(
        label=pgettext_lazy("exam paper", "Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def knowledge_point_choices() -> list[tuple[str, str]]:
    return [("", _("Any knowledge point"))] + [
        (str(point.pk), point.indented_name) for point in knowledge_points_in_tree_order()
    ]


class RuleForm(forms.Form):
    section = forms.IntegerField(label=_("Section no."), min_value=1, initial=1)
    question_type = forms.ChoiceField(label=_("Question type"), choices=QuestionType.choices)
    knowledge_point = forms.ChoiceField(label=_("Knowledge point (and below)"), required=False)
    difficulty_min = forms.TypedChoiceField(label=_("Difficulty from"), choices=DIFFICULTIES, coerce=int, initial=1)
    difficulty_max = forms.TypedChoiceField(
        label=pgettext_lazy("upper end of a range", "to"), choices=DIFFICULTIES, coerce=int, initial=5
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=rule_tier_choices(), required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=rule_audience_choices(), required=False)
    count = forms.IntegerField(label=_("Questions"), min_value=1, max_value=500)
    points = forms.DecimalField(label=_("Points each"), min_value=0, max_digits=6, decimal_places=2)
    multiple_scoring = forms.ChoiceField(label=_("Multiple-choice scoring"), choices=SCORING_CHOICES, required=False)

    def __init__(self, *args, point_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["knowledge_point"].choices = point_choices or knowledge_point_choices()


class FixedQuestionForm(forms.Form):
    section = forms.IntegerField(label=_("Section no."), min_value=1, initial=1)
    question = forms.IntegerField(
        label=_("Question no."), min_value=1, help_text=_("The number shown in the question bank (#123).")
    )
    points = forms.DecimalField(label=_("Points"), min_value=0, max_digits=6, decimal_places=2)
    multiple_scoring = forms.ChoiceField(label=_("Multiple-choice scoring"), choices=SCORING_CHOICES, required=False)


SectionFormSet = forms.formset_factory(SectionForm, extra=1, can_delete=True)
RuleFormSet = forms.formset_factory(RuleForm, extra=2, can_delete=True)
FixedFormSet = forms.formset_factory(FixedQuestionForm, extra=1, can_delete=True)


class BlueprintEditor:
    """The four parts of the edit page, bound together under fixed prefixes."""

    def __init__(self, data=None, *, spec: BlueprintSpec | None = None):
        initial = _initial(spec) if spec else {"settings": _default_settings()}
        choices = knowledge_point_choices()
        self.settings = BlueprintSettingsForm(data, initial=initial.get("settings"))
        self.sections = SectionFormSet(data, prefix="sections", initial=initial.get("sections"))
        self.rules = RuleFormSet(
            data, prefix="rules", initial=initial.get("rules"), form_kwargs={"point_choices": choices}
        )
        self.fixed = FixedFormSet(data, prefix="fixed", initial=initial.get("fixed"))
        self.problems: list[str] = []

    def is_valid(self) -> bool:
        parts = [self.settings.is_valid(), self.sections.is_valid(), self.rules.is_valid(), self.fixed.is_valid()]
        return all(parts)

    def spec(self) -> BlueprintSpec | None:
        """The spec the forms describe, or None with ``problems`` set (a rule naming no section)."""
        numbers: dict[int, int] = {}  # number on the page → index in the spec
        sections: list[SectionSpec] = []
        for number, form in enumerate(self.sections.forms, start=1):
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("title"):
                continue
            numbers[number] = len(sections)
            sections.append(SectionSpec(title=data["title"], instructions=data.get("instructions", "")))
        for row, form in enumerate(self.rules.forms, start=1):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if data["section"] not in numbers:
                self.problems.append(
                    str(_("Rule row %(row)s names section %(section)s, which is not on the page."))
                    % {"row": row, "section": data["section"]}
                )
                continue
            sections[numbers[data["section"]]].rules.append(
                RuleSpec(
                    question_type=data["question_type"],
                    count=data["count"],
                    points=data["points"],
                    knowledge_point_id=int(data["knowledge_point"]) if data.get("knowledge_point") else None,
                    difficulty_min=data["difficulty_min"],
                    difficulty_max=data["difficulty_max"],
                    tier=data.get("tier", ""),
                    audience=data.get("audience", ""),
                    multiple_scoring=data.get("multiple_scoring", ""),
                )
            )
        for row, form in enumerate(self.fixed.forms, start=1):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if data["section"] not in numbers:
                self.problems.append(
                    str(_("Fixed question row %(row)s names section %(section)s, which is not on the page."))
                    % {"row": row, "section": data["section"]}
                )
                continue
            sections[numbers[data["section"]]].fixed.append(
                FixedSpec(
                    question_id=data["question"],
                    points=data["points"],
                    multiple_scoring=data.get("multiple_scoring", ""),
                )
            )
        if self.problems:
            return None
        settings = self.settings.cleaned_data
        return BlueprintSpec(
            title=settings["title"],
            tier=settings["tier"],
            audience=settings.get("audience", ""),
            description=settings.get("description", ""),
            shuffle_questions=settings["shuffle_questions"],
            shuffle_options=settings["shuffle_options"],
            prefer_least_used=settings["prefer_least_used"],
            max_overlap_percent=settings.get("max_overlap_percent"),
            multiple_scoring=settings["multiple_scoring"],
            status=settings["status"],
            sections=sections,
        )


def _default_settings() -> dict:
    return {
        "tier": Tier.BASIC,
        "status": BlueprintStatus.DRAFT,
        "shuffle_questions": True,
        "shuffle_options": True,
        "multiple_scoring": MultipleChoiceScoring.ALL_OR_NOTHING,
    }


def _initial(spec: BlueprintSpec) -> dict:
    settings = {name: getattr(spec, name) for name in BlueprintSpec.SETTINGS}
    sections = [{"title": s.title, "instructions": s.instructions} for s in spec.sections]
    rules = [
        {
            "section": number,
            "question_type": r.question_type,
            "knowledge_point": str(r.knowledge_point_id or ""),
            "difficulty_min": r.difficulty_min,
            "difficulty_max": r.difficulty_max,
            "tier": r.tier,
            "audience": r.audience,
            "count": r.count,
            "points": r.points,
            "multiple_scoring": r.multiple_scoring,
        }
        for number, s in enumerate(spec.sections, start=1)
        for r in s.rules
    ]
    fixed = [
        {"section": number, "question": f.question_id, "points": f.points, "multiple_scoring": f.multiple_scoring}
        for number, s in enumerate(spec.sections, start=1)
        for f in s.fixed
    ]
    return {"settings": settings, "sections": sections, "rules": rules, "fixed": fixed}


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**62,
        required=False,
        help_text=_("The same seed gives the same paper. Empty: a new random seed."),
    )
    context = forms.CharField(
        label=_("Batch label"),
        max_length=100,
        required=False,
        help_text=_("Papers drawn under the same label keep to the overlap cap with each other, e.g. A/B papers."),
    )


class PreviewForm(forms.Form):
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**62, required=False)
