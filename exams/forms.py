"""Forms of the question bank pages: the browser's filters, bulk actions and the question editor.

The editor only parses input into a ``QuestionContent``; every content rule is
``exams.services.question_validate``, whose messages are attached next to the fields they name.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import KnowledgePoint
from courses.models.choices import Audience, Tier
from exams.models import QuestionStatus, QuestionType
from exams.models.questions import OPTION_KEYS
from exams.services import QuestionContent, question_validate

DIFFICULTY_CHOICES = [(n, str(n)) for n in range(1, 6)]
ALL = [("", _("All"))]


def _knowledge_point_label(point: KnowledgePoint) -> str:
    return point.indented_name


def _knowledge_point_queryset():
    return KnowledgePoint.objects.order_by("path")


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label=_("Text in the stem"), required=False, max_length=100)
    knowledge_point = forms.ModelChoiceField(
        label=_("Knowledge point (and below)"), queryset=KnowledgePoint.objects.none(), required=False
    )
    type = forms.ChoiceField(label=_("Type"), choices=ALL + QuestionType.choices, required=False)
    difficulty_min = forms.TypedChoiceField(
        label=_("Difficulty from"), choices=ALL + DIFFICULTY_CHOICES, coerce=int, empty_value=None, required=False
    )
    difficulty_max = forms.TypedChoiceField(
        label=_("Difficulty to"), choices=ALL + DIFFICULTY_CHOICES, coerce=int, empty_value=None, required=False
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=ALL + Tier.choices, required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=ALL + Audience.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ALL + QuestionStatus.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["knowledge_point"].queryset = _knowledge_point_queryset()
        self.fields["knowledge_point"].label_from_instance = _knowledge_point_label

    def search_filters(self) -> dict:
        """Keyword arguments for ``exams.selectors.question_search`` (call after is_valid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        low, high = data.get("difficulty_min"), data.get("difficulty_max")
        if low and high and low > high:
            low, high = high, low
        difficulty = None
        if low or high:
            difficulty = low if low and low == high else (low, high)
        return {
            "knowledge_point": data.get("knowledge_point"),
            "type": data.get("type") or None,
            "difficulty": difficulty,
            "tier": data.get("tier") or None,
            "audience": data.get("audience") or None,
            "status": data.get("status") or None,
            "text": data.get("q") or None,
        }


class BulkAction:
    RETIRE = "retire"
    ACTIVATE = "activate"
    DRAFT = "draft"
    ADD_KNOWLEDGE_POINT = "add_knowledge_point"
    REMOVE_KNOWLEDGE_POINT = "remove_knowledge_point"
    SET_DIFFICULTY = "set_difficulty"
    SET_TIER = "set_tier"

    CHOICES = [
        (RETIRE, _("Retire")),
        (ACTIVATE, _("Activate")),
        (DRAFT, _("Return to draft")),
        (ADD_KNOWLEDGE_POINT, _("Add a knowledge point")),
        (REMOVE_KNOWLEDGE_POINT, _("Remove a knowledge point")),
        (SET_DIFFICULTY, _("Set the difficulty")),
        (SET_TIER, _("Set the tier")),
    ]
    STATUS = {RETIRE: QuestionStatus.RETIRED, ACTIVATE: QuestionStatus.ACTIVE, DRAFT: QuestionStatus.DRAFT}


class BulkActionForm(forms.Form):
    """The selection (ticked ids, or every question matching the filters in ``query``) and the action."""

    action = forms.ChoiceField(label=_("Action"), choices=[("", _("Choose an action…"))] + BulkAction.CHOICES)
    all_matching = forms.BooleanField(label=_("Apply to every question matching the filters"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    knowledge_point = forms.ModelChoiceField(
        label=_("Knowledge point"), queryset=KnowledgePoint.objects.none(), required=False
    )
    difficulty = forms.TypedChoiceField(
        label=_("Difficulty"), choices=[("", "—")] + DIFFICULTY_CHOICES, coerce=int, empty_value=None, required=False
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", "—")] + Tier.choices, required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["knowledge_point"].queryset = _knowledge_point_queryset()
        self.fields["knowledge_point"].label_from_instance = _knowledge_point_label

    def clean(self):
        data = super().clean()
        # The ticked rows. Unknown ids are ignored by the services; non-numbers are dropped here.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        data["ids"] = sorted({int(value) for value in raw if str(value).isdigit()})
        action = data.get("action")
        if action in (BulkAction.ADD_KNOWLEDGE_POINT, BulkAction.REMOVE_KNOWLEDGE_POINT) and not data.get(
            "knowledge_point"
        ):
            self.add_error("knowledge_point", _("Choose the knowledge point."))
        if action == BulkAction.SET_DIFFICULTY and not data.get("difficulty"):
            self.add_error("difficulty", _("Choose the difficulty."))
        if action == BulkAction.SET_TIER and not data.get("tier"):
            self.add_error("tier", _("Choose the tier."))
        if not data.get("ids") and not data.get("all_matching"):
            raise forms.ValidationError(_("Tick the questions to change, or apply the action to every match."))
        return data


TRUE_FALSE_CHOICES = [("true", _("True")), ("false", _("False"))]
_BLANK_ALTERNATIVES = re.compile(r"\s*[|｜]\s*")


def blanks_to_text(answer) -> str:
    """The blanks key as the editor shows it: one line per blank, alternatives separated by |."""
    return "\n".join(" | ".join(alternatives) for alternatives in answer or [])


def text_to_blanks(text: str) -> list[list[str]]:
    lines = [line.strip() for line in (text or "").splitlines()]
    return [[value for value in _BLANK_ALTERNATIVES.split(line) if value] for line in lines if line]


class QuestionForm(forms.Form):
    """Create or edit one question of ``question_type``; only the fields of that type are present."""

    stem = forms.CharField(
        label=_("Stem"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,  # "empty" is question_validate's message, not Django's
        help_text=_(
            "Plain text, or simple HTML (paragraphs, bold, lists, tables, images from this site). "
            "In a fill-in-the-blank question, mark each blank with ____ or （ ）."
        ),
    )
    answer = forms.CharField(required=False)  # replaced per type in __init__
    reference_answer = forms.CharField(
        label=_("Reference answer"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    rubric = forms.CharField(
        label=_("Grading rubric"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("How graders award the points, e.g. one line per scoring point with its points."),
    )
    knowledge_points = forms.ModelMultipleChoiceField(
        label=_("Knowledge points"),
        queryset=KnowledgePoint.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    difficulty = forms.TypedChoiceField(label=_("Difficulty"), choices=DIFFICULTY_CHOICES, coerce=int, initial=3)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.BASIC)
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Shown to examinees after the exam: why the answer is right."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Law and article, e.g. 《中华人民共和国刑事诉讼法》第八十五条."),
    )

    OPTION_FIELDS = [f"option_{key.lower()}" for key in OPTION_KEYS]

    def __init__(self, *args, question_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_type = question_type
        self.content: QuestionContent | None = None
        self.fields["knowledge_points"].queryset = _knowledge_point_queryset()
        self.fields["knowledge_points"].label_from_instance = _knowledge_point_label
        choice = question_type in (QuestionType.SINGLE, QuestionType.MULTIPLE)
        if choice:
            for key, name in zip(OPTION_KEYS, self.OPTION_FIELDS, strict=True):
                self.fields[name] = forms.CharField(
                    label=_("Option %(key)s") % {"key": key},
                    widget=forms.Textarea(attrs={"rows": 2}),
                    required=False,
                )
        option_choices = [(key, key) for key in OPTION_KEYS]
        if question_type == QuestionType.SINGLE:
            self.fields["answer"] = forms.ChoiceField(
                label=_("Correct option"), choices=option_choices, widget=forms.RadioSelect, required=False
            )
        elif question_type == QuestionType.MULTIPLE:
            self.fields["answer"] = forms.MultipleChoiceField(
                label=_("Correct options"), choices=option_choices, widget=forms.CheckboxSelectMultiple, required=False
            )
        elif question_type == QuestionType.TRUE_FALSE:
            self.fields["answer"] = forms.ChoiceField(
                label=_("The statement is"), choices=TRUE_FALSE_CHOICES, widget=forms.RadioSelect, required=False
            )
        elif question_type == QuestionType.FILL_BLANK:
            self.fields["answer"] = forms.CharField(
                label=_("Accepted answers of the blanks"),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                help_text=_(
                    "One line per blank, in the order of the blanks. Separate alternative answers with |, "
                    "e.g. 轻伤 | 轻伤二级. Full-width and half-width characters and surrounding spaces are "
                    "matched alike."
                ),
            )
        else:
            del self.fields["answer"]
        if question_type != QuestionType.SHORT_ANSWER:
            del self.fields["reference_answer"]
            del self.fields["rubric"]

    # --- sections, for the template -------------------------------------------------------------
    @property
    def option_fields(self) -> list:
        return [self[name] for name in self.OPTION_FIELDS if name in self.fields]

    @property
    def options_errors(self) -> list[str]:
        return list(self.errors.get("options", []))

    @classmethod
    def initial_from(cls, content: QuestionContent) -> dict:
        initial = {
            "stem": content.stem,
            "reference_answer": content.reference_answer,
            "rubric": content.rubric,
            "knowledge_points": content.knowledge_point_ids,
            "difficulty": content.difficulty,
            "tier": content.tier,
            "audiences": content.audiences,
            "explanation": content.explanation,
            "legal_basis": content.legal_basis,
        }
        for option in content.options or []:
            initial[f"option_{option['key'].lower()}"] = option["text"]
        if content.type == QuestionType.TRUE_FALSE:
            initial["answer"] = "true" if content.answer else "false"
        elif content.type == QuestionType.FILL_BLANK:
            initial["answer"] = blanks_to_text(content.answer)
        elif content.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            initial["answer"] = content.answer
        return initial

    def _options(self, data: dict) -> list[dict]:
        texts = [(data.get(name) or "").strip() for name in self.OPTION_FIELDS if name in self.fields]
        while texts and not texts[-1]:
            texts.pop()  # unused options at the end; a gap in the middle is reported by question_validate
        return [{"key": OPTION_KEYS[i], "text": text} for i, text in enumerate(texts)]

    def _answer(self, data: dict):
        value = data.get("answer")
        if self.question_type == QuestionType.TRUE_FALSE:
            return {"true": True, "false": False}.get(value)
        if self.question_type == QuestionType.FILL_BLANK:
            return text_to_blanks(value)
        if self.question_type == QuestionType.MULTIPLE:
            return list(value or [])
        if self.question_type == QuestionType.SINGLE:
            return value or None
        return None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        content = QuestionContent(
            type=self.question_type,
            stem=data.get("stem") or "",
            options=self._options(data),
            answer=self._answer(data),
            explanation=(data.get("explanation") or "").strip(),
            legal_basis=(data.get("legal_basis") or "").strip(),
            reference_answer=(data.get("reference_answer") or "").strip(),
            rubric=(data.get("rubric") or "").strip(),
            difficulty=data.get("difficulty") or 3,
            tier=data.get("tier") or Tier.BASIC,
            audiences=list(data.get("audiences") or []),
            knowledge_point_ids=sorted(point.pk for point in data.get("knowledge_points") or []),
        )
        for name, messages in question_validate(content).items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
            else:
                # "options" (a group of fields) and anything else the service names: kept under
                # their own key so the template shows them next to the group they belong to.
                self._errors.setdefault(name, self.error_class()).extend(messages)
        self.content = content
        return data
