"""A fast, streaming reader for the first sheet of an .xlsx workbook: cell values only.

Why not openpyxl (which writes our workbooks): its read-only mode builds an object per cell and, for
files without a stored dimension (openpyxl's own write-only output among them), scans the sheet
twice; a 10,000-question bank took ~12 s to read on the 2-core target machine. This reader feeds
the sheet XML straight to expat and keeps only values (shared strings, inline strings, numbers,
booleans, cached formula results), which is what an import needs — styles and formats are ignored,
so a date arrives as its serial number (no column of the question layout holds dates).

The XML parts come from the workbook's own zip; expat does not fetch external entities and
guards against entity expansion, and the row count is capped by the caller.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree
from xml.parsers import expat

CHUNK = 1 << 16
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


class SheetError(Exception):
    """The workbook's structure cannot be read."""


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """``{namespace}c`` / ``x:c`` → ``c`` (cached: a sheet uses a handful of names)."""
    local = _LOCAL_NAMES.get(name)
    if local is None:
        local = _LOCAL_NAMES[name] = name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    return local


def _unescape(text: str) -> str:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (e.g. a carriage return)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


MAX_COLUMNS = 16_384  # Excel's last column is XFD; a reference beyond it would size a row in gigabytes


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
        if index > MAX_COLUMNS:
            raise SheetError("column beyond XFD")
    return index - 1


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = [element for element in workbook.iter() if _local(element.tag) == "sheet"]
    if not sheets:
        raise SheetError("no sheets")
    relation = next((value for key, value in sheets[0].attrib.items() if _local(key) == "id"), None)
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for element in relations.iter():
        if _local(element.tag) == "Relationship" and element.get("Id") == relation:
            target = element.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            return path
    raise SheetError("first sheet not found")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        data = archive.read("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "phonetic": 0}

    def start(name, _attrs):
        name = _local(name)
        if name == "si":
            parts.clear()
        elif name == "rPh":
            state["phonetic"] += 1
        elif name == "t" and not state["phonetic"]:
            state["in_t"] = True

    def end(name):
        name = _local(name)
        if name == "si":
            strings.append(_unescape("".join(parts)))
        elif name == "rPh":
            state["phonetic"] -= 1
        elif name == "t":
            state["in_t"] = False

    def text(data):
        if state["in_t"]:
            parts.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.Parse(data, True)
    return strings


def _number(text: str):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def iter_first_sheet(data: bytes) -> Iterator[tuple[int, list]]:
    """``(row number, [values by column])`` for every row with a cell, in order. Raises
    ``SheetError`` (or zipfile / expat errors) when the workbook is malformed."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    shared = _shared_strings(archive)
    path = _first_sheet_path(archive)
    rows: list[tuple[int, list]] = []
    row: dict[int, object] = {}
    cell = {"column": 0, "type": "n", "text": [], "capture": False, "in_is": False, "phonetic": 0}
    position = {"row": 0, "next_column": 0}

    def start(name, attrs):
        name = _local(name)
        if name == "c":
            reference = attrs.get("r", "")
            match = _CELL_REF.match(reference)
            cell["column"] = _column_index(match.group(1)) if match else position["next_column"]
            if cell["column"] >= MAX_COLUMNS:
                raise SheetError("column beyond XFD")
            cell["type"] = attrs.get("t", "n")
            cell["text"] = []
        elif name == "v" or (name == "t" and cell["in_is"] and not cell["phonetic"]):
            cell["capture"] = True
        elif name == "is":
            cell["in_is"] = True
        elif name == "rPh":
            cell["phonetic"] += 1
        elif name == "row":
            number = attrs.get("r")
            position["row"] = int(number) if number and number.isdigit() else position["row"] + 1
            position["next_column"] = 0
            row.clear()

    def end(name):
        name = _local(name)
        if name in ("v", "t"):
            cell["capture"] = False
        elif name == "is":
            cell["in_is"] = False
        elif name == "rPh":
            cell["phonetic"] -= 1
        elif name == "c":
            text = "".join(cell["text"])
            kind = cell["type"]
            if kind == "s":
                value = shared[int(text)] if text.strip().isdigit() and int(text) < len(shared) else None
            elif kind in ("inlineStr", "str"):
                value = _unescape(text)
            elif kind == "b":
                value = text.strip() == "1"
            elif kind == "e":
                value = None
            else:
                value = _number(text) if text.strip() else None
            if value is not None and value != "":
                row[cell["column"]] = value
            position["next_column"] = cell["column"] + 1
        elif name == "row" and row:
            width = max(row) + 1
            rows.append((position["row"], [row.get(index) for index in range(width)]))

    def text(data):
        if cell["capture"]:
            cell["text"].append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    with archive.open(path) as sheet:
        while True:
            chunk = sheet.read(CHUNK)
            parser.Parse(chunk, not chunk)
            yield from rows
            rows.clear()
            if not chunk:
                break
