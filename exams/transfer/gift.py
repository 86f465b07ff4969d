"""GIFT (docs.moodle.org "GIFT format"): import and export.

A UTF-8 text file; questions are separated by blank lines (a blank line inside an open ``{…}``
answer block does not end the question). Handled:

- ``// comment`` lines are ignored; ``$CATEGORY: $course$/top/接处警/出警处置`` sets the
  knowledge-point path of the questions that follow;
- ``::title::`` names a question (used in messages only: the bank has no titles);
- ``[html]``, ``[moodle]`` (the default), ``[plain]`` and ``[markdown]`` markers before the text;
- ``{=right ~wrong ~wrong}`` → 单选; ``{~%50%a ~%50%b ~%-100%c}`` (no ``=``) → 多选, every answer
  with a positive weight being a key; ``{T}``/``{F}``/``{TRUE}``/``{FALSE}`` → 判断;
  ``{=a =b}`` (or ``{a}``) → 填空 with one blank accepting each alternative of weight 100;
  ``{}`` → 简答;
- text after the closing brace makes it "missing word": the braces become a blank (``____``) in
  the stem;
- ``#feedback`` after an answer is appended to 解析; ``####general feedback`` → 解析, a paragraph
  starting ``法律依据：`` → 法律依据 (for 简答 also ``参考答案：`` and ``评分要点：``);
- several answer blocks, each listing answers (``…不超过{=8}小时，复杂的不超过{=24 =二十四}小时``) →
  填空 with a blank per block: this platform's extension, as GIFT has no multi-blank question;
- comment lines just above a question (``// [id:…] [tag:难度:3] [tag:知识点:a/b]``, as Moodle
  writes them) give its identifier and the tags of ``common.read_tags``;
- escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n`` (a line break);
- matching (``{=a -> b}``) and numerical (``{#…}``) are rejected as unsupported, per question;
  text without any braces is a description: skipped with a warning.

Export writes those shapes: ``[html]`` texts (stored rich text, escaped), the questions under a
``$CATEGORY`` per first knowledge point, the rest in the comment line, images as ``data:`` URIs —
so an export imports back as the same questions (tests/exams/test_transfer_round_trip.py).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from exams.models import QuestionType
from exams.models.questions import OPTION_KEYS
from exams.text import BLANK_MARK
from exams.transfer.common import (
    BLANK,
    FileCollector,
    ImportIssue,
    ParsedQuestion,
    ParseOutcome,
    Position,
    TransferFileError,
    category_to_path,
    decode_text,
    image_kind,
    path_to_category,
    read_tags,
    row_tags,
    uid_from_text,
)
from exams.transfer.html import cell_to_html, html_to_text, markdown_to_html, sanitize_html, text_to_html
from exams.transfer.media import replace_local_images
from exams.transfer.xlsx import ExportRow

WHAT = "GIFT"
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004", "}": "\ue005", ":": "\ue006"}
_UNESCAPES = {placeholder: char for char, placeholder in _ESCAPES.items()}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]\s*", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_CATEGORY = re.compile(r"^\$CATEGORY:\s*(.*)$")
_SECTION = re.compile(r"^(法律依据|参考答案|评分要点)\s*[:：]\s*")
_COMMENT_ID = re.compile(r"\[id:([^\]]*)\]")
_COMMENT_TAG = re.compile(r"\[tag:([^\]]*)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _escape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else _ESCAPES[m.group(1)], text)


def _unescape(text: str) -> str:
    for placeholder, char in _UNESCAPES.items():
        text = text.replace(placeholder, char)
    return text


def _blocks(text: str) -> list[tuple[int, list[str], list[str]]]:
    """(first line number, lines, comment lines) per blank-line-separated block. A comment belongs
    to the block it sits in (``// [id:…] [tag:…]`` just above a question)."""
    blocks: list[tuple[int, list[str], list[str]]] = []
    current: list[str] = []
    comments: list[str] = []
    start = 0
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith("//"):
            comments.append(line.strip()[2:])
            continue
        if not line.strip() and depth <= 0:
            if current:
                blocks.append((start, current, comments))
            current, comments, depth = [], [], 0
            continue
        if not current:
            start = number
        current.append(line)
        escaped = _escape(line)
        depth += escaped.count("{") - escaped.count("}")
    if current:
        blocks.append((start, current, comments))
    return blocks


class _Converter:
    """Text in the question's format → HTML (stem, options) or plain text (feedback)."""

    def __init__(self, text_format: str, item: ParsedQuestion):
        self.format = text_format
        self.item = item
        self.collector = FileCollector()

    def html(self, text: str, *, label: str) -> str:
        text = _unescape(text).strip()
        marker = _FORMAT.match(text)
        text_format = marker.group(1).lower() if marker else self.format
        text = text[marker.end() :] if marker else text
        removed: list[str] = []
        if text_format == "html":
            result = sanitize_html(text, resolve_url=self.collector, removed=removed)
        elif text_format == "markdown":
            result = markdown_to_html(text)
        elif text_format == "plain":
            result = text_to_html(text)
        else:
            result = cell_to_html(text, resolve_url=self.collector, removed=removed)
        for source in removed:
            if not source.startswith("data:"):
                self.item.warn(
                    label,
                    _("The image “%(src)s” points outside the platform and was removed.") % {"src": source[:80]},
                )
        return result

    def text(self, text: str) -> str:
        text = _FORMAT.sub("", _unescape(text).strip(), count=1)
        return html_to_text(text) if self.format in ("html", "moodle") else text.strip()


def _split_feedback(answer: str) -> tuple[str, str]:
    text, _sep, feedback = answer.partition("#")
    return text, feedback


def _weighted(answer: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(answer.strip())
    if not match:
        return None, answer.strip()
    return float(match.group(1)), answer.strip()[match.end() :]


def _parse_question(number: int, line: int, lines: list[str], category: tuple[str, ...]):
    text = _escape("\n".join(lines)).strip()
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end > 0:
            name, text = _unescape(text[2:end]).strip(), text[end + 2 :].strip()
    position = Position(number=number, line=line, name=name)
    marker = _FORMAT.match(text)
    text_format = marker.group(1).lower() if marker else "moodle"
    text = text[marker.end() :] if marker else text

    start = text.find("{")
    if start < 0:
        return ImportIssue(str(position), _("Text without an answer block {…} is a description; skipped."))
    item = ParsedQuestion(position=position, knowledge_paths=[category] if category else [])
    convert = _Converter(text_format, item)
    blocks = _answer_blocks(text)
    if len(blocks) > 1:
        return _parse_blanks(item, convert, text, blocks)
    end = text.rfind("}")
    if end < start:
        item.error("answer", _("The answer block opened with { is not closed with }."))
        return item
    answer_text, before, after = text[start + 1 : end], text[:start], text[end + 1 :]
    stem = before + BLANK + after if after.strip() else before
    item.stem = convert.html(stem, label="stem")

    general = ""
    if "####" in answer_text:
        answer_text, _sep, general = answer_text.partition("####")
    feedback: list[str] = []
    body = answer_text.strip()

    if not body:
        item.type = QuestionType.SHORT_ANSWER
    elif body.startswith("#"):
        item.unsupported = True
        item.error("answer", _("Numerical questions are not supported."))
    elif "~" in body:
        answers = [a for a in body.replace("=", "~=").split("~") if a.strip()]
        single = "=" in body
        options, correct = [], []
        for index, raw in enumerate(answers):
            key = OPTION_KEYS[index] if index < len(OPTION_KEYS) else "?"
            raw, note = _split_feedback(raw.strip())
            if raw.startswith("="):
                weight, raw = 100.0, raw[1:]
            else:
                weight, raw = _weighted(raw)
                weight = weight or 0.0
            options.append(convert.html(raw, label="options"))
            if (single and weight >= 99.99) or (not single and weight > 0):
                correct.append(key)
            if single and 0 < weight < 99.99:
                item.warn("answer", _("Partial-credit options count as wrong here; only the = option is the key."))
            if note.strip():
                feedback.append(f"{key}：{convert.text(note)}")
        item.options = options
        if single or len(correct) == 1:
            item.type = QuestionType.SINGLE
            item.answer = correct[0] if len(correct) == 1 else correct
            if not single:
                item.warn("answer", _("Only one option has a positive weight: imported as single choice."))
        else:
            item.type = QuestionType.MULTIPLE
            item.answer = correct
            if not correct:
                item.error("answer", _("No option has a positive weight, so there is no correct answer."))
    elif "=" in body and "->" in body:
        item.unsupported = True
        item.error("answer", _("Matching questions are not supported."))
    else:
        head, _sep, notes = body.partition("#")
        verdict = _TRUE_FALSE.get(_unescape(head).strip().upper())
        if verdict is not None:
            item.type = QuestionType.TRUE_FALSE
            item.answer = verdict
            feedback += [convert.text(note) for note in notes.split("#") if note.strip()]
        else:
            item.type = QuestionType.FILL_BLANK
            alternatives = _short_answers(body, item, convert, feedback)
            item.answer = [alternatives] if alternatives else []
    return _finish(item, convert, general, feedback)


def _short_answers(body: str, item: ParsedQuestion, convert: _Converter, feedback: list[str]) -> list[str]:
    """The alternatives of weight 100 of a short-answer block ``=a =b#note =%50%c``."""
    alternatives, partial = [], 0
    for raw in body.split("="):
        raw, note = _split_feedback(raw)
        weight, raw = _weighted(raw)
        value = html_to_text(_unescape(raw)).strip()
        if not value:
            continue
        if weight is None or weight >= 99.99:
            alternatives.append(value)
        else:
            partial += 1
        if note.strip():
            feedback.append(f"{value}：{convert.text(note)}")
    if partial:
        item.warn("answer", _("%(count)d answer(s) below 100%% were left out.") % {"count": partial})
    return alternatives


def _answer_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level ``{…}`` (escaped braces are placeholders by now)."""
    blocks, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                blocks.append((start, index))
    return blocks


def _parse_blanks(item: ParsedQuestion, convert: _Converter, text: str, blocks: list[tuple[int, int]]):
    """Several answer blocks in one question (this platform's extension of GIFT, which has one): a
    fill-in with a blank where each block stands, each block listing that blank's answers."""
    item.type = QuestionType.FILL_BLANK
    pieces, blanks, feedback, general, last = [], [], [], "", 0
    for start, end in blocks:
        pieces.append(text[last:start])
        last = end + 1
        body = text[start + 1 : end]
        if "####" in body:
            body, _sep, general = body.partition("####")
        body = body.strip()
        if not body.startswith("=") or "~" in body or "->" in body:
            item.error(
                "answer",
                _("A question with several answer blocks is a fill-in: each block must list its blank's answers (=…)."),
            )
            return item
        alternatives = _short_answers(body, item, convert, feedback)
        if not alternatives:
            item.error("answer", _("Blank %(number)d has no answer.") % {"number": len(blanks) + 1})
        blanks.append(alternatives)
    item.stem = convert.html(BLANK.join([*pieces, text[last:]]), label="stem")
    item.answer = blanks
    return _finish(item, convert, general, feedback)


def _finish(item: ParsedQuestion, convert: _Converter, general: str, feedback: list[str]) -> ParsedQuestion:
    """General feedback → 解析 (with 法律依据：, and for 简答 参考答案：/评分要点： paragraphs split off, as
    the export writes them), answer feedback appended; embedded files kept."""
    sections = _feedback_sections(convert.text(general), essay=item.type == QuestionType.SHORT_ANSWER)
    item.explanation = sections[""]
    item.legal_basis = sections["法律依据"]
    if item.type == QuestionType.SHORT_ANSWER:
        item.reference_answer, item.rubric = sections["参考答案"], sections["评分要点"]
    if feedback:
        item.explanation = "\n".join([item.explanation, *feedback]).strip()
    for problem in convert.collector.problems:
        item.error("stem", _("Image problem: %(problem)s.") % {"problem": problem})
    item.files = convert.collector.used
    return item


def _feedback_sections(text: str, *, essay: bool) -> dict[str, str]:
    """``解析…\n法律依据：…\n参考答案：…\n评分要点：…`` → {"": …, "法律依据": …, …}."""
    prefixes = ("法律依据", "参考答案", "评分要点") if essay else ("法律依据",)
    sections: dict[str, list[str]] = {"": [], "法律依据": [], "参考答案": [], "评分要点": []}
    target = sections[""]
    for line in text.split("\n"):
        match = _SECTION.match(line.strip())
        if match and match.group(1) in prefixes:
            target = sections[match.group(1)]
            line = line.strip()[match.end() :]
        target.append(line)
    return {key: "\n".join(lines).strip() for key, lines in sections.items()}


def _read_comments(item: ParsedQuestion, comments: list[str]) -> None:
    """``// [id:…] [tag:…]`` comments above a question: its identifier and the tags of
    ``common.read_tags``."""
    text = " ".join(comments)
    for value in _COMMENT_ID.findall(text):
        item.uid = uid_from_text(value) or item.uid
    extra = read_tags(_COMMENT_TAG.findall(text), item)
    item.knowledge_paths = list(dict.fromkeys([*(item.knowledge_paths or []), *extra]))


def parse_gift(data: bytes) -> ParseOutcome:
    text = decode_text(data, what=WHAT).replace("\r\n", "\n").replace("\r", "\n")
    if text.lstrip().startswith(("<?xml", "<quiz")):
        raise TransferFileError(_("This looks like a Moodle XML file, not GIFT; choose the Moodle XML format."))
    questions: list[ParsedQuestion] = []
    notices: list[ImportIssue] = []
    category: tuple[str, ...] = ()
    number = 0
    for line, lines, comments in _blocks(text):
        match = _CATEGORY.match(lines[0].strip())
        if match:
            category = category_to_path(match.group(1))
            lines, line = lines[1:], line + 1
            if not lines:
                continue
        number += 1
        parsed = _parse_question(number, line, lines, category)
        if isinstance(parsed, ImportIssue):
            notices.append(parsed)
        else:
            _read_comments(parsed, comments)
            questions.append(parsed)
    return ParseOutcome(questions=questions, notices=notices)


# --- Writing ----------------------------------------------------------------------------------

_GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")


def _gift_escape(text: str) -> str:
    """Text inside a GIFT question: special characters escaped, line breaks as ``\\n`` (a blank line
    would end the question)."""
    return _GIFT_SPECIAL.sub(r"\\\1", text or "").replace("\r\n", "\n").replace("\n", "\\n")


def _inline_images(value: str) -> str:
    """Local media images → ``data:`` URIs: GIFT is one text file, and the import stores them again."""

    def data_uri(_name: str, data: bytes) -> str | None:
        kind = image_kind(data)
        if kind is None:
            return None
        mime = "image/jpeg" if kind == "jpg" else f"image/{kind}"
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    return replace_local_images(value, data_uri)


def _general_feedback(row: ExportRow) -> str:
    sections = [row.explanation or ""]
    if row.legal_basis:
        sections.append(f"法律依据：{row.legal_basis}")
    if row.type == QuestionType.SHORT_ANSWER:
        if row.reference_answer:
            sections.append(f"参考答案：{row.reference_answer}")
        if row.rubric:
            sections.append(f"评分要点：{row.rubric}")
    text = "\n".join(section for section in sections if section).strip()
    return f"####{_gift_escape(text)}" if text else ""


def _answers(alternatives) -> str:
    return " ".join(f"={_gift_escape(alternative)}" for alternative in alternatives)


def _question_gift(row: ExportRow) -> str:
    title = _gift_escape(html_to_text(row.stem).replace("\n", " ")[:40] or f"#{row.id}")
    stem = _inline_images(row.stem)
    feedback = _general_feedback(row)
    if row.type == QuestionType.FILL_BLANK and row.answer:
        blocks = ["{" + _answers(alternatives) + "}" for alternatives in row.answer]
        blocks[-1] = blocks[-1][:-1] + feedback + "}"
        parts = re.split(r"(<[^>]*>)", stem)
        marks = sum(len(BLANK_MARK.findall(part)) for part in parts if not part.startswith("<"))
        # One blank that ends the text stays in the stem, the block after it: a block with nothing
        # after it is GIFT's short answer, not a "missing word", and the mark would be lost.
        ends_with_mark = re.search(f"(?:{BLANK_MARK.pattern})\\s*$", stem) is not None
        if marks == len(blocks) and not (len(blocks) == 1 and ends_with_mark):
            numbered = iter(blocks)
            body = "".join(
                _gift_escape(part)
                if part.startswith("<")
                else "".join(
                    _gift_escape(piece) if index % 2 == 0 else next(numbered)
                    for index, piece in enumerate(re.split(f"({BLANK_MARK.pattern})", part))
                )
                for part in parts
            )
        else:
            body = _gift_escape(stem) + " " + " ".join(blocks)
    else:
        if row.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            correct = [row.answer] if row.type == QuestionType.SINGLE else list(row.answer or [])
            share = f"%{100 / max(len(correct), 1):.5f}".rstrip("0").rstrip(".") + "%"
            answers = []
            for option in row.options:
                text = _gift_escape(_inline_images(option.get("text", "")))
                if row.type == QuestionType.SINGLE:
                    answers.append(("=" if option["key"] in correct else "~") + text)
                else:
                    answers.append("~" + (share if option["key"] in correct else "%-100%") + text)
            answer = " ".join(answers)
        elif row.type == QuestionType.TRUE_FALSE:
            answer = "TRUE" if row.answer else "FALSE"
        else:
            answer = ""
        body = f"{_gift_escape(stem)} {{{answer}{feedback}}}"
    metadata = [f"[id:{row.uid}]"] + [
        f"[tag:{tag}]"
        for tag in row_tags(
            difficulty=row.difficulty, tier=row.tier, audiences=row.audiences, status=row.status, paths=row.paths[1:]
        )
    ]
    return f"// {' '.join(metadata)}\n::{title}::[html]{body}\n"


def questions_to_gift(rows: Iterable[ExportRow]) -> bytes:
    """Questions grouped by category (their first knowledge point), uncategorised ones first.
    Multi-blank fill-ins use this platform's extension (one answer block per blank)."""
    rows = sorted(rows, key=lambda row: (bool(row.paths), row.paths[0] if row.paths else (), row.id))
    out = ["// 题库导出 (GIFT, UTF-8)\n\n"]
    current: tuple[str, ...] | None = None
    for row in rows:
        path = row.paths[0] if row.paths else ()
        if path and path != current:
            current = path
            out.append(f"$CATEGORY: {path_to_category(path)}\n\n")
        out.append(_question_gift(row) + "\n")
    return "".join(out).encode("utf-8")
