"""Forms of the grading pages: a grader's score, and a corrected answer key.

They parse input; the rules (score range and half-point steps, what a valid key is) are enforced by
``exams.services.grading`` and ``exams.services.key_correction``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from exams.forms import TRUE_FALSE_CHOICES, blanks_to_text, text_to_blanks
from exams.models import QuestionType, QuestionVersion
from exams.services.grading import GRADE_STEP, MAX_COMMENT_CHARS
from exams.services.key_correction import MAX_REASON_CHARS


class GradeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Shown to the officer with the result."),
    )
    # The answer's graded_at when the page was shown (empty: it was waiting), so a grade saved by
    # someone else in between is noticed instead of overwritten.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["score", "comment", "seen"]

    def __init__(self, *args, points: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        shown = f"{points.normalize():f}"
        self.fields["score"] = forms.DecimalField(
            label=_("Score"),
            min_value=0,
            max_value=points,
            max_digits=6,
            decimal_places=2,
            help_text=_("From 0 to %(points)s, in steps of 0.5.") % {"points": shown},
            widget=forms.NumberInput(attrs={"step": str(GRADE_STEP), "min": "0", "max": shown, "inputmode": "decimal"}),
        )
        self.order_fields(self.field_order)

    def clean_seen(self) -> datetime.datetime | None:
        value = (self.cleaned_data.get("seen") or "").strip()
        if not value:
            return None
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(_("The page was out of date. Reload it and grade again.")) from None


class KeyCorrectionForm(forms.Form):
    """The corrected key of ``version``, in the bank editor's shapes, and the reason."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON_CHARS,
        help_text=_("Kept with the correction and shown to officers whose score changes."),
    )

    def __init__(self, *args, version: QuestionVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_type = version.question.type
        keys = [(option["key"], option["key"]) for option in version.options or []]
        if self.question_type == QuestionType.SINGLE:
            field = forms.ChoiceField(label=_("Correct option"), choices=keys, widget=forms.RadioSelect)
            initial = version.answer
        elif self.question_type == QuestionType.MULTIPLE:
            field = forms.MultipleChoiceField(
                label=_("Correct options"), choices=keys, widget=forms.CheckboxSelectMultiple
            )
            initial = version.answer
        elif self.question_type == QuestionType.TRUE_FALSE:
            field = forms.ChoiceField(label=_("The statement is"), choices=TRUE_FALSE_CHOICES, widget=forms.RadioSelect)
            initial = "true" if version.answer else "false"
        else:
            field = forms.CharField(
                label=_("Accepted answers of the blanks"),
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("One line per blank, in the order of the blanks. Separate alternative answers with |."),
            )
            initial = blanks_to_text(version.answer)
        self.fields = {"answer": field, **self.fields}
        self.initial.setdefault("answer", initial)

    def new_answer(self):
        value = self.cleaned_data["answer"]
        if self.question_type == QuestionType.TRUE_FALSE:
            return value == "true"
        if self.question_type == QuestionType.FILL_BLANK:
            return text_to_blanks(value)
        if self.question_type == QuestionType.MULTIPLE:
            return list(value)
        return value
