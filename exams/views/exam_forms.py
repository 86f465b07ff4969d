"""Forms of the trainers' exam pages: the exam's settings with its audience, roster and exemptions.

``ExamForm`` turns into the ``ExamSpec`` the services take, exam-day rules included (考场规则,
``RULE_FIELDS``): a new exam's form has the focus, one-device and no-copy rules ticked, as a formal
exam (the default kind) has them, and every form passes the rules explicitly, so what the trainer
sees ticked is what is saved. On an exam officers have already
started, every field except the title, rules and closing time is disabled: the page shows what
is frozen, and the browser cannot send a change (the service refuses one anyway).
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.forms import DATETIME_INPUT_FORMATS, POLICE_NUMBER_SEPARATORS, AudienceFormMixin
from courses.models.choices import Tier
from exams.models import (
    AttemptCounting,
    Blueprint,
    Exam,
    ExamKind,
    ExamLayout,
    ExamStatus,
    ExemptionReason,
    Paper,
    ReleaseRule,
    ReviewRule,
)
from exams.selectors.exam_day import STRICT_KINDS, BadNetwork, parse_networks
from exams.selectors.exams import blueprints_for_exams, papers_for_exams
from exams.services.exams import ADAPTIVE_RULES, EDITABLE_AFTER_CLOSE, EDITABLE_AFTER_START, ExamSpec
from exams.services.exams import ERRORS as EXAM_ERRORS
from people.models import User

DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}

# The exam-day rules, shown together in the form's fieldset "考场规则".
RULE_FIELDS = (
    "track_focus",
    "focus_warn_after",
    "focus_submit_after",
    "room_password",
    "allowed_networks",
    "single_device",
    "prevent_copy",
)


class PaperChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("Paper #%(number)s: %(title)s (%(points)s points, drawn %(date)s)") % {
            "number": obj.pk,
            "title": obj.title,
            "points": f"{obj.total_points:g}",
            "date": obj.created_at.strftime("%Y-%m-%d"),
        }


class ExamForm(AudienceFormMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExamKind.choices, initial=ExamKind.FORMAL)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.BASIC)
    description = forms.CharField(
        label=_("Rules and instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to examinees on the start page."),
    )
    blueprint = forms.ModelChoiceField(
        label=_("Paper blueprint"),
        queryset=Blueprint.objects.none(),
        required=False,
        empty_label=_("(none: use a fixed paper)"),
        help_text=_("Every examinee gets a paper drawn from this blueprint. Only active blueprints are listed."),
    )
    fixed_paper = PaperChoiceField(
        label=_("Or a fixed paper"),
        queryset=Paper.objects.none(),
        required=False,
        empty_label=_("(none: draw from the blueprint)"),
        help_text=_("Every examinee sits this same paper, drawn earlier for printing."),
    )
    layout = forms.ChoiceField(label=_("Questions shown"), choices=ExamLayout.choices, initial=ExamLayout.ONE_QUESTION)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), input_formats=DATETIME_INPUT_FORMATS, widget=forms.DateTimeInput(**DATETIME_WIDGET)
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), input_formats=DATETIME_INPUT_FORMATS, widget=forms.DateTimeInput(**DATETIME_WIDGET)
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60, initial=90)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), min_value=1, max_value=20, initial=1)
    counts = forms.ChoiceField(
        label=_("Attempt that counts"), choices=AttemptCounting.choices, initial=AttemptCounting.HIGHEST
    )
    pass_mark = forms.DecimalField(label=_("Pass mark"), min_value=0, max_digits=8, decimal_places=2, initial=60)
    grace_seconds = forms.IntegerField(
        label=_("Grace period (seconds)"),
        min_value=0,
        max_value=600,
        initial=30,
        help_text=_("Answers arriving this long after the deadline are still accepted (network delays)."),
    )
    release_rule = forms.ChoiceField(
        label=_("Results released"), choices=ReleaseRule.choices, initial=ReleaseRule.AFTER_GRADING
    )
    review_rule = forms.ChoiceField(
        label=_("Review shows"), choices=ReviewRule.choices, initial=ReviewRule.EXPLANATIONS
    )
    blind_grading = forms.BooleanField(
        label=_("Blind grading"), required=False, initial=True, help_text=_("Graders do not see the examinee's name.")
    )
    # Exam-day rules (考场规则).
    track_focus = forms.BooleanField(
        label=_("Record leaving the exam page"),
        required=False,
        help_text=_(
            "The paper records leaving the window, switching tabs and leaving full screen; the invigilator "
            "sees the count. On by default for formal and qualification exams."
        ),
    )
    focus_warn_after = forms.IntegerField(
        label=_("Warn after (times)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("After this many times the examinee is warned. Empty: never."),
    )
    focus_submit_after = forms.IntegerField(
        label=_("Hand in after (times)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_(
            "After this many times the paper is handed in automatically. Empty: never. Must be more than the warning."
        ),
    )
    room_password = forms.CharField(
        label=_("Exam-room password"),
        max_length=40,
        required=False,
        help_text=_("Examinees type it to start; the invigilator reveals it in the room. Empty: no password."),
    )
    allowed_networks = forms.CharField(
        label=_("Allowed networks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        help_text=_("One network per line, such as 10.12.0.0/16, or one address. Empty: any network."),
    )
    single_device = forms.BooleanField(
        label=_("One device at a time"),
        required=False,
        help_text=_(
            "Opening the paper on a second device takes it over only after the examinee confirms; the first "
            "device stops saving. On by default for formal and qualification exams."
        ),
    )
    prevent_copy = forms.BooleanField(
        label=_("Question text cannot be copied"),
        required=False,
        help_text=_("Selecting and copying the questions is blocked in the browser: a deterrent, not a safeguard."),
    )

    field_order = [
        "title",
        "kind",
        "tier",
        "description",
        "blueprint",
        "fixed_paper",
        "layout",
        "opens_at",
        "closes_at",
        "duration_minutes",
        "attempts_allowed",
        "counts",
        "pass_mark",
        "grace_seconds",
        "release_rule",
        "review_rule",
        "blind_grading",
        *RULE_FIELDS,
    ]

    def __init__(self, *args, exam: Exam | None = None, started: bool = False, **kwargs):
        if exam is not None:
            kwargs.setdefault("initial", exam_initial(exam))
        super().__init__(*args, **kwargs)
        if exam is None:
            # A new exam is formal unless the trainer says otherwise: its strict rules start ticked.
            strict = self.fields["kind"].initial in STRICT_KINDS
            for name in ADAPTIVE_RULES:
                self.fields[name].initial = strict
            # A new exam's form carries a one-time key, so posting it twice creates one exam.
            self.fields["submission_key"] = forms.UUIDField(widget=forms.HiddenInput, required=False)
            self.fields["submission_key"].initial = uuid.uuid4
        blueprints = blueprints_for_exams()
        papers = papers_for_exams()
        if exam is not None:
            # An exam keeps showing its own source even if it is no longer offered to new exams.
            if exam.blueprint_id:
                blueprints = blueprints | Blueprint.objects.filter(pk=exam.blueprint_id)
            if exam.fixed_paper_id:
                papers = papers | Paper.objects.filter(pk=exam.fixed_paper_id)
        self.fields["blueprint"].queryset = blueprints.distinct()
        self.fields["fixed_paper"].queryset = papers.distinct()
        if exam is not None and (started or exam.status == ExamStatus.CLOSED):
            editable = EDITABLE_AFTER_CLOSE if exam.status == ExamStatus.CLOSED else EDITABLE_AFTER_START
            for name, form_field in self.fields.items():
                if name not in editable:
                    form_field.disabled = True

    @property
    def strict_kinds(self) -> str:
        """The kinds whose strict rules a new exam's form ticks (read by exam_form.js)."""
        return " ".join(sorted(STRICT_KINDS))

    @property
    def main_fields(self) -> list:
        return [field for field in self.visible_fields() if field.name not in RULE_FIELDS]

    @property
    def rule_fields(self) -> list:
        return [self[name] for name in RULE_FIELDS]

    def clean_allowed_networks(self) -> str:
        text = self.cleaned_data.get("allowed_networks", "")
        try:
            parse_networks(text)
        except BadNetwork as bad:
            raise forms.ValidationError(EXAM_ERRORS["bad_network"], params={"line": bad.line}) from None
        return text

    def clean(self):
        cleaned = super().clean()
        warn, submit = cleaned.get("focus_warn_after"), cleaned.get("focus_submit_after")
        if warn and submit and submit <= warn:
            self.add_error("focus_submit_after", EXAM_ERRORS["focus_order"])
        if cleaned.get("blueprint") and cleaned.get("fixed_paper"):
            self.add_error(None, _("Choose either a paper blueprint or a fixed paper, not both."))
        elif (
            "blueprint" in cleaned and "fixed_paper" in cleaned and not (cleaned["blueprint"] or cleaned["fixed_paper"])
        ):
            self.add_error(None, _("Choose a paper blueprint or a fixed paper."))
        return cleaned

    def spec(self) -> ExamSpec:
        data = self.cleaned_data
        return ExamSpec(
            title=data["title"],
            kind=data["kind"],
            tier=data["tier"],
            description=data.get("description", ""),
            blueprint=data.get("blueprint"),
            fixed_paper=data.get("fixed_paper"),
            layout=data["layout"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            duration_minutes=data["duration_minutes"],
            attempts_allowed=data["attempts_allowed"],
            counts=data["counts"],
            pass_mark=data["pass_mark"],
            grace_seconds=data["grace_seconds"],
            release_rule=data["release_rule"],
            review_rule=data["review_rule"],
            blind_grading=data["blind_grading"],
            # Explicit on every form: what is ticked is what is saved.
            track_focus=bool(data.get("track_focus")),
            focus_warn_after=data.get("focus_warn_after"),
            focus_submit_after=data.get("focus_submit_after"),
            room_password=data.get("room_password", ""),
            allowed_networks=data.get("allowed_networks", ""),
            single_device=bool(data.get("single_device")),
            prevent_copy=bool(data.get("prevent_copy")),
            audience=self.audience_spec(),
        )


def exam_initial(exam: Exam) -> dict:
    spec = ExamSpec.from_exam(exam)
    audience = spec.audience
    return {
        "title": exam.title,
        "kind": exam.kind,
        "tier": exam.tier,
        "description": exam.description,
        "blueprint": exam.blueprint_id,
        "fixed_paper": exam.fixed_paper_id,
        "layout": exam.layout,
        "opens_at": exam.opens_at,
        "closes_at": exam.closes_at,
        "duration_minutes": exam.duration_minutes,
        "attempts_allowed": exam.attempts_allowed,
        "counts": exam.counts,
        "pass_mark": exam.pass_mark,
        "grace_seconds": exam.grace_seconds,
        "release_rule": exam.release_rule,
        "review_rule": exam.review_rule,
        "blind_grading": exam.blind_grading,
        **{name: getattr(exam, name) for name in RULE_FIELDS},
        "audience_units_subtree": [unit.pk for unit in audience.units_with_subtree],
        "audience_units_only": [unit.pk for unit in audience.units_only],
        "audience_categories": list(audience.categories),
        "audience_positions": list(audience.positions),
        "audience_officers": " ".join(officer.police_number for officer in audience.officers),
    }


class PoliceNumbersField(forms.CharField):
    """Police numbers separated by spaces, commas or new lines → the officers, in the order given."""

    def clean(self, value):
        value = super().clean(value)
        numbers = list(dict.fromkeys(n for n in POLICE_NUMBER_SEPARATORS.split(value or "") if n))
        found = {user.police_number: user for user in User.objects.filter(police_number__in=numbers)}
        unknown = [number for number in numbers if number not in found]
        if unknown:
            raise forms.ValidationError(
                _("No officer has the police number %(numbers)s."), params={"numbers": "、".join(unknown)}
            )
        return [found[number] for number in numbers]


class RosterAddForm(forms.Form):
    officers = PoliceNumbersField(
        label=_("Police numbers"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Officers who sit the exam besides its audience. Separate numbers with spaces or commas."),
    )


class OfficerForm(forms.Form):
    """One officer named by police number (the remove buttons and the exemption form)."""

    police_number = forms.CharField(label=_("Police number"), max_length=20)

    def clean_police_number(self) -> User:
        number = self.cleaned_data["police_number"].strip()
        officer = User.objects.filter(police_number=number).first()
        if officer is None:
            raise forms.ValidationError(_("No officer has the police number %(numbers)s."), params={"numbers": number})
        return officer


class ExemptionForm(OfficerForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ExemptionReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
