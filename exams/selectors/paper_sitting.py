"""Reads for paper sittings (线下考试): the printed variants of an exam, the entry grid of one
variant with its keys, the paper attempts entered so far, and the xlsx template.

Variants: a fixed-paper exam has one, its paper, labelled "A". A blueprint exam has the papers a
trainer drew for the sitting (``exams.services.paper_sitting.paper_variants_draw``), each stored
with the context ``exam:<pk>:paper:<label>`` — the label (A, B, …) is printed as 卷A, 卷B and named
in the grid and the spreadsheet. Trainers may see keys: the grid carries them for its ✓/✗ marks.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from exams.models import Attempt, AttemptMode, Exam, Paper, PaperItem, QuestionType
from exams.models.questions import OPTION_KEYS
from exams.responses import option_labels
from exams.selectors.eligibility import exam_examinees
from exams.selectors.papers import paper_items_with_content
from exams.text import normalize_answer
from portal.exports import xlsx_row

VARIANT_LABELS = "ABCDEF"
NUMBER_HEADER = "警号"
NAME_HEADER = "姓名"
VARIANT_HEADER = "试卷"
_CONTEXT = re.compile(r"^exam:(\d+):paper:([A-Z])$")


def variant_context(exam: Exam, label: str) -> str:
    return f"exam:{exam.pk}:paper:{label}"


@dataclass(frozen=True)
class PaperVariant:
    label: str  # "A", "B" …
    paper: Paper

    @property
    def title(self) -> str:
        return _("Paper %(label)s") % {"label": self.label}


def paper_variants(exam: Exam) -> list[PaperVariant]:
    """The papers printed for the exam's paper sittings, by label."""
    if exam.fixed_paper_id is not None:
        return [PaperVariant(VARIANT_LABELS[0], exam.fixed_paper)]
    papers = Paper.objects.filter(context__startswith=f"exam:{exam.pk}:paper:").order_by("context")
    variants = []
    for paper in papers:
        match = _CONTEXT.match(paper.context)
        if match and int(match.group(1)) == exam.pk:
            variants.append(PaperVariant(match.group(2), paper))
    return variants


def variant_by_label(variants: list[PaperVariant], label: str) -> PaperVariant | None:
    """The variant of ``variants`` a typed label names ("A", "a", "卷A", "Ａ"); the only one when
    ``label`` is empty and there is just one."""
    text = normalize_answer(label).upper().removeprefix("卷").strip()
    if not text and len(variants) == 1:
        return variants[0]
    return next((variant for variant in variants if variant.label == text), None)


def variant_of_paper(exam: Exam, paper_id: int | None) -> str:
    return next((variant.label for variant in paper_variants(exam) if variant.paper.pk == paper_id), "")


@dataclass(frozen=True)
class GridQuestion:
    """One box of the entry grid: a question of the printed paper and what the JS checks it against."""

    item: PaperItem
    labels: str  # option labels as printed, "ABCD"; empty for other types
    key: object  # in printed labels: "B", "ACD", true/false, [[accepted, …] per blank]; None: a mark

    @property
    def position(self) -> int:
        return self.item.position

    @property
    def is_mark(self) -> bool:
        return self.item.question_type == QuestionType.SHORT_ANSWER

    @property
    def type_label(self) -> str:
        return self.item.get_question_type_display()

    @property
    def check(self) -> dict:
        """What paper_entry.js needs to show ✓/✗ while the trainer types."""
        return {
            "type": self.item.question_type,
            "labels": self.labels,
            "key": self.key,
            "points": f"{self.item.points.normalize():f}",
        }


def _printed_key(item: PaperItem):
    answer = item.question_version.answer
    if item.question_type == QuestionType.SINGLE:
        return item.display_key(str(answer))
    if item.question_type == QuestionType.MULTIPLE:
        return "".join(sorted(item.display_key(str(key)) for key in answer or []))
    if item.question_type == QuestionType.TRUE_FALSE:
        return bool(answer)
    if item.question_type == QuestionType.FILL_BLANK:
        return [[normalize_answer(value) for value in accepted] for accepted in answer or []]
    return None


def entry_grid(paper: Paper) -> list[GridQuestion]:
    """The paper's questions in printed order, each with its key in printed labels."""
    questions = []
    for item in paper_items_with_content(paper):
        choice = item.question_type in (QuestionType.SINGLE, QuestionType.MULTIPLE)
        questions.append(GridQuestion(item, option_labels(item) if choice else "", _printed_key(item)))
    return questions


@dataclass(frozen=True)
class PaperAttemptRow:
    attempt: Attempt
    variant: str


def paper_attempt_rows(exam: Exam) -> list[PaperAttemptRow]:
    """The exam's attempts sat on paper, newest entry first."""
    labels = {variant.paper.pk: variant.label for variant in paper_variants(exam)}
    attempts = Attempt.objects.filter(exam=exam, mode=AttemptMode.PAPER).select_related("officer").order_by("-pk")
    return [PaperAttemptRow(attempt, labels.get(attempt.paper_id, "")) for attempt in attempts]


# --- the spreadsheet ----------------------------------------------------------------------------


def question_count(exam: Exam) -> int:
    return max((variant.paper.question_count for variant in paper_variants(exam)), default=0)


def _question_note(exam: Exam, position: int, grids: dict[str, list[GridQuestion]]) -> str:
    parts = []
    for label, grid in grids.items():
        question = next((q for q in grid if q.position == position), None)
        if question is not None:
            parts.append(
                _("Paper %(label)s: %(type)s, %(points)s points")
                % {"label": label, "type": question.type_label, "points": question.check["points"]}
            )
    return "\n".join(parts)


def paper_template_xlsx(exam: Exam) -> bytes:
    """The upload template: 警号, 姓名, 试卷, then one column per question number (1 … n), the type
    and points of each question in a comment on its header; one row per examinee, answers blank."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    grids = {variant.label: entry_grid(variant.paper) for variant in paper_variants(exam)}
    count = question_count(exam)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "paper"
    sheet.append(xlsx_row(sheet, [NUMBER_HEADER, NAME_HEADER, VARIANT_HEADER, *range(1, count + 1)]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position in range(1, count + 1):
        sheet.cell(row=1, column=3 + position).comment = Comment(_question_note(exam, position, grids), "")
    sheet.cell(row=1, column=3).comment = Comment(
        _(
            "The paper sat: %(labels)s. Entries: single B; multiple ACD; true/false 对 or 错; blanks separated by |; "
            "short answers the points given."
        )
        % {"labels": "、".join(grids) or "—"},
        "",
    )
    only = next(iter(grids)) if len(grids) == 1 else ""
    for officer in exam_examinees(exam).order_by("police_number"):
        sheet.append(xlsx_row(sheet, [officer.police_number, officer.name, only]))
    sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def option_label_range(labels: str) -> str:
    return f"{labels[0]}–{labels[-1]}" if labels else OPTION_KEYS[0]


def points_text(points: Decimal) -> str:
    return f"{points.normalize():f}"
