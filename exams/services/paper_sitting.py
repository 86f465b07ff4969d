"""Paper sittings (线下考试): exams sat on printed papers, their answers entered back afterwards.

For rooms without computers the trainer prints the exam's paper (``exams.pdf``) and, once the
sitting is over, enters what each officer wrote — one officer at a time in the entry grid, or many
at once from a spreadsheet (``exams.services.paper_sitting_import``). Both end in
``paper_sheets_enter``, which makes each sheet an ordinary attempt marked ``mode=paper`` and
scores it through the SAME code as an online attempt (``exams.services.delivery._grade_objective``,
``exams.services.grading.answer_grade`` / ``attempt_grade`` and the release rules). A paper attempt
therefore counts in results, item analysis, the qualification ladder (``EXAMS_RESULT_HOOKS``), the
officer's file and certificates exactly like an online one.

Which paper: a fixed-paper exam's paper ("A"); for a blueprint exam the variants the trainer drew
for the sitting (``paper_variants_draw``: 卷A, 卷B …, stored with the context
``exam:<pk>:paper:<label>`` and printable with the paper PDFs). Labels are entered as printed and
translated through ``PaperItem.original_key`` (``exams.responses.response_from_labels``).

What is entered per question: single "B"; multiple "ACD" (any order, "A,C,D" too); true/false
对/错/√/×/T/F/1/0; fill-in blanks separated by "|" or "；"; a short answer's mark (0 … its points,
in half points), stored as the entering trainer's grade through ``answer_grade`` so the attempt
ends graded. Empty is unanswered (a short answer left empty is graded 0, as a blank online answer
scores 0).

Rules: the officer must be an examinee (``exam_eligibility``), not marked absent, with an attempt
left (``terms_for``: an accommodation may add attempts and time) and none in progress; the exam
must be published or closed; its window does not matter (entry follows the sitting). The attempt
starts at the sitting time the trainer gives (default: the exam's ``opens_at``), its deadline and
submission are that plus the officer's duration; its transitions (not started → in progress →
submitted) name the trainer with the reason "paper", and the entry is audited as
``exams.attempt.paper_entered``.

All or nothing: every sheet is checked first; one problem anywhere (row, police number, question,
what is wrong — in the reader's language) and nothing is written. A clean batch is written in one
transaction.

Idempotence, decided: an officer has at most ONE paper attempt per exam. A sheet for an officer who
already has one is reported as "already entered" and skipped, never written twice — so a double
submit of the grid, or the same spreadsheet uploaded again, changes nothing. (A wrong entry is not
re-entered: short-answer marks are corrected on the grading page, keys by a key correction.)

Races, and what settles them
----------------------------
- **Double submit / two trainers entering the same officer**: each officer's write first locks the
  officer's user row (as ``attempt_start`` does), then re-checks "already has a paper attempt" and
  the attempts used. The second request finds the first one's attempt: the whole batch of the
  second is rolled back and it reports the officer as entered meanwhile (its other sheets are
  re-checked on the next try).
- **The officer starting an online attempt while their paper is entered**: the same user-row lock
  serialises the two; the attempts-left check sees whichever came first.
- **Checks against writes**: checking happens before the transaction (reads only); every check that
  another request could invalidate is repeated under the lock.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exams.models import (
    Answer,
    Attempt,
    AttemptMode,
    AttemptState,
    Exam,
    ExamAbsence,
    ExamStatus,
    Paper,
    PaperItem,
    QuestionType,
)
from exams.rendering import blank_count
from exams.responses import MAX_BLANK_CHARS, BadResponse, option_labels, response_from_labels
from exams.selectors.eligibility import exam_eligibility
from exams.selectors.exam_day import terms_for
from exams.selectors.paper_sitting import (
    VARIANT_HEADER,
    VARIANT_LABELS,
    paper_variants,
    variant_by_label,
    variant_context,
)
from exams.selectors.papers import paper_items_with_content
from exams.services.delivery import _grade_objective, _transition
from exams.services.grading import GradingError, answer_grade, hand_score_check
from exams.services.papers import paper_draw
from people.models import User
from portal.errors import CodedError
from portal.services import audit_log

__all__ = [
    "EntryProblem",
    "EntryResult",
    "PaperEntryError",
    "PaperSheet",
    "paper_sheets_enter",
    "paper_variants_draw",
]

MAX_VARIANTS = len(VARIANT_LABELS)

ERRORS = {
    "not_published": gettext_lazy("Results can be entered only for a published or closed exam."),
    "future_sitting": gettext_lazy("The sitting time %(time)s is in the future."),
    "no_variants": gettext_lazy("No paper has been printed for this exam yet: draw the papers for the sitting first."),
    "fixed_paper": gettext_lazy("This exam has a fixed paper: print that paper; there are no variants to draw."),
    "too_many_variants": gettext_lazy("At most %(max)d papers can be drawn for the sittings of one exam."),
    "variant_count": gettext_lazy("Draw between 1 and %(max)d papers."),
    "entered_meanwhile": gettext_lazy(
        "The paper of %(officer)s was entered by someone else meanwhile; nothing was saved. Check the list "
        "and enter the others again."
    ),
    "changed_meanwhile": gettext_lazy("%(reason)s (changed while the papers were being entered; nothing was saved.)"),
    "no_sheets": gettext_lazy("The sheet has no answers to enter."),
}


class PaperEntryError(CodedError):
    """A paper entry cannot be carried out at all; ``message`` says why, for the trainer."""

    errors = ERRORS


@dataclass(frozen=True)
class PaperSheet:
    """One officer's paper as entered: ``entries`` maps question numbers (1 … n) to what was typed."""

    police_number: str
    variant: str
    entries: dict[int, object]
    row: int = 0  # the spreadsheet row (0: the grid)


@dataclass(frozen=True)
class EntryProblem:
    row: int
    police_number: str
    question: str  # "第3题", a column, or "" for the whole row
    message: str


@dataclass
class EntryResult:
    entered: list[Attempt] = field(default_factory=list)
    skipped: list[tuple[PaperSheet, Attempt]] = field(default_factory=list)  # already entered
    problems: list[EntryProblem] = field(default_factory=list)


# --- variants -----------------------------------------------------------------------------------


def paper_variants_draw(*, exam: Exam, count: int, actor) -> list[Paper]:
    """Draw ``count`` more papers from the exam's blueprint for its paper sittings, labelled with the
    next free letters; later papers respect the blueprint's overlap cap against the earlier ones."""
    if exam.fixed_paper_id is not None:
        raise PaperEntryError("fixed_paper")
    if not 1 <= count <= MAX_VARIANTS:
        raise PaperEntryError("variant_count", max=MAX_VARIANTS)
    with transaction.atomic():
        # Two trainers drawing at once must not both take letter B.
        exam = Exam.objects.select_for_update(of=("self",)).select_related("blueprint").get(pk=exam.pk)
        existing = paper_variants(exam)
        if len(existing) + count > MAX_VARIANTS:
            raise PaperEntryError("too_many_variants", max=MAX_VARIANTS)
        earlier = [variant.paper.pk for variant in existing]
        drawn = []
        for label in VARIANT_LABELS[len(existing) : len(existing) + count]:
            paper = paper_draw(
                blueprint=exam.blueprint,
                exclude_overlap_with=earlier or None,
                context=variant_context(exam, label),
                actor=actor,
            )
            earlier.append(paper.pk)
            drawn.append(paper)
            audit_log(
                actor=actor,
                action="exams.exam.paper_variant_drawn",
                target=exam,
                data={"paper": paper.pk, "label": label, "seed": paper.seed},
            )
    return drawn


# --- reading what was typed ---------------------------------------------------------------------

_TRUE = {"对", "√", "✓", "✔", "t", "true", "1", "是", "y", "正确"}
_FALSE = {"错", "×", "✗", "✘", "x", "f", "false", "0", "否", "n", "错误"}
_MULTIPLE_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_BLANK_SEPARATORS = re.compile(r"[|｜;；]")


class EntryValueError(ValueError):
    """What was typed for one question cannot be read; ``str()`` says why."""


def cell_text(value) -> str:
    """A spreadsheet cell or form value as text: 1.0 → "1", True → "1", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        raise EntryValueError(_("A date is not an answer; enter the cell as text."))
    return str(value).strip()


def _labels_range(labels: str) -> str:
    return f"{labels[0]}–{labels[-1]}" if labels else "A"


def entry_response(item: PaperItem, value):
    """What was typed for ``item`` as the stored response (the question's own keys), or for a short
    answer the mark as a Decimal; None when empty. ``EntryValueError`` when it cannot be read."""
    text = cell_text(value)
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text).strip()
    question_type = item.question_type
    if question_type == QuestionType.SHORT_ANSWER:
        try:
            return hand_score_check(folded, item.points)
        except GradingError as error:
            raise EntryValueError(error.message) from None
    if question_type == QuestionType.SINGLE:
        labels = option_labels(item)
        raw = folded.upper()
        if len(raw) != 1 or raw not in labels:
            raise EntryValueError(
                _("“%(value)s” is not one option: enter one letter of %(labels)s.")
                % {"value": text, "labels": _labels_range(labels)}
            )
    elif question_type == QuestionType.MULTIPLE:
        labels = option_labels(item)
        letters = _MULTIPLE_SEPARATORS.sub("", folded.upper())
        if not letters or any(letter not in labels for letter in letters):
            raise EntryValueError(
                _("“%(value)s” is not a set of options: enter letters of %(labels)s, such as ACD.")
                % {"value": text, "labels": _labels_range(labels)}
            )
        raw = sorted(set(letters))
    elif question_type == QuestionType.TRUE_FALSE:
        word = folded.casefold()
        if word not in _TRUE | _FALSE:
            raise EntryValueError(_("“%(value)s” is neither true nor false: enter 对 or 错.") % {"value": text})
        raw = word in _TRUE
    elif question_type == QuestionType.FILL_BLANK:
        raw = [part.strip() for part in _BLANK_SEPARATORS.split(text)]
        blanks = blank_count(item.question_version)
        if len(raw) > blanks:
            raise EntryValueError(
                _("%(given)d blanks given, but the question has %(blanks)d; separate blanks with |.")
                % {"given": len(raw), "blanks": blanks}
            )
        if any(len(part) > MAX_BLANK_CHARS for part in raw):
            raise EntryValueError(_("A blank is longer than %(max)d characters.") % {"max": MAX_BLANK_CHARS})
    else:
        raise EntryValueError(_("This question cannot be entered."))
    try:
        return response_from_labels(item, raw)
    except BadResponse:
        raise EntryValueError(_("“%(value)s” does not fit the question.") % {"value": text}) from None


# --- checking a batch ---------------------------------------------------------------------------


@dataclass
class _Checked:
    sheet: PaperSheet
    officer: User
    paper: Paper
    label: str
    responses: dict[int, object]  # paper item pk → response (objective questions)
    marks: dict[int, Decimal]  # paper item pk → mark (short answers; 0 when left empty)


def _question(position: int) -> str:
    return _("Question %(number)d") % {"number": position}


def _officer_problem(exam: Exam, officer: User) -> str:
    eligibility = exam_eligibility(exam, officer)
    if not eligibility.eligible:
        return _("%(officer)s may not sit this exam: %(reason)s") % {"officer": officer, "reason": eligibility.reason}
    if ExamAbsence.objects.filter(exam=exam, officer=officer).exists():
        return _("%(officer)s is marked absent from this exam; withdraw the absence first.") % {"officer": officer}
    attempts = Attempt.objects.filter(exam=exam, officer=officer)
    if attempts.filter(state=AttemptState.IN_PROGRESS).exists():
        return _("%(officer)s has an online attempt in progress; enter the paper once it is handed in.") % {
            "officer": officer
        }
    used = attempts.exclude(state=AttemptState.NOT_STARTED).count()
    allowed = terms_for(exam, officer).attempts_allowed  # an accommodation may add attempts
    if used >= allowed:
        return _("%(officer)s has used all %(allowed)d attempts allowed for this exam.") % {
            "officer": officer,
            "allowed": allowed,
        }
    return ""


def _check(exam: Exam, sheets: Sequence[PaperSheet], result: EntryResult) -> list[_Checked]:
    variant_list = paper_variants(exam)
    variants = {variant.label: variant.paper for variant in variant_list}
    items = {
        label: {item.position: item for item in paper_items_with_content(paper)} for label, paper in variants.items()
    }
    numbers = {sheet.police_number.strip() for sheet in sheets}
    officers = {officer.police_number: officer for officer in User.objects.filter(police_number__in=numbers)}
    entered = {
        attempt.officer_id: attempt
        for attempt in Attempt.objects.filter(exam=exam, mode=AttemptMode.PAPER, officer__police_number__in=numbers)
    }
    first_row: dict[str, int] = {}
    checked: list[_Checked] = []
    for sheet in sheets:
        number = sheet.police_number.strip()
        problems: list[EntryProblem] = []

        def problem(message: str, question: str = "", number=number, sheet=sheet, problems=problems) -> None:
            problems.append(EntryProblem(sheet.row, number, question, message))

        officer = officers.get(number)
        if not number:
            problem(_("The police number is empty."))
        elif officer is None:
            problem(_("No officer with police number %(number)s.") % {"number": number})
        elif number in first_row:
            problem(
                _("Police number %(number)s also appears in row %(row)d.")
                % {"number": number, "row": first_row[number]}
            )
        else:
            first_row[number] = sheet.row
            if officer.pk in entered:
                result.skipped.append((sheet, entered[officer.pk]))
                continue
            if message := _officer_problem(exam, officer):
                problem(message)
        try:
            typed = cell_text(sheet.variant)
        except EntryValueError:
            typed = "?"
        variant = variant_by_label(variant_list, typed)
        if variant is None:
            problem(
                _("“%(value)s” is not a paper of this exam: enter one of %(labels)s.")
                % {"value": typed, "labels": "、".join(variants)},
                str(VARIANT_HEADER),
            )
            result.problems.extend(problems)
            continue
        paper_items = items[variant.label]
        responses: dict[int, object] = {}
        marks: dict[int, Decimal] = {}
        for position, value in sorted(sheet.entries.items()):
            item = paper_items.get(position)
            if item is None:
                try:
                    empty = not cell_text(value)
                except EntryValueError:
                    empty = False
                if not empty:
                    problem(
                        _("Paper %(label)s has no question %(number)d.") % {"label": variant.label, "number": position},
                        _question(position),
                    )
                continue
            try:
                response = entry_response(item, value)
            except EntryValueError as error:
                problem(str(error), _question(position))
                continue
            if item.question_type == QuestionType.SHORT_ANSWER:
                marks[item.pk] = response if response is not None else Decimal("0.00")
            elif response is not None:
                responses[item.pk] = response
        for item in paper_items.values():
            if item.question_type == QuestionType.SHORT_ANSWER:
                marks.setdefault(item.pk, Decimal("0.00"))
        result.problems.extend(problems)
        if not problems:
            checked.append(_Checked(sheet, officer, variant.paper, variant.label, responses, marks))
    return checked


# --- writing ------------------------------------------------------------------------------------


def paper_sheets_enter(
    *,
    exam: Exam,
    sheets: Sequence[PaperSheet],
    actor: User,
    sat_at: datetime.datetime | None = None,
    source: str = "grid",
    now: datetime.datetime | None = None,
) -> EntryResult:
    """Check every sheet; when none has a problem, make each one a graded paper attempt. Officers
    who already have a paper attempt are skipped and listed (see the module docstring).

    ``PaperEntryError`` when nothing can be entered at all (the exam is a draft, no paper was
    printed, the sitting time is in the future, another request entered an officer meanwhile)."""
    now = now or timezone.now()
    exam = Exam.objects.select_related("blueprint", "fixed_paper").get(pk=exam.pk)
    if exam.status not in (ExamStatus.PUBLISHED, ExamStatus.CLOSED):
        raise PaperEntryError("not_published")
    started_at = sat_at or exam.opens_at
    if started_at > now:
        raise PaperEntryError("future_sitting", time=timezone.localtime(started_at).strftime("%Y-%m-%d %H:%M"))
    if not paper_variants(exam):
        raise PaperEntryError("no_variants")
    result = EntryResult()
    checked = _check(exam, sheets, result)
    if result.problems or not checked:
        return result
    with transaction.atomic():
        for entry in checked:
            result.entered.append(_enter(exam, entry, started_at=started_at, actor=actor, source=source, now=now))
    return result


def _enter(exam: Exam, entry: _Checked, *, started_at: datetime.datetime, actor: User, source: str, now) -> Attempt:
    officer = entry.officer
    # Serialises this officer's entries and online starts (see the module docstring).
    User.objects.select_for_update().filter(pk=officer.pk).values_list("pk").get()
    if Attempt.objects.filter(exam=exam, officer=officer, mode=AttemptMode.PAPER).exists():
        raise PaperEntryError("entered_meanwhile", officer=officer)
    if reason := _officer_problem(exam, officer):
        raise PaperEntryError("changed_meanwhile", reason=reason)
    used = Attempt.objects.filter(exam=exam, officer=officer).exclude(state=AttemptState.NOT_STARTED).count()
    # The officer's own duration: an accommodation's extra time counts on paper too.
    finished = started_at + terms_for(exam, officer).duration
    attempt = Attempt.objects.create(
        exam=exam,
        officer=officer,
        number=used + 1,
        state=AttemptState.IN_PROGRESS,
        mode=AttemptMode.PAPER,
        paper=entry.paper,
        started_at=started_at,
        deadline=finished,
    )
    _transition(
        attempt,
        from_state=AttemptState.NOT_STARTED,
        to_state=AttemptState.IN_PROGRESS,
        actor=actor,
        at=started_at,
        reason="paper",
    )
    Answer.objects.bulk_create(
        [
            Answer(attempt=attempt, paper_item_id=item_id, response=response, client_seq=1, saved_at=finished)
            for item_id, response in entry.responses.items()
        ]
        + [
            Answer(attempt=attempt, paper_item_id=item_id, response=None, client_seq=1, saved_at=finished)
            for item_id in entry.marks
        ]
    )
    Attempt.objects.filter(pk=attempt.pk).update(state=AttemptState.SUBMITTED, submitted_at=finished)
    attempt.state, attempt.submitted_at = AttemptState.SUBMITTED, finished
    _transition(
        attempt,
        from_state=AttemptState.IN_PROGRESS,
        to_state=AttemptState.SUBMITTED,
        actor=actor,
        at=finished,
        reason="paper",
    )
    audit_log(
        actor=actor,
        action="exams.attempt.paper_entered",
        target=attempt,
        data={
            "exam": exam.pk,
            "number": attempt.number,
            "paper": entry.paper.pk,
            "variant": entry.label,
            "sat_at": started_at.isoformat(),
            "source": source,
            "row": entry.sheet.row,
        },
    )
    _grade_objective(attempt, now=now, submitted_by=actor)
    # Short answers: the trainer's marks, as a grader's grades; the last one grades the attempt.
    answers = Answer.objects.filter(attempt=attempt, paper_item_id__in=list(entry.marks))
    for answer in answers.order_by("paper_item__position"):
        answer_grade(answer=answer, score=entry.marks[answer.paper_item_id], comment="", grader=actor, now=now)
    attempt.refresh_from_db()
    return attempt
