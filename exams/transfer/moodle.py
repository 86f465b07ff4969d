"""Moodle XML (docs.moodle.org "Moodle XML format"): import and export.

Import, per ``<question type="…">``:
- ``category``     sets the knowledge-point path of the questions that follow (``$course$/top/`` and
                   Moodle's "Default for …" level stripped, see ``common.category_to_path``);
- ``multichoice``  ``single`` true → 单选 (the answer with fraction 100 is the key); false → 多选 (every
                   answer with a positive fraction is a key; one positive answer only → 单选, warned);
- ``truefalse``    → 判断 (the answer with fraction 100, "true" or "false");
- ``shortanswer``  → 填空 with one blank whose alternatives are the answers with fraction 100;
- ``multianswer``  (cloze) whose fields are all short answers (``{1:SHORTANSWER:=a~=b}``, also ``SA``,
                   ``SAC``, ``SHORTANSWER_C``) → 填空, each field a blank (``____`` in the stem) accepting
                   the answers of weight 100; a cloze with choice or numerical fields is unsupported;
- ``essay``        → 简答; ``graderinfo`` → 评分要点 (or, when it has 参考答案：/评分要点： paragraphs as
                   this module exports them, → 参考答案 and 评分要点);
- ``description``  is not a question: skipped with a warning;
- anything else (matching, numerical, ddwtos, gapselect, calculated, …) is rejected as unsupported,
  per question.
``questiontext`` and options keep their HTML (sanitised); ``<file encoding="base64">`` images named by
``@@PLUGINFILE@@`` become platform images. ``generalfeedback`` → 解析 (a paragraph starting 法律依据：
→ 法律依据); per-answer feedback is appended to 解析. Tags ``难度:N``, ``级别:…``, ``适用对象:…`` and
``状态:…`` and ``知识点:a/b`` set those fields (``common.read_tags``); without a 状态 tag,
``<hidden>1</hidden>`` imports as 草稿. ``<idnumber>`` holding a platform identifier (a UUID) is the
question's ``uid``; other idnumbers are Moodle's own and ignored.

Export writes the same shapes (a 填空 question with several blanks as a ``multianswer`` cloze), the
question's ``uid`` as ``idnumber``, categories from each question's first knowledge point, the
others as ``知识点:`` tags, images embedded as base64 files — so that an export imports back as the
same questions (tests/exams/test_transfer_round_trip.py).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable
from urllib.parse import quote

from django.utils.translation import gettext as _

from exams.models import QuestionStatus, QuestionType
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
    path_to_category,
    read_tags,
    row_tags,
    sniff_binary,
    split_general_feedback,
    split_grader_info,
    true_false_from_label,
    uid_from_text,
)
from exams.transfer.html import html_to_text, markdown_to_html, sanitize_html, text_to_html
from exams.transfer.media import replace_local_images
from exams.transfer.xlsx import ExportRow
from portal.imports import xml_parse

WHAT = "Moodle XML"
SUPPORTED = {"multichoice", "truefalse", "shortanswer", "multianswer", "essay"}
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


# --- Reading ----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if not data.strip():
        raise TransferFileError(_("The file is empty."))
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    declared = _DECLARED_ENCODING.match(body)
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if encoding.replace("-", "").replace("_", "") in ("utf8", "utf16") or sniff_binary(data):
        return decode_text(data, what=WHAT)
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise TransferFileError(
            _("The Moodle XML file declares the encoding “%(encoding)s” but cannot be read with it; save it as UTF-8.")
            % {"encoding": encoding}
        ) from None


def _parse_tree(data: bytes):
    text = _decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # the declaration is about bytes; these are str
    root = xml_parse(text)  # malformed XML, a DTD or entities: one sentence (portal.imports)
    if root.tag != "quiz":
        raise TransferFileError(
            _("This XML file is not a Moodle question export: its root element is <%(tag)s>, not <quiz>.")
            % {"tag": root.tag}
        )
    return root


def _files(element) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if element is None:
        return files
    for node in element.findall("file"):
        name = (node.get("name") or "").strip()
        if not name:
            continue
        try:
            data = base64.b64decode("".join((node.text or "").split()), validate=False)
        except ValueError:
            data = b""
        # Referenced as @@PLUGINFILE@@<path><name>; the path is "/" unless the file sits in a folder.
        folder = (node.get("path") or "/").strip("/")
        files[f"{folder}/{name}" if folder else name] = data
    return files


def _to_html(text: str, text_format: str) -> str:
    """A Moodle text in its declared format → HTML (still to be sanitised)."""
    text_format = (text_format or "html").strip()
    if text_format == "plain_text":
        return text_to_html(text)
    if text_format == "markdown":
        return markdown_to_html(text)
    return text  # html, moodle_auto_format: HTML if it has tags, plain text otherwise


class _QuestionReader:
    """Reads one <question>; keeps its files and problems on ``item``."""

    def __init__(self, element, item: ParsedQuestion):
        self.element = element
        self.item = item
        self.collector = FileCollector()

    def html(self, node, *, label: str, default_format: str = "html") -> str:
        if node is None:
            return ""
        self.collector.named.update(_files(node))
        raw = _to_html((node.findtext("text") or "").strip(), node.get("format") or default_format)
        removed: list[str] = []
        result = sanitize_html(raw, resolve_url=self.collector, removed=removed)
        for source in removed:
            if not source.startswith(("@@PLUGINFILE@@", "data:")):
                self.item.warn(
                    label,
                    _("The image “%(src)s” points outside the platform and was removed.") % {"src": source[:80]},
                )
        return result

    def text(self, node, *, label: str) -> str:
        """Feedback and grader information: plain text, unless it holds images or tables, which
        only HTML keeps."""
        if node is None:
            return ""
        raw = (node.findtext("text") or "").strip()
        if re.search(r"<(img|table)\b", raw, re.IGNORECASE):
            return self.html(node, label=label)
        return html_to_text(_to_html(raw, node.get("format") or "html"))

    def finish(self) -> None:
        for problem in self.collector.problems:
            self.item.error("stem", _("Image problem: %(problem)s.") % {"problem": problem})
        self.item.files = self.collector.used


def _fraction(answer) -> float:
    try:
        return float(answer.get("fraction") or 0)
    except ValueError:
        return 0.0


def append_lines(text: str, lines: list[str]) -> str:
    """Add lines (answer feedback) to an explanation, as paragraphs when it is HTML."""
    lines = [line for line in lines if line]
    if not lines:
        return text or ""
    if "<" in (text or ""):
        return text + "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)
    return "\n".join([text or "", *lines]).strip()


def _append_feedback(item: ParsedQuestion, lines: list[str]) -> None:
    item.explanation = append_lines(item.explanation or "", lines)


def _read_multichoice(reader: _QuestionReader, element, item: ParsedQuestion) -> None:
    single_text = (element.findtext("single") or "true").strip().lower()
    single = single_text not in ("false", "0", "")
    answers = element.findall("answer")
    item.options = [reader.html(answer, label="options") for answer in answers]
    fractions = [_fraction(answer) for answer in answers]
    keys = [OPTION_KEYS[index] if index < 8 else "?" for index in range(len(answers))]
    if single:
        correct = [key for key, fraction in zip(keys, fractions, strict=True) if fraction >= 99.99]
        if any(0 < fraction < 99.99 for fraction in fractions):
            item.warn("answer", _("Partial-credit options count as wrong here; only the 100% option is the key."))
        item.type = QuestionType.SINGLE
        item.answer = correct[0] if len(correct) == 1 else correct
        if not correct:
            item.error("answer", _("No option has fraction 100, so there is no correct answer."))
    else:
        correct = [key for key, fraction in zip(keys, fractions, strict=True) if fraction > 0]
        if len(correct) == 1:
            item.type = QuestionType.SINGLE
            item.answer = correct[0]
            item.warn("answer", _("Multiple-response question with one correct option: imported as single choice."))
        else:
            item.type = QuestionType.MULTIPLE
            item.answer = correct
            if not correct:
                item.error("answer", _("No option has a positive fraction, so there is no correct answer."))
    feedback = []
    for key, answer in zip(keys, answers, strict=True):
        text = reader.text(answer.find("feedback"), label="explanation")
        if text:
            feedback.append(f"{key}：{text}")
    _append_feedback(item, feedback)


def _read_truefalse(reader: _QuestionReader, element, item: ParsedQuestion) -> None:
    item.type = QuestionType.TRUE_FALSE
    correct = [a for a in element.findall("answer") if _fraction(a) >= 99.99]
    if len(correct) != 1:
        item.error("answer", _("Exactly one of “true” and “false” must have fraction 100."))
        return
    item.answer = true_false_from_label(html_to_text(correct[0].findtext("text") or ""))
    if item.answer is None:
        item.error("answer", _("The answer must be “true” or “false”."))
    _append_feedback(item, [reader.text(a.find("feedback"), label="explanation") for a in element.findall("answer")])


def _read_shortanswer(reader: _QuestionReader, element, item: ParsedQuestion) -> None:
    item.type = QuestionType.FILL_BLANK
    alternatives, partial = [], 0
    for answer in element.findall("answer"):
        text = html_to_text(answer.findtext("text") or "")
        if _fraction(answer) >= 99.99 and text:
            alternatives.append(text)
        elif text:
            partial += 1
    if partial:
        item.warn("answer", _("%(count)d answer(s) below 100%% were left out.") % {"count": partial})
    item.answer = [alternatives] if alternatives else []
    if not alternatives:
        item.error("answer", _("No answer has fraction 100, so there is no accepted answer."))
    _append_feedback(item, [reader.text(a.find("feedback"), label="explanation") for a in element.findall("answer")])


def _read_essay(reader: _QuestionReader, element, item: ParsedQuestion) -> None:
    item.type = QuestionType.SHORT_ANSWER
    item.reference_answer, item.rubric = split_grader_info(reader.text(element.find("graderinfo"), label="rubric"))


# A cloze field: {weight:TYPE:answers}, with \} \# \~ \/ \" \\ escaped inside.
_CLOZE_FIELD = re.compile(r"\{(\d*):([A-Za-z_]+):((?:\\.|[^\\}])*)\}")
_CLOZE_SHORT_ANSWER = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
_CLOZE_ESCAPE = re.compile(r"\\(.)")
_CLOZE_SPLIT = re.compile(r"(?<!\\)~")
_CLOZE_FEEDBACK = re.compile(r"(?<!\\)#")
# The list of fields _question_xml appends when the stem has no blank marks to replace.
_APPENDED_FIELDS = re.compile(r"(?:<p>\(\d+\) \ue000</p>)+$")


def _cloze_alternatives(body: str) -> tuple[list[str], int]:
    """A short-answer field's answers → (those of full weight, how many others)."""
    accepted, partial = [], 0
    for answer in _CLOZE_SPLIT.split(body):
        answer = _CLOZE_FEEDBACK.split(answer, maxsplit=1)[0].strip()
        weight = 0.0
        if answer.startswith("="):
            weight, answer = 100.0, answer[1:]
        else:
            match = re.match(r"^%(-?\d+(?:\.\d+)?)%", answer)
            if match:
                weight, answer = float(match.group(1)), answer[match.end() :]
        text = html.unescape(_CLOZE_ESCAPE.sub(r"\1", answer)).strip()
        if not text:
            continue
        if weight >= 99.99:
            accepted.append(text)
        else:
            partial += 1
    return accepted, partial


def _read_multianswer(reader: _QuestionReader, element, item: ParsedQuestion) -> None:
    item.type = QuestionType.FILL_BLANK
    fields = _CLOZE_FIELD.findall(item.stem)
    others = sorted({kind.upper() for _weight, kind, _body in fields} - _CLOZE_SHORT_ANSWER)
    if others:
        item.type = ""
        item.unsupported = True
        item.error(
            "type",
            _("Cloze questions with %(kinds)s fields are not supported; only short-answer fields (blanks) are.")
            % {"kinds": ", ".join(others)},
        )
        return
    blanks, partial = [], 0
    for _weight, _kind, body in fields:
        accepted, left_out = _cloze_alternatives(body)
        blanks.append(accepted)
        partial += left_out
    if partial:
        item.warn("answer", _("%(count)d answer(s) below 100%% were left out.") % {"count": partial})
    if not blanks or not all(blanks):
        item.error("answer", _("A blank of the cloze has no answer of weight 100."))
    item.answer = blanks
    stem = _CLOZE_FIELD.sub("\ue000", item.stem)
    stem = _APPENDED_FIELDS.sub("", stem) if _APPENDED_FIELDS.search(stem) and BLANK_MARK.search(stem) is None else stem
    item.stem = stem.replace("\ue000", BLANK)


READERS = {
    "multichoice": _read_multichoice,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "multianswer": _read_multianswer,
    "essay": _read_essay,
}


def parse_moodle_xml(data: bytes) -> ParseOutcome:
    root = _parse_tree(data)
    questions: list[ParsedQuestion] = []
    notices: list[ImportIssue] = []
    category: tuple[str, ...] = ()
    number = 0
    for element in root.findall("question"):
        question_type = (element.get("type") or "").strip()
        if question_type == "category":
            category = category_to_path(element.findtext("category/text") or element.findtext("category") or "")
            continue
        number += 1
        position = Position(number=number, name=(element.findtext("name/text") or "").strip())
        if question_type == "description":
            notices.append(ImportIssue(str(position), _("A description is not a question; skipped.")))
            continue
        item = ParsedQuestion(position=position)
        if question_type not in SUPPORTED:
            item.unsupported = True
            item.error(
                "type",
                _("The Moodle question type “%(type)s” is not supported (supported: %(supported)s).")
                % {"type": question_type or "?", "supported": ", ".join(sorted(SUPPORTED))},
            )
            questions.append(item)
            continue
        reader = _QuestionReader(element, item)
        item.stem = reader.html(element.find("questiontext"), label="stem")
        legacy_image, legacy_data = element.findtext("image"), element.findtext("image_base64")
        if legacy_image and legacy_data:
            name = legacy_image.replace("/", "_")
            reader.collector.named[name] = base64.b64decode("".join(legacy_data.split()))
            token = reader.collector(f"@@PLUGINFILE@@/{quote(name)}")
            if token:
                item.stem += f'<img src="{token}">'
        explanation = reader.text(element.find("generalfeedback"), label="explanation")
        item.explanation, item.legal_basis = (
            split_general_feedback(explanation) if "<" not in explanation else (explanation, "")
        )
        READERS[question_type](reader, element, item)
        extra_paths = read_tags([tag.findtext("text") for tag in element.findall("tags/tag")], item)
        paths = [category] if category else []
        item.knowledge_paths = list(dict.fromkeys([*paths, *extra_paths]))
        if item.status is None and (element.findtext("hidden") or "0").strip() == "1":
            item.status = QuestionStatus.DRAFT
        item.uid = uid_from_text(element.findtext("idnumber"))
        reader.finish()
        questions.append(item)
    return ParseOutcome(questions=questions, notices=notices)


# --- Writing ----------------------------------------------------------------------------------


def _cdata(text: str) -> str:
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _embed_images(value: str) -> tuple[str, list[str]]:
    """Local media images → @@PLUGINFILE@@ references plus their <file> elements."""
    files: list[str] = []
    seen: set[str] = set()

    def plugin_file(name: str, data: bytes) -> str:
        filename = name.rsplit("/", 1)[-1]
        if filename not in seen:
            seen.add(filename)
            encoded = base64.b64encode(data).decode("ascii")
            files.append(f'<file name="{html.escape(filename)}" path="/" encoding="base64">{encoded}</file>')
        return f"@@PLUGINFILE@@/{quote(filename)}"

    return replace_local_images(value, plugin_file), files


def _text_element(tag: str, value: str, *, attributes: str = "") -> str:
    """A rich text: HTML when it has tags, else Moodle's auto-format (plain text, line breaks kept)."""
    text_format = "html" if "<" in (value or "") else "moodle_auto_format"
    body, files = _embed_images(value) if text_format == "html" else (value or "", [])
    return f'<{tag}{attributes} format="{text_format}"><text>{_cdata(body)}</text>{"".join(files)}</{tag}>'


def _fraction_text(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return text or "0"


def _name(row: ExportRow) -> str:
    snippet = html_to_text(row.stem).replace("\n", " ")
    return snippet[:40] or f"#{row.id}"


def _paragraphs(text: str) -> str:
    """Stored rich text → HTML paragraphs (plain text is already escaped)."""
    if "<" in (text or ""):
        return text
    return "".join(
        "<p>" + part.strip().replace("\n", "<br>") + "</p>" for part in re.split(r"\n\s*\n", text or "") if part.strip()
    )


def _cloze_escape(text: str) -> str:
    return re.sub(r'([}#~/"\\])', r"\\\1", text)


def _question_xml(row: ExportRow) -> str:
    parts = [f"<name><text>{html.escape(_name(row))}</text></name>"]
    general = _paragraphs(row.explanation)
    if row.legal_basis:
        general += f"<p>法律依据：{text_to_html(html_to_text(row.legal_basis))}</p>"
    stem = row.stem
    question_type = {
        QuestionType.SINGLE: "multichoice",
        QuestionType.MULTIPLE: "multichoice",
        QuestionType.TRUE_FALSE: "truefalse",
        QuestionType.FILL_BLANK: "shortanswer",
        QuestionType.SHORT_ANSWER: "essay",
    }[row.type]
    blanks = row.answer or []
    if row.type == QuestionType.FILL_BLANK and len(blanks) > 1:
        question_type = "multianswer"
        fields = [
            "{1:SHORTANSWER:" + "~".join("=" + _cloze_escape(alt) for alt in accepted) + "}" for accepted in blanks
        ]
        numbered = iter(fields)
        parts_of_stem = re.split(r"(<[^>]*>)", stem)
        if sum(len(BLANK_MARK.findall(part)) for part in parts_of_stem if not part.startswith("<")) == len(fields):
            stem = "".join(
                part if part.startswith("<") else BLANK_MARK.sub(lambda _m: next(numbered), part)
                for part in parts_of_stem
            )
        else:
            stem += "".join(f"<p>({i}) {field}</p>" for i, field in enumerate(fields, start=1))
    parts.append(_text_element("questiontext", stem))
    parts.append(_text_element("generalfeedback", general))
    parts.append("<defaultgrade>1.0000000</defaultgrade>")
    parts.append("<penalty>0.3333333</penalty>")
    parts.append(f"<hidden>{0 if row.status == QuestionStatus.ACTIVE else 1}</hidden>")
    parts.append(f"<idnumber>{row.uid}</idnumber>")

    if row.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        correct = [row.answer] if row.type == QuestionType.SINGLE else list(row.answer or [])
        share = 100 / max(len(correct), 1)
        wrong = -100 if row.type == QuestionType.MULTIPLE else 0
        parts.append(f"<single>{'true' if row.type == QuestionType.SINGLE else 'false'}</single>")
        parts.append("<shuffleanswers>true</shuffleanswers><answernumbering>ABCD</answernumbering>")
        for option in row.options:
            fraction = share if option["key"] in correct else wrong
            parts.append(
                _text_element("answer", option.get("text", ""), attributes=f' fraction="{_fraction_text(fraction)}"')
            )
    elif row.type == QuestionType.TRUE_FALSE:
        for word in ("true", "false"):
            fraction = 100 if (word == "true") == bool(row.answer) else 0
            parts.append(f'<answer fraction="{fraction}" format="moodle_auto_format"><text>{word}</text></answer>')
    elif question_type == "shortanswer":
        parts.append("<usecase>0</usecase>")
        for alternative in blanks[0] if blanks else []:
            parts.append(
                f'<answer fraction="100" format="moodle_auto_format"><text>{_cdata(alternative)}</text></answer>'
            )
    elif row.type == QuestionType.SHORT_ANSWER:
        grader = ""
        if row.reference_answer:
            grader += "<p>参考答案：</p>" + _paragraphs(row.reference_answer)
        if row.rubric:
            grader += "<p>评分要点：</p>" + _paragraphs(row.rubric)
        parts.append(
            "<responseformat>editor</responseformat><responserequired>1</responserequired>"
            "<responsefieldlines>15</responsefieldlines><attachments>0</attachments>"
            "<attachmentsrequired>0</attachmentsrequired>"
        )
        parts.append(_text_element("graderinfo", grader))
        parts.append('<responsetemplate format="html"><text></text></responsetemplate>')

    tags = row_tags(
        difficulty=row.difficulty, tier=row.tier, audiences=row.audiences, status=row.status, paths=row.paths[1:]
    )
    parts.append("<tags>" + "".join(f"<tag><text>{html.escape(tag)}</text></tag>" for tag in tags) + "</tags>")
    return f'  <question type="{question_type}">\n    ' + "\n    ".join(parts) + "\n  </question>\n"


def questions_to_moodle_xml(rows: Iterable[ExportRow]) -> bytes:
    """Questions grouped by category (their first knowledge point); uncategorised ones first."""
    rows = sorted(rows, key=lambda row: (bool(row.paths), row.paths[0] if row.paths else (), row.id))
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    current: tuple[str, ...] | None = None
    for row in rows:
        path = row.paths[0] if row.paths else ()
        if path and path != current:
            current = path
            category = html.escape(path_to_category(path))
            out.append(
                f'  <question type="category">\n    <category><text>{category}</text></category>\n'
                f'    <info format="html"><text></text></info>\n  </question>\n'
            )
        out.append(_question_xml(row))
    out.append("</quiz>\n")
    return "".join(out).encode("utf-8")
