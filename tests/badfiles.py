"""The bad-file corpus: every broken or hostile file an importer must survive, built at test time.

``tests/test_bad_files.py`` feeds each file to every importer (commands and upload pages) and
expects one clear sentence, no traceback and nothing written. Files are generated, not committed:
the 50,000-row workbook and the zip bomb are built here, in memory, once per test session.

Workbooks are written by hand (a few XML parts in a zip) rather than with openpyxl: that is faster
for the large ones and lets the corpus put things no spreadsheet program writes (a DTD, an
external entity) exactly where an attacker would.
"""

from __future__ import annotations

import functools
import io
import random
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

# --- Writing a workbook by hand ---------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _workbook_part(prolog: str = "") -> str:
    return (
        f"{_XML_DECLARATION}{prolog}"
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(reference: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _sheet_part(rows: Sequence[Sequence[Any]], prolog: str = "", raw_cell: str = "") -> str:
    lines = [f'{_XML_DECLARATION}{prolog}<worksheet xmlns="{_MAIN}"><sheetData>']
    for number, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column_letter(index)}{number}", value) for index, value in enumerate(row))
        if number == 2 and raw_cell:
            cells += raw_cell
        lines.append(f'<row r="{number}">{cells}</row>')
    lines.append("</sheetData></worksheet>")
    return "".join(lines)


def workbook_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    sheet_prolog: str = "",
    workbook_prolog: str = "",
    raw_cell: str = "",
    extra_parts: dict[str, bytes] | None = None,
) -> bytes:
    """A minimal, valid .xlsx whose first sheet holds ``rows`` (strings inline, numbers as numbers).
    ``*_prolog`` goes between the XML declaration and the root element (where a DTD would sit);
    ``raw_cell`` is appended verbatim to row 2 (to reference an entity)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook_part(workbook_prolog))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", _sheet_part(rows, sheet_prolog, raw_cell))
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- Hostile XML ------------------------------------------------------------------------------

BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)
BILLION_LAUGHS_REF = "&lol9;"
EXTERNAL_ENTITY_DTD = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
EXTERNAL_ENTITY_REF = "&xxe;"


def moodle_xml(*, prolog: str = "", stem: str = "执法记录仪应当全程开启。") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{prolog}<quiz>"
        '<question type="truefalse"><name><text>q1</text></name>'
        f'<questiontext format="html"><text>{stem}</text></questiontext>'
        '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
        "</question></quiz>\n"
    ).encode()


# --- The corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLayout:
    """What a good workbook of one importer looks like, so the corpus can break it in its terms."""

    headers: tuple[str, ...]
    row: Callable[[int], list[Any]]  # a good row; distinct i give distinct keys
    key_column: int  # the column that must not repeat (警号, 编号, 案件编号 …)


@dataclass(frozen=True)
class BadFile:
    id: str
    filename: str
    content: bytes
    says: tuple[str, ...]  # the Chinese message names the problem with one of these


def random_bytes(size: int = 4096) -> bytes:
    return random.Random(13).randbytes(size)


def zip_of_junk() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("junk.bin", random_bytes(2048))
        archive.writestr("readme.txt", "这不是工作簿。")
    return buffer.getvalue()


def zip_of_junk_parts() -> bytes:
    """The part names of a workbook, with junk inside them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            archive.writestr(name, random_bytes(512))
        archive.writestr("xl/worksheets/sheet1.xml", random_bytes(4096))
    return buffer.getvalue()


@functools.cache
def zip_bomb(unpacked_mb: int = 256) -> bytes:
    """A workbook whose sheet unpacks to ``unpacked_mb`` MB of blanks (about 250 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook_part())
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'{_XML_DECLARATION}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            blanks = b" " * (1 << 20)
            for _ in range(unpacked_mb):
                part.write(blanks)
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


MANY_ROWS = 50_000


@functools.cache
def many_rows(layout: SheetLayout, count: int = MANY_ROWS) -> bytes:
    return workbook_bytes([list(layout.headers), *(layout.row(index) for index in range(1, count + 1))])


# How the Chinese message names each problem.
SAYS_EMPTY = ("文件是空的", "所提交的是空文件")  # ours, and Django's FileField on the pages
SAYS_NOT_WORKBOOK = ("不是 Excel 工作簿",)
SAYS_OLD_OR_LOCKED = ("旧版 .xls",)
SAYS_DAMAGED = ("已损坏或不完整",)
SAYS_DTD = ("DTD",)
SAYS_UNPACKS_TOO_BIG = ("解压后超过",)
SAYS_TOO_MANY_ROWS = ("行数超过",)
SAYS_UNKNOWN_COLUMN = ("无法识别的列",)
SAYS_DUPLICATE = ("也出现",)
SAYS_NOT_XML = ("不是格式正确的 XML",)

WORKBOOK_FILE_IDS = (
    "random-bytes",
    "empty",
    "old-xls-or-password-protected",
    "zip-of-junk",
    "zip-of-junk-parts",
    "truncated",
    "wrong-headers",
    "duplicate-keys",
    "many-rows",
    "billion-laughs-in-sheet",
    "external-entity-in-sheet",
    "dtd-in-workbook-part",
    "cell-beyond-last-column",
    "zip-bomb",
)


def workbook_file(layout: SheetLayout, file_id: str, *, duplicate_key: Any = None, suffix: str = ".xlsx") -> BadFile:
    """One bad workbook of ``WORKBOOK_FILE_IDS``, in the terms of ``layout``. ``duplicate_key`` is
    the key the two duplicate rows share (one that exists, where the importer needs that)."""
    name = f"bad{suffix}"
    headers = list(layout.headers)
    if file_id == "random-bytes":
        return BadFile(file_id, name, random_bytes(), SAYS_NOT_WORKBOOK)
    if file_id == "empty":
        return BadFile(file_id, name, b"", SAYS_EMPTY)
    if file_id == "old-xls-or-password-protected":
        return BadFile(file_id, name, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random_bytes(), SAYS_OLD_OR_LOCKED)
    if file_id == "zip-of-junk":
        return BadFile(file_id, name, zip_of_junk(), SAYS_NOT_WORKBOOK)
    if file_id == "zip-of-junk-parts":
        return BadFile(file_id, name, zip_of_junk_parts(), SAYS_DAMAGED)
    if file_id == "truncated":
        good = workbook_bytes([headers, layout.row(1), layout.row(2)])
        return BadFile(file_id, name, good[: len(good) // 2], SAYS_DAMAGED)
    if file_id == "wrong-headers":
        return BadFile(file_id, name, workbook_bytes([["甲", "乙", "丙"], ["1", "2", "3"]]), SAYS_UNKNOWN_COLUMN)
    if file_id == "duplicate-keys":
        first, second = layout.row(1), layout.row(2)
        key = duplicate_key if duplicate_key is not None else first[layout.key_column]
        first[layout.key_column] = second[layout.key_column] = key
        return BadFile(file_id, name, workbook_bytes([headers, first, second]), SAYS_DUPLICATE)
    if file_id == "many-rows":
        return BadFile(file_id, name, many_rows(layout), SAYS_TOO_MANY_ROWS)
    if file_id == "billion-laughs-in-sheet":
        content = workbook_bytes(
            [headers, layout.row(1)],
            sheet_prolog=BILLION_LAUGHS_DTD,
            raw_cell=f'<c r="ZZ2" t="inlineStr"><is><t>{BILLION_LAUGHS_REF}</t></is></c>',
        )
        return BadFile(file_id, name, content, SAYS_DTD)
    if file_id == "external-entity-in-sheet":
        content = workbook_bytes(
            [headers, layout.row(1)],
            sheet_prolog=EXTERNAL_ENTITY_DTD,
            raw_cell=f'<c r="ZZ2" t="inlineStr"><is><t>{EXTERNAL_ENTITY_REF}</t></is></c>',
        )
        return BadFile(file_id, name, content, SAYS_DTD)
    if file_id == "dtd-in-workbook-part":
        content = workbook_bytes([headers, layout.row(1)], workbook_prolog=BILLION_LAUGHS_DTD)
        return BadFile(file_id, name, content, SAYS_DTD)
    if file_id == "cell-beyond-last-column":
        content = workbook_bytes([headers, layout.row(1)], raw_cell='<c r="ZZZZZZZ2"><v>1</v></c>')
        return BadFile(file_id, name, content, SAYS_DAMAGED)
    if file_id == "zip-bomb":
        return BadFile(file_id, name, zip_bomb(), SAYS_UNPACKS_TOO_BIG)
    raise KeyError(file_id)


def moodle_files() -> list[BadFile]:
    good = moodle_xml()
    return [
        BadFile("random-bytes", "bad.xml", random_bytes(), ("不是 Moodle XML 文件",)),
        BadFile("empty", "bad.xml", b"", SAYS_EMPTY),
        BadFile("truncated", "bad.xml", good[: len(good) // 2], SAYS_NOT_XML),
        BadFile("wrong-root", "bad.xml", b'<?xml version="1.0"?><html><body/></html>', ("不是 Moodle",)),
        BadFile("billion-laughs", "bad.xml", moodle_xml(prolog=BILLION_LAUGHS_DTD, stem=BILLION_LAUGHS_REF), SAYS_DTD),
        BadFile(
            "external-entity", "bad.xml", moodle_xml(prolog=EXTERNAL_ENTITY_DTD, stem=EXTERNAL_ENTITY_REF), SAYS_DTD
        ),
        BadFile("workbook-named-xml", "bad.xml", workbook_bytes([["题型"], ["判断"]]), ("不是 Moodle XML 文件",)),
    ]


def gift_files() -> list[BadFile]:
    return [
        BadFile("random-bytes", "bad.gift", random_bytes(), ("不是 GIFT 文件",)),
        BadFile("empty", "bad.gift", b"", SAYS_EMPTY),
        BadFile("unclosed-answer", "bad.gift", "::q1:: 执法记录仪应当全程开启。{T\n".encode(), ("没有以 } 结束",)),
        BadFile(
            "truncated-mid-character", "bad.gift", "::q1:: 执法记录仪应当{=全程开启}".encode()[:-5], ("没有以 } 结束",)
        ),
        BadFile("no-answer-block", "bad.gift", "只有一句话，没有答案。\n".encode(), ("没有试题",)),
        BadFile("gbk", "bad.gift", "::q1:: 执法记录仪应当全程开启。{T}\n".encode("gbk"), ("UTF-8",)),
        BadFile("moodle-xml-named-gift", "bad.gift", moodle_xml(), ("Moodle XML",)),
    ]
