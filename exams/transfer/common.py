"""What every import format produces and every export format reads.

A parser (``xlsx``, ``moodle``, ``gift``) turns a file into ``ParsedQuestion`` records: the content
in the bank's own shapes (see ``exams.models.questions``), the knowledge-point paths as name tuples,
the question's position in the file for messages, and the problems met while reading it. Whole-file
problems (wrong format, wrong encoding, not a workbook …) raise ``TransferFileError`` with one
sentence for the user. ``exams.services.question_import`` resolves knowledge points, validates with
``question_validate`` and writes.

Conventions shared by the formats:
- fill-in-the-blank: where a blank sits in the stem is shown by ``BLANK`` (a run of underscores); the
  answer key holds the accepted alternatives of each blank;
- knowledge points are paths of names from the root, written ``接处警/现场处置/证据固定``;
- a question's identity across installations is its ``uid``, which every export writes (xlsx 标识,
  Moodle ``idnumber``, GIFT ``// [id:…]``) and imports match on (see ``exams.services.question_import``);
- what a format has no place for travels as tags ``难度:3``, ``级别:中级``, ``适用对象:新警``,
  ``状态:停用``, ``知识点:a/b`` (Moodle ``<tags>``, GIFT ``// [tag:…]``), see ``row_tags``/``read_tags``;
- embedded images arrive as ``EmbeddedFile`` objects referenced from the HTML by a placeholder URL
  (``/__importfile__/<sha1>``, a local-looking path the cleaner keeps) and become local URLs when the import is written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import mimetypes
import re
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import unquote

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models.choices import Audience, Tier
from exams.models import QuestionStatus, QuestionType
from portal.imports import ImportFileError

BLANK = "____"
PATH_SEPARATOR = "/"
LIST_SEPARATORS = re.compile(r"[；;\n]+")
MAX_FILE_SIZE = 50 * 1024 * 1024
TOKEN_PREFIX = "/__importfile__/"


class TransferFormat(models.TextChoices):
    XLSX = "xlsx", gettext_lazy("Excel workbook (.xlsx)")
    MOODLE_XML = "moodle-xml", gettext_lazy("Moodle XML (.xml)")
    GIFT = "gift", gettext_lazy("GIFT text (.gift, .txt)")


EXPORT_FORMATS = (TransferFormat.XLSX, TransferFormat.MOODLE_XML, TransferFormat.GIFT)
FORMAT_BY_EXTENSION = {
    ".xlsx": TransferFormat.XLSX,
    ".xml": TransferFormat.MOODLE_XML,
    ".gift": TransferFormat.GIFT,
    ".txt": TransferFormat.GIFT,
}

# Labels used in files. Chinese is the data language of the platform (the template's headers and
# cells); the codes are accepted too so that scripts can write files.
TYPE_LABELS = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
    QuestionType.FILL_BLANK: "填空",
    QuestionType.SHORT_ANSWER: "简答",
}
TYPE_ALIASES = {
    **{label: code for code, label in TYPE_LABELS.items()},
    **{code: code for code in QuestionType.values},
    "单选题": QuestionType.SINGLE,
    "单项选择": QuestionType.SINGLE,
    "单项选择题": QuestionType.SINGLE,
    "多选题": QuestionType.MULTIPLE,
    "多项选择": QuestionType.MULTIPLE,
    "多项选择题": QuestionType.MULTIPLE,
    "判断题": QuestionType.TRUE_FALSE,
    "填空题": QuestionType.FILL_BLANK,
    "简答题": QuestionType.SHORT_ANSWER,
    "案例分析": QuestionType.SHORT_ANSWER,
    "案例分析题": QuestionType.SHORT_ANSWER,
}
TIER_LABELS = {Tier.BASIC: "基本级", Tier.INTERMEDIATE: "中级", Tier.ADVANCED: "高级"}
AUDIENCE_LABELS = {
    Audience.ALL: "全警",
    Audience.NEW_OFFICER: "新警",
    Audience.AUXILIARY: "辅警",
    Audience.MIDDLE_LEADER: "中层领导",
    Audience.LEGAL_OFFICER: "法制员",
}
STATUS_LABELS = {QuestionStatus.DRAFT: "草稿", QuestionStatus.ACTIVE: "启用", QuestionStatus.RETIRED: "停用"}
TRUE_LABEL, FALSE_LABEL = "对", "错"
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "✔", "t", "true", "y", "yes", "1"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "✘", "x", "f", "false", "n", "no", "0"}


def _lookup(labels: dict, value: str) -> str | None:
    value = (value or "").strip()
    for code, label in labels.items():
        if value in (label, code):
            return str(code)
    return None


def type_from_label(value: str) -> str | None:
    value = (value or "").strip()
    code = TYPE_ALIASES.get(value) or TYPE_ALIASES.get(value.lower())
    return str(code) if code else None


def tier_from_label(value: str) -> str | None:
    return _lookup(TIER_LABELS, value)


def status_from_label(value: str) -> str | None:
    return _lookup(STATUS_LABELS, value)


def audience_from_label(value: str) -> str | None:
    return _lookup(AUDIENCE_LABELS, value)


_AUDIENCE_ORDER = list(Audience.values)


def ordered_audiences(codes) -> list[str]:
    """In the choices' order, as ``Question.audiences`` keeps them."""
    wanted = set(codes)
    return [code for code in _AUDIENCE_ORDER if code in wanted]


def true_false_from_label(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def uid_from_text(value) -> uuid.UUID | None:
    """A question's identifier as exports write it (``Question.uid``), or None for anything else."""
    try:
        return uuid.UUID(str(value or "").strip())
    except ValueError:
        return None


def split_list(value: str) -> list[str]:
    """``a；b;c`` or one per line → ``["a", "b", "c"]``."""
    return [part.strip() for part in LIST_SEPARATORS.split(value or "") if part.strip()]


def split_path(value: str) -> tuple[str, ...]:
    """``接处警/现场处置`` (also with ／, › or > between names) → ``("接处警", "现场处置")``."""
    parts = re.split(r"\s*(?:/|／|›|>)\s*", (value or "").strip())
    return tuple(part for part in parts if part)


def join_path(names) -> str:
    return PATH_SEPARATOR.join(names)


_MOODLE_CONTEXT = re.compile(r"^\$[a-z]+\$/?", re.IGNORECASE)
_DEFAULT_CATEGORY = re.compile(r"^(?:Default for .+|默认.*|.+的默认(?:类别|分类)?)$", re.IGNORECASE)


def category_to_path(category: str) -> tuple[str, ...]:
    """A Moodle / GIFT question category → knowledge-point path.

    ``$course$/top/Default for 法制培训/接处警/现场处置`` → ``("接处警", "现场处置")``: the context
    prefix (``$course$``, ``$system$`` …), the ``top`` level and Moodle's automatic "Default for …"
    category are not knowledge points. Moodle writes a ``/`` inside a name as ``//``.
    """
    text = _MOODLE_CONTEXT.sub("", (category or "").strip())
    parts = [part.replace("\x00", "/").strip() for part in text.replace("//", "\x00").split("/")]
    parts = [part for part in parts if part]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    if parts and _DEFAULT_CATEGORY.match(parts[0]):
        parts = parts[1:]
    return tuple(parts)


def path_to_category(names) -> str:
    return "$course$/top/" + "/".join(name.replace("/", "//") for name in names)


# --- Tags and feedback paragraphs (Moodle XML and GIFT) ---------------------------------------

TAG = re.compile(r"^\s*(难度|级别|适用对象|状态|知识点)\s*[:：]\s*(.+?)\s*$")
LEGAL_BASIS_PREFIX = re.compile(r"^法律依据\s*[:：]\s*")
REFERENCE_PREFIX = re.compile(r"^参考答案\s*[:：]\s*")
RUBRIC_PREFIX = re.compile(r"^评分要点\s*[:：]\s*")


def row_tags(*, difficulty, tier, audiences, status, paths) -> list[str]:
    """The tags that carry what Moodle XML and GIFT have no field for. ``paths`` are the knowledge
    points other than the one the question's category names."""
    tags = [f"难度:{difficulty}", f"级别:{TIER_LABELS.get(tier, tier)}"]
    tags += [f"适用对象:{AUDIENCE_LABELS.get(code, code)}" for code in audiences]
    tags.append(f"状态:{STATUS_LABELS.get(status, status)}")
    tags += [f"知识点:{join_path(path)}" for path in paths]
    return tags


def read_tags(texts, item: ParsedQuestion) -> list[tuple[str, ...]]:
    """Sets difficulty, tier, audiences and status from ``texts`` (other tags are ignored); returns
    the knowledge-point paths the tags name."""
    extra_paths: list[tuple[str, ...]] = []
    audiences: list[str] = []
    for text in texts:
        match = TAG.match(text or "")
        if not match:
            continue
        key, value = match.groups()
        if key == "难度":
            item.difficulty = int(value) if value.isdigit() else None
            if item.difficulty is None:
                item.error("tags", _("“%(value)s” is not a whole number from 1 to 5.") % {"value": value})
        elif key == "级别":
            item.tier = tier_from_label(value)
            if item.tier is None:
                item.error("tags", _("“%(value)s” is not a tier.") % {"value": value})
        elif key == "适用对象":
            code = audience_from_label(value)
            if code is None:
                item.error("tags", _("“%(value)s” is not an audience.") % {"value": value})
            else:
                audiences.append(code)
        elif key == "状态":
            item.status = status_from_label(value)
            if item.status is None:
                item.error("tags", _("“%(value)s” is not a status.") % {"value": value})
        elif key == "知识点":
            extra_paths.append(split_path(value))
    if audiences:
        item.audiences = ordered_audiences(audiences)
    return extra_paths


def split_general_feedback(text: str) -> tuple[str, str]:
    """General feedback → (explanation, legal basis): a paragraph starting 法律依据： is the basis."""
    explanation, basis = [], []
    target = explanation
    for line in text.split("\n"):
        if LEGAL_BASIS_PREFIX.match(line.strip()):
            target = basis
            line = LEGAL_BASIS_PREFIX.sub("", line.strip())
        target.append(line)
    return "\n".join(explanation).strip(), "\n".join(basis).strip()


def split_grader_info(text: str) -> tuple[str, str]:
    """Grader information → (reference answer, rubric), from 参考答案：/评分要点： paragraphs; text
    without them is the rubric."""
    if not REFERENCE_PREFIX.match(text) and not any(RUBRIC_PREFIX.match(line) for line in text.split("\n")):
        return "", text
    reference, rubric = [], []
    target = rubric
    for line in text.split("\n"):
        stripped = line.strip()
        if REFERENCE_PREFIX.match(stripped):
            target, line = reference, REFERENCE_PREFIX.sub("", stripped)
        elif RUBRIC_PREFIX.match(stripped):
            target, line = rubric, RUBRIC_PREFIX.sub("", stripped)
        target.append(line)
    return "\n".join(reference).strip(), "\n".join(rubric).strip()


# --- Positions and issues --------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a question sits in its file: a row (xlsx), or its number plus a line (GIFT) or a
    name (Moodle XML, GIFT titles)."""

    row: int | None = None
    number: int | None = None
    line: int | None = None
    name: str = ""

    def __str__(self) -> str:
        if self.row is not None:
            return _("Row %(row)d") % {"row": self.row}
        label = _("Question %(number)d") % {"number": self.number or 0}
        if self.line is not None:
            label += " " + _("(line %(line)d)") % {"line": self.line}
        if self.name:
            label += f" “{self.name[:60]}”"
        return label


@dataclass
class ImportIssue:
    position: str
    message: str
    field: str = ""

    def as_dict(self) -> dict:
        return {"position": self.position, "message": self.message, "field": self.field}

    def __str__(self) -> str:
        where = f"{self.position} [{self.field}]" if self.field else self.position
        return f"{where} {self.message}"


# The file as a whole cannot be read (wrong format, wrong encoding …): one sentence. The same
# exception as every other importer's (portal.imports, the door files are read through).
TransferFileError = ImportFileError


# --- Embedded files --------------------------------------------------------------------------


@dataclass
class EmbeddedFile:
    name: str
    data: bytes

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.data).hexdigest()  # noqa: S324 - content identity, not security

    @property
    def token(self) -> str:
        return f"{TOKEN_PREFIX}{self.sha1}"

    @property
    def is_image(self) -> bool:
        return image_kind(self.data) is not None


_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def image_kind(data: bytes) -> str | None:
    """The raster format a platform page can show (png, jpg, gif, webp), from the bytes."""
    for signature, kind in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_is_readable(data: bytes) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


_DATA_URI = re.compile(r"^data:([\w/+.-]+)?(;base64)?,(.*)$", re.DOTALL | re.IGNORECASE)


class FileCollector:
    """Turns the image and link sources of one question's HTML into local placeholders.

    ``files`` are the files the format embeds by name (Moodle's ``@@PLUGINFILE@@/name``); ``data:``
    URIs are accepted too. Anything else that is not a local URL is refused (the caller reports it).
    """

    def __init__(self, files: dict[str, bytes] | None = None):
        self.named = files or {}
        self.used: dict[str, EmbeddedFile] = {}
        self.problems: list[str] = []

    def __call__(self, url: str) -> str | None:
        url = url.strip()
        if url.startswith("@@PLUGINFILE@@/"):
            name = unquote(url[len("@@PLUGINFILE@@/") :]).split("?")[0]
            data = self.named.get(name)
            if data is None:
                self.problems.append(_("the file “%(name)s” is referenced but not included") % {"name": name})
                return None
            return self._embed(name, data)
        match = _DATA_URI.match(url)
        if match:
            mime = (match.group(1) or "").lower()
            try:
                data = base64.b64decode(match.group(3), validate=False) if match.group(2) else unquote(match.group(3))
            except (binascii.Error, ValueError):
                self.problems.append(_("an inline image could not be decoded"))
                return None
            data = data.encode() if isinstance(data, str) else data
            extension = mimetypes.guess_extension(mime) or ".bin"
            return self._embed(f"image{extension}", data)
        if url.startswith(TOKEN_PREFIX):
            return url
        from exams.transfer.html import is_local_url

        return url if is_local_url(url) else None

    def _embed(self, name: str, data: bytes) -> str | None:
        file = EmbeddedFile(name=PurePath(name).name or "file", data=data)
        if image_kind(data) is None and PurePath(name).suffix.lower() in {".png", ".jpg", ".jpeg", ".gif", ".webp"}:
            self.problems.append(_("the image “%(name)s” is damaged or not an image") % {"name": file.name})
            return None
        if file.is_image and not image_is_readable(data):
            self.problems.append(_("the image “%(name)s” is damaged") % {"name": file.name})
            return None
        self.used[file.token] = file
        return file.token


# --- Parsed questions ------------------------------------------------------------------------


@dataclass
class ParsedQuestion:
    """One question as read from a file. ``None`` means "the file does not say": a new question
    gets the default, an existing one (xlsx 编号) keeps its value."""

    position: Position
    type: str = ""
    stem: str = ""
    options: list[str] = field(default_factory=list)
    answer: object = None
    explanation: str | None = None
    legal_basis: str | None = None
    reference_answer: str | None = None
    rubric: str | None = None
    difficulty: int | None = None
    tier: str | None = None
    audiences: list[str] | None = None
    status: str | None = None
    knowledge_paths: list[tuple[str, ...]] | None = None
    question_id: int | None = None
    # the identifier exports carry (xlsx 标识, Moodle idnumber, GIFT [id:…]); see question_import
    uid: uuid.UUID | None = None
    # field label → message, in the order met; a question with errors is rejected
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # rejected only because the format's question type is not one of ours (--skip-unsupported)
    unsupported: bool = False
    files: dict[str, EmbeddedFile] = field(default_factory=dict)

    def error(self, field_label: str, message: str) -> None:
        self.errors.append((field_label, message))

    def warn(self, field_label: str, message: str) -> None:
        self.warnings.append((field_label, message))


@dataclass
class ParseOutcome:
    questions: list[ParsedQuestion]
    # things skipped that are not questions (Moodle / GIFT descriptions …), reported as warnings
    notices: list[ImportIssue] = field(default_factory=list)


def format_from_filename(filename: str) -> str | None:
    return FORMAT_BY_EXTENSION.get(PurePath(filename or "").suffix.lower())


def sniff_binary(data: bytes) -> str | None:
    """A one-word description of a binary file we were not expecting, or None."""
    if data.startswith(b"%PDF"):
        return "PDF"
    if data.startswith(b"PK\x03\x04"):
        return _("Office document or ZIP archive")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _("old-style Office document (.xls / .doc)")
    if image_kind(data):
        return _("image")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _("binary file")
    return None


def decode_text(data: bytes, *, what: str) -> str:
    """Bytes of a text format → str. UTF-8 (with or without BOM) and UTF-16 with BOM are read;
    anything else, GBK included, is refused with one sentence saying how to fix it."""
    kind = sniff_binary(data)
    if kind:
        raise TransferFileError(
            _("This is not a %(what)s file but a %(kind)s; choose the right file or format.")
            % {"what": what, "kind": kind}
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            # UTF-8 cut off mid-character: a truncated file, not GBK; the parser names what is missing.
            return data[: exc.start].decode("utf-8-sig")
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise TransferFileError(
            _("The %(what)s file is not UTF-8 text; save it with UTF-8 encoding and upload it again.") % {"what": what}
        ) from None
    raise TransferFileError(
        _(
            "The %(what)s file is encoded in GBK (GB2312/GB18030), not UTF-8; save it with UTF-8 "
            "encoding (in Notepad: Save As → Encoding: UTF-8) and upload it again."
        )
        % {"what": what}
    )
