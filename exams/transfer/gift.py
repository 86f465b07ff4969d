"""GIFT (docs.moodle.org "GIFT format"): import.

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
- ``#feedback`` after an answer is appended to 解析; ``####general feedback`` → 解析;
- escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n`` (a line break);
- matching (``{=a -> b}``) and numerical (``{#…}``) are rejected as unsupported, per question;
  text without any braces is a description: skipped with a warning.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from exams.models import QuestionType
from exams.models.questions import OPTION_KEYS
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
)
from exams.transfer.html import cell_to_html, html_to_text, markdown_to_html, sanitize_html, text_to_html

WHAT = "GIFT"
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004", "}": "\ue005", ":": "\ue006"}
_UNESCAPES = {placeholder: char for char, placeholder in _ESCAPES.items()}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]\s*", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_CATEGORY = re.compile(r"^\$CATEGORY:\s*(.*)$")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _escape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else _ESCAPES[m.group(1)], text)


def _unescape(text: str) -> str:
    for placeholder, char in _UNESCAPES.items():
        text = text.replace(placeholder, char)
    return text


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) per blank-line-separated block, comment lines removed."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip() and depth <= 0:
            if current:
                blocks.append((start, current))
            current, depth = [], 0
            continue
        if not current:
            start = number
        current.append(line)
        escaped = _escape(line)
        depth += escaped.count("{") - escaped.count("}")
    if current:
        blocks.append((start, current))
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
    item.explanation = convert.text(general)
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
            item.answer = [alternatives] if alternatives else []
    if feedback:
        item.explanation = "\n".join([item.explanation, *feedback]).strip()
    for problem in convert.collector.problems:
        item.error("stem", _("Image problem: %(problem)s.") % {"problem": problem})
    item.files = convert.collector.used
    return item


def parse_gift(data: bytes) -> ParseOutcome:
    text = decode_text(data, what=WHAT).replace("\r\n", "\n").replace("\r", "\n")
    if text.lstrip().startswith(("<?xml", "<quiz")):
        raise TransferFileError(_("This looks like a Moodle XML file, not GIFT; choose the Moodle XML format."))
    questions: list[ParsedQuestion] = []
    notices: list[ImportIssue] = []
    category: tuple[str, ...] = ()
    number = 0
    for line, lines in _blocks(text):
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
            questions.append(parsed)
    return ParseOutcome(questions=questions, notices=notices)
