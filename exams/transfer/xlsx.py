"""Question banks as Excel workbooks: the import layout, its template, the export and the report.

One row per question on the first sheet, row 1 holding the headers below (order free, unknown
headers refused, 序号/备注 ignored). The export writes exactly this layout, with 标识 (the question's
identifier, the same in every installation) and 编号 (its number in this bank), so that an exported
file imports back as "unchanged", an edited one updates the questions it names, and the file imports
into another installation as new questions (see ``exams.services.question_import`` for the matching).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from courses.models.choices import Audience
from exams.models import QuestionStatus, QuestionType
from exams.models.questions import OPTION_KEYS
from exams.transfer.common import (
    AUDIENCE_LABELS,
    BLANK,
    FALSE_LABEL,
    MAX_FILE_SIZE,
    STATUS_LABELS,
    TIER_LABELS,
    TRUE_LABEL,
    TYPE_LABELS,
    FileCollector,
    ImportIssue,
    ParsedQuestion,
    ParseOutcome,
    Position,
    TransferFileError,
    audience_from_label,
    join_path,
    ordered_audiences,
    split_list,
    split_path,
    status_from_label,
    tier_from_label,
    true_false_from_label,
    type_from_label,
    uid_from_text,
)
from exams.transfer.html import cell_to_html, html_to_cell
from exams.transfer.sheet import iter_first_sheet
from portal.exports import xlsx_cell, xlsx_row
from portal.imports import header_columns, row_values, workbook_rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# About 20 s on the 2-core target (docs/PERFORMANCE.md: 10,000 questions in 7.8-18 s), inside one
# request's 120 s; a larger bank goes in several files.
MAX_ROWS = 20_000
IGNORED_HEADERS = {"序号", "备注"}
ALTERNATIVE_SEPARATORS = re.compile(r"\s*[|｜]\s*")
BLANK_SEPARATORS = re.compile(r"\s*(?:[；;]|\r?\n)\s*")
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    help: Any
    required: bool = False
    width: int = 14


OPTION_HEADERS = [f"选项{key}" for key in OPTION_KEYS]
COLUMNS: list[Column] = [
    Column("题型", "type", gettext_lazy("单选, 多选, 判断, 填空 or 简答."), required=True, width=8),
    Column(
        "题干",
        "stem",
        gettext_lazy(
            "The question. Plain text (line breaks are kept) or HTML. For 填空, mark each blank with "
            "____ (four underscores) or （ ）."
        ),
        required=True,
        width=48,
    ),
    *[
        Column(
            header,
            "option",
            gettext_lazy(
                "Options of 单选 and 多选 questions, from 选项A on without gaps (at least two, at most eight)."
            ),
            width=18,
        )
        for header in OPTION_HEADERS
    ],
    Column(
        "答案",
        "answer",
        gettext_lazy(
            "单选: one letter, e.g. B. 多选: the letters, e.g. AC. 判断: 对 or 错. 填空: the accepted answers; "
            "| between alternatives of one blank, ； or a new line between blanks, e.g. 轻伤|轻伤二级；24. "
            "简答: leave empty (use 参考答案)."
        ),
        width=16,
    ),
    Column("解析", "explanation", gettext_lazy("Explanation shown after the exam. Plain text."), width=32),
    Column(
        "知识点",
        "knowledge_points",
        gettext_lazy(
            "Knowledge-point paths from the root, names separated by /, several separated by ；, e.g. "
            "接处警/出警处置/现场控制. The sheet 知识点 lists the paths that exist."
        ),
        width=28,
    ),
    Column("难度", "difficulty", gettext_lazy("1 (easiest) to 5 (hardest); empty means 3."), width=6),
    Column("级别", "tier", gettext_lazy("基本级, 中级 or 高级; empty means 基本级."), width=8),
    Column(
        "适用对象",
        "audiences",
        gettext_lazy("Any of 全警, 新警, 辅警, 中层领导, 法制员, separated by ；. Empty: not restricted."),
        width=16,
    ),
    Column("法律依据", "legal_basis", gettext_lazy("Legal provisions the question rests on. Plain text."), width=28),
    Column("参考答案", "reference_answer", gettext_lazy("简答: the reference answer for graders."), width=32),
    Column("评分要点", "rubric", gettext_lazy("简答: the grading rubric (points and what earns them)."), width=32),
    Column(
        "状态",
        "status",
        gettext_lazy("草稿, 启用 or 停用; empty means 启用 for a new question and no change for an existing one."),
        width=8,
    ),
    Column(
        "编号",
        "question_id",
        gettext_lazy(
            "The question's number in this installation's bank, filled in by the export. Used only when 标识 "
            "is empty: a number that exists updates that question (if anything differs); any other number, "
            "or none, adds a new question. Do not copy numbers between rows."
        ),
        width=8,
    ),
    Column(
        "标识",
        "uid",
        gettext_lazy(
            "The question's identifier, the same in every installation, filled in by the export. The question "
            "with this identifier is updated (if anything differs); if this bank has none, the row is added as a "
            "new question keeping the identifier, so importing the file again updates it. Empty for a new question."
        ),
        width=38,
    ),
]
COLUMNS_BY_HEADER = {column.header: column for column in COLUMNS}
HEADERS = [column.header for column in COLUMNS]


# --- Reading ----------------------------------------------------------------------------------


def _normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = re.sub(r"\s+", "", text).replace("*", "")
    if text.startswith("选项") and len(text) == 3:
        text = "选项" + text[2].upper()
    return text


def _rows(data: bytes):
    """The first sheet's rows that hold a value, through the importers' one door (portal.imports):
    any structural problem, or too many rows, becomes one sentence (ImportFileError, which is
    TransferFileError)."""
    return workbook_rows(data, max_rows=MAX_ROWS, max_bytes=MAX_FILE_SIZE, reader=iter_first_sheet)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE_LABEL if value else FALSE_LABEL
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = unicodedata.normalize("NFKC", _text(value)).lstrip("#")
    return int(text) if text.isdigit() else None


def _choice_answer(text: str) -> list[str] | None:
    letters = _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not letters or any(letter not in OPTION_KEYS for letter in letters):
        return None
    return list(letters)


def fill_blank_answer(text: str) -> list[list[str]]:
    blanks = [part for part in BLANK_SEPARATORS.split(text.strip()) if part.strip()]
    return [[alt for alt in ALTERNATIVE_SEPARATORS.split(blank.strip()) if alt] for blank in blanks]


def _html_field(item: ParsedQuestion, label: str, value: str, collector: FileCollector) -> str:
    removed: list[str] = []
    result = cell_to_html(value, resolve_url=collector, removed=removed)
    for source in removed:
        if not source.startswith(("@@PLUGINFILE@@", "data:")):
            item.warn(
                label,
                _("The image “%(src)s” points outside the platform and was removed.") % {"src": source[:80]},
            )
    return result


def _parse_row(row: int, values: dict[str, Any]) -> ParsedQuestion:
    item = ParsedQuestion(position=Position(row=row))
    collector = FileCollector()

    if "uid" in values and _text(values["uid"]):
        item.uid = uid_from_text(_text(values["uid"]))
        if item.uid is None:
            item.error(
                "标识",
                _("“%(value)s” is not an identifier written by an export; leave 标识 empty for a new question.")
                % {"value": _text(values["uid"])[:60]},
            )

    if "question_id" in values and _text(values["question_id"]):
        item.question_id = _integer(values["question_id"])
        if item.question_id is None:
            item.error("编号", _("“%(value)s” is not a question number.") % {"value": _text(values["question_id"])})

    type_text = _text(values.get("type"))
    item.type = type_from_label(type_text) or ""
    if not type_text:
        item.error("题型", _("This required value is empty."))
    elif not item.type:
        item.error(
            "题型",
            _("“%(value)s” is not a question type; use one of: %(choices)s.")
            % {"value": type_text, "choices": "、".join(TYPE_LABELS.values())},
        )

    item.stem = _html_field(item, "题干", _text(values.get("stem")), collector)

    options = [_text(values.get(header)) for header in OPTION_HEADERS]
    while options and not options[-1]:
        options.pop()
    if item.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        item.options = [
            _html_field(item, header, text, collector) for header, text in zip(OPTION_HEADERS, options, strict=False)
        ]
    elif options and item.type:
        item.warn("选项A", _("Options are ignored for this question type."))

    answer = _text(values.get("answer"))
    if item.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        letters = _choice_answer(answer) if answer else []
        if letters is None:
            item.error("答案", _("“%(value)s” is not option letters such as B or AC.") % {"value": answer})
        else:
            item.answer = letters[0] if item.type == QuestionType.SINGLE and len(letters) == 1 else letters
    elif item.type == QuestionType.TRUE_FALSE:
        item.answer = true_false_from_label(values.get("answer")) if answer else None
        if answer and item.answer is None:
            item.error(
                "答案",
                _("“%(value)s” is not a true/false answer; write %(true)s or %(false)s.")
                % {"value": answer, "true": TRUE_LABEL, "false": FALSE_LABEL},
            )
    elif item.type == QuestionType.FILL_BLANK:
        item.answer = fill_blank_answer(answer)

    for field_name in ("explanation", "legal_basis", "reference_answer", "rubric"):
        if field_name in values:
            setattr(item, field_name, _text(values[field_name]))
    if item.type == QuestionType.SHORT_ANSWER and answer:
        if item.reference_answer:
            item.warn("答案", _("简答 questions use 参考答案; the 答案 cell was ignored."))
        else:
            item.reference_answer = answer

    if "knowledge_points" in values:
        item.knowledge_paths = [split_path(path) for path in split_list(_text(values["knowledge_points"]))]

    difficulty = _text(values.get("difficulty"))
    if difficulty:
        item.difficulty = _integer(values["difficulty"])
        if item.difficulty is None:
            item.error("难度", _("“%(value)s” is not a whole number from 1 to 5.") % {"value": difficulty})

    tier = _text(values.get("tier"))
    if tier:
        item.tier = tier_from_label(tier)
        if item.tier is None:
            item.error(
                "级别",
                _("“%(value)s” is not a tier; use one of: %(choices)s.")
                % {"value": tier, "choices": "、".join(TIER_LABELS.values())},
            )

    if "audiences" in values:
        codes = []
        for label in split_list(_text(values["audiences"]).replace("、", "；").replace(",", "；").replace("，", "；")):
            code = audience_from_label(label)
            if code is None:
                item.error(
                    "适用对象",
                    _("“%(value)s” is not an audience; use any of: %(choices)s.")
                    % {"value": label, "choices": "、".join(AUDIENCE_LABELS.values())},
                )
            else:
                codes.append(code)
        item.audiences = ordered_audiences(codes)

    status = _text(values.get("status"))
    if status:
        item.status = status_from_label(status)
        if item.status is None:
            item.error(
                "状态",
                _("“%(value)s” is not a status; use one of: %(choices)s.")
                % {"value": status, "choices": "、".join(STATUS_LABELS.values())},
            )

    for problem in collector.problems:
        item.error("题干", _("Image problem: %(problem)s.") % {"problem": problem})
    item.files = collector.used
    return item


def parse_xlsx(data: bytes) -> ParseOutcome:
    """Questions from the first sheet. Header problems are reported once as row 1 errors."""
    rows = _rows(data)
    first = next(rows, None)
    if first is None or all(_normalise_header(cell) == "" for cell in first[1]):
        raise TransferFileError(_("The first row of the first sheet must hold the column headers; it is empty."))
    header_row, header_cells = first

    field_at, problems = header_columns(
        header_cells,
        # The option columns keep their headers (选项A …): the row parser reads each by its letter.
        fields={column.header: column.header if column.field == "option" else column.field for column in COLUMNS},
        required=[column.header for column in COLUMNS if column.required],
        normalise=_normalise_header,
        ignored=IGNORED_HEADERS,
    )
    if problems:
        where = str(Position(row=header_row))
        raise HeaderError([ImportIssue(where, message, header) for header, message in problems])

    questions: list[ParsedQuestion] = []
    for row_number, cells in rows:
        if (values := row_values(cells, field_at)) is not None:
            questions.append(_parse_row(row_number, values))
    return ParseOutcome(questions=questions)


class HeaderError(TransferFileError):
    """The header row is wrong: reported like row errors (one per column), nothing else is read."""

    def __init__(self, issues: list[ImportIssue]):
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues


# --- Writing ----------------------------------------------------------------------------------


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_cell(sheet, value: Any) -> Any:
    return xlsx_cell(sheet, _cell_value(value))  # text that starts like a formula stays text


def answer_to_cell(question_type: str, answer: Any) -> str:
    if question_type == QuestionType.SINGLE:
        return str(answer or "")
    if question_type == QuestionType.MULTIPLE:
        return "".join(answer or [])
    if question_type == QuestionType.TRUE_FALSE:
        return "" if answer is None else (TRUE_LABEL if answer else FALSE_LABEL)
    if question_type == QuestionType.FILL_BLANK:
        return "；".join("|".join(alternatives) for alternatives in answer or [])
    return ""


@dataclass
class ExportRow:
    """One question flattened for the sheet (built by exams.transfer.export)."""

    id: int
    uid: Any
    type: str
    status: str
    difficulty: int
    tier: str
    audiences: list[str]
    paths: list[tuple[str, ...]]
    stem: str
    options: list[dict]
    answer: Any
    explanation: str
    legal_basis: str
    reference_answer: str
    rubric: str

    def cells(self) -> list[Any]:
        options = [html_to_cell(option.get("text", "")) for option in self.options]
        values = {
            "type": TYPE_LABELS.get(self.type, self.type),
            "stem": html_to_cell(self.stem),
            "answer": answer_to_cell(self.type, self.answer),
            "explanation": self.explanation,
            "knowledge_points": "；".join(join_path(path) for path in self.paths),
            "difficulty": self.difficulty,
            "tier": TIER_LABELS.get(self.tier, self.tier),
            "audiences": "；".join(AUDIENCE_LABELS.get(code, code) for code in self.audiences),
            "legal_basis": self.legal_basis,
            "reference_answer": self.reference_answer,
            "rubric": self.rubric,
            "status": STATUS_LABELS.get(self.status, self.status),
            "question_id": self.id,
            "uid": str(self.uid),
        }
        cells = []
        for column in COLUMNS:
            if column.field == "option":
                index = OPTION_HEADERS.index(column.header)
                cells.append(options[index] if index < len(options) else None)
            else:
                cells.append(values[column.field])
        return cells


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def questions_to_xlsx(rows: Iterable[ExportRow]) -> bytes:
    """The export: the import layout, one row per question (write-only, so large banks stream)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("题目")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = _REQUIRED_FONT if column.required else Font(bold=True)
        cell.fill = _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_write_cell(sheet, value) for value in row.cells()])
    return _to_bytes(workbook)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


TEMPLATE_EXAMPLES = [
    {
        "type": "单选",
        "stem": "公安机关对违反治安管理行为人传唤后，询问查证的时间一般不得超过（ ）小时。",
        "选项A": "4",
        "选项B": "8",
        "选项C": "12",
        "选项D": "24",
        "answer": "B",
        "explanation": "询问查证的时间不得超过八小时；情况复杂、依法可能适用行政拘留处罚的，不得超过二十四小时。",
        "difficulty": 2,
        "tier": "基本级",
        "audiences": "全警",
        "legal_basis": "《中华人民共和国治安管理处罚法》第八十三条",
    },
    {
        "type": "多选",
        "stem": "民警现场处置警情时，应当使用执法记录仪记录的情形包括（ ）。",
        "选项A": "接处警现场",
        "选项B": "当场盘问、检查",
        "选项C": "查处交通违法行为",
        "选项D": "在办公室整理材料",
        "answer": "ABC",
        "explanation": "现场执法活动应当全程录音录像；内部办公不属于现场执法。",
        "difficulty": 3,
        "tier": "基本级",
        "audiences": "新警；辅警",
        "legal_basis": "《公安机关现场执法视音频记录工作规定》",
    },
    {
        "type": "判断",
        "stem": "辅警可以单独对违法嫌疑人进行询问并制作询问笔录。",
        "answer": "错",
        "explanation": "辅警应当在民警带领下开展工作，不得单独询问违法嫌疑人。",
        "difficulty": 2,
        "tier": "基本级",
        "audiences": "辅警",
        "legal_basis": "《关于规范公安机关警务辅助人员管理工作的意见》",
    },
    {
        "type": "填空",
        "stem": "伤情鉴定结论为____的，属于故意伤害刑事案件；办案部门应在____小时内将鉴定意见告知当事人。",
        "answer": "轻伤|轻伤二级|轻伤一级；24",
        "explanation": "轻伤以上构成故意伤害罪。",
        "difficulty": 3,
        "tier": "中级",
        "audiences": "全警",
        "legal_basis": "《人体损伤程度鉴定标准》",
    },
    {
        "type": "简答",
        "stem": "某日晚，民警接报一起酒后斗殴警情，到场时双方仍在厮打。请简述现场处置的主要步骤。",
        "explanation": "考查接处警现场控制与证据固定。",
        "difficulty": 4,
        "tier": "中级",
        "audiences": "中层领导；法制员",
        "legal_basis": "《公安机关办理行政案件程序规定》",
        "reference_answer": (
            "1. 制止违法行为，控制现场；2. 救治伤员；3. 开启执法记录仪，固定证据；4. 查明身份，分开询问。"
        ),
        "rubric": "控制现场 2 分；救治伤员 2 分；证据固定 3 分；分开询问 3 分。",
    },
]


def template_xlsx(*, knowledge_paths: Sequence[str] = ()) -> bytes:
    """The import template: headers, one example row per type, the instructions, and the
    knowledge-point paths that exist today (to copy from)."""
    example_path = knowledge_paths[-1] if knowledge_paths else "接处警/出警处置/现场控制"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题目"
    sheet.append(xlsx_row(sheet, HEADERS))
    for example in TEMPLATE_EXAMPLES:
        row = []
        for column in COLUMNS:
            key = column.header if column.field == "option" else column.field
            if key == "knowledge_points":
                row.append(example_path)
            elif key == "status":
                row.append("启用")
            else:
                row.append(example.get(key))
        sheet.append(xlsx_row(sheet, row))
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill = _HEADER_FILL
        cell.font = _REQUIRED_FONT if column.required else Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = column.width
        for row in sheet.iter_rows(min_row=2, max_row=1 + len(TEMPLATE_EXAMPLES), min_col=index, max_col=index):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for header, labels in (
        ("题型", TYPE_LABELS.values()),
        ("级别", TIER_LABELS.values()),
        ("状态", STATUS_LABELS.values()),
    ):
        letter = sheet.cell(row=1, column=HEADERS.index(header) + 1).column_letter
        validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}5000")
        sheet.add_data_validation(validation)

    notes = workbook.create_sheet("说明")
    notes.append(xlsx_row(notes, [_("Column"), _("Required"), _("Valid values")]))
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    seen_option_help = False
    for column in COLUMNS:
        if column.field == "option":
            if seen_option_help:
                continue
            seen_option_help = True
            notes.append(xlsx_row(notes, ["选项A … 选项H", _("no"), str(column.help)]))
            continue
        notes.append(xlsx_row(notes, [column.header, _("yes") if column.required else _("no"), str(column.help)]))
    notes.append([])
    for line in (
        _("Row 1 holds the headers; questions start on row 2. The example rows show one question of each type."),
        _("Values: 题型 %(types)s; 级别 %(tiers)s; 适用对象 %(audiences)s; 状态 %(statuses)s; 判断 answers 对/错.")
        % {
            "types": "/".join(TYPE_LABELS.values()),
            "tiers": "/".join(TIER_LABELS.values()),
            "audiences": "/".join(AUDIENCE_LABELS[code] for code in Audience.values),
            "statuses": "/".join(STATUS_LABELS[code] for code in QuestionStatus.values),
        },
        _(
            "填空: mark each blank in the stem with %(blank)s; in 答案, | separates the accepted alternatives of one "
            "blank and ； (or a new line) separates the blanks: 轻伤|轻伤二级；24."
        )
        % {"blank": BLANK},
        _(
            "A knowledge point that does not exist is an error, unless the import is run with “create missing "
            "knowledge points”."
        ),
        _(
            "If any question has an error, nothing is imported; every problem is listed with its row. A question "
            "whose stem matches one already in the bank is imported with a warning."
        ),
        _(
            "Exported files have the same columns: edit them and import them again; rows with 标识 (or, without "
            "it, 编号) update their question, unchanged rows are left alone. Imported into another installation, "
            "the rows are added as new questions."
        ),
    ):
        notes.append(xlsx_row(notes, [line]))
    for column_letter, width in zip("ABC", (16, 8, 90), strict=True):
        notes.column_dimensions[column_letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    points = workbook.create_sheet("知识点")
    points.append(xlsx_row(points, ["知识点"]))
    points["A1"].font = Font(bold=True)
    points["A1"].fill = _HEADER_FILL
    points.column_dimensions["A"].width = 48
    for path in knowledge_paths:
        points.append(xlsx_row(points, [path]))
    return _to_bytes(workbook)


def report_xlsx(*, errors: Iterable[ImportIssue], warnings: Iterable[ImportIssue]) -> bytes:
    """The import report: one line per problem, position / column / problem / kind."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Report")
    sheet.append(xlsx_row(sheet, [_("Place in the file"), _("Field"), _("Problem"), _("Kind")]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for kind, issues in ((_("Error"), errors), (_("Warning"), warnings)):
        for issue in issues:
            sheet.append(xlsx_row(sheet, [issue.position, issue.field, _cell_value(issue.message), kind]))
    for column_letter, width in zip("ABCD", (28, 12, 80, 8), strict=True):
        sheet.column_dimensions[column_letter].width = width
    return _to_bytes(workbook)
