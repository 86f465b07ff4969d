"""Reading an uploaded file safely: the one door every importer goes through.

Personnel, question banks (xlsx, Moodle XML; GIFT shares the byte limit), case quality and
evaluations read their upload here before anything else. Whatever the bytes are — empty, random,
a zip of junk named .xlsx, a workbook cut in half, a zip bomb, XML carrying a DTD or entities, far
too many rows — the importer gets rows (or an XML tree), or one ``ImportFileError`` whose message
is one translated sentence naming the problem. Commands print it and exit 1
(``portal.management.importing.ImportCommand``); pages show it as a form error. Nothing here
writes, so a refused file has changed nothing.

Limits (docs/ARCHITECTURE.md, "Imports"):
- bytes read from an upload: ``max_bytes`` (read with a cap, so a huge file never sits in memory);
- a workbook's parts may unpack to at most ``MAX_UNPACKED_BYTES`` in all, checked from the zip's
  directory before any part is read (a zip bomb is refused at once, not after minutes);
- rows: each importer's ``max_rows``, counted while the sheet streams, so a 50,000-row sheet is
  refused at row ``max_rows + 2`` with memory bounded by the limit, not by the file.

Why DTDs are refused here rather than trusted to each parser: no spreadsheet program writes a DTD
into an .xlsx part and Moodle writes none in its XML, so refusing every DTD before a parser sees the
part rules out entity expansion (billion laughs) and external entities (``file:///etc/passwd``)
whichever XML library a reader uses (openpyxl, expat, ElementTree).
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import IO, Any
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as _defused_fromstring
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 20 * MB
MAX_UNPACKED_BYTES = 200 * MB
_READ_CHUNK = 1 << 16
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # legacy .xls, and password-protected .xlsx (an encrypted OLE package)
_ZIP_SIGNATURE = b"PK\x03\x04"

ERRORS = {
    "empty": _("The file is empty."),
    "too_large": _("The file is larger than %(limit)d MB; split it into smaller files."),
    "ole": _(
        "This is an old-style .xls workbook or a password-protected one; save it as .xlsx (Excel Workbook) "
        "without a password and upload it again."
    ),
    "not_workbook": _(
        "The file is not an Excel workbook (.xlsx); save it as .xlsx from Excel or WPS and upload it again."
    ),
    "not_workbook_kind": _("This is a %(kind)s, not an Excel workbook (.xlsx); choose the right file or format."),
    "zip_not_workbook": _(
        "The file is a ZIP archive but not an Excel workbook (.xlsx) inside; choose the right file or save it "
        "as .xlsx from Excel or WPS."
    ),
    "damaged": _(
        "The workbook is damaged or incomplete (perhaps cut off while copying or uploading); open it in Excel "
        "or WPS, save it again as .xlsx and retry."
    ),
    "unpacked_too_large": _("The workbook unpacks to more than %(limit)d MB; split it into smaller files."),
    "dtd": _(
        "The file contains a DTD or entity declarations, which are refused for safety; save or export it "
        "again and retry."
    ),
    "no_sheets": _("The workbook has no sheets."),
    "too_many_rows": _(
        "The file has more than %(limit)d rows, the limit for this import; split it into smaller files."
    ),
    "not_xml": _("The file is not well-formed XML (line %(line)d, column %(column)d): it is damaged or incomplete."),
    "unknown_column": _("Unknown column; the template's columns are: %(columns)s."),
    "repeated_column": _("This column appears twice."),
    "missing_column": _("Required column is missing."),
    "kind_pdf": _("PDF file"),
    "kind_image": _("image"),
    "kind_binary": _("binary file"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be imported. ``str(error)`` is one sentence for the user."""


def _refuse(key: str, **values: Any) -> ImportFileError:
    message = str(ERRORS[key])
    return ImportFileError(message % values if values else message)


# --- Bytes ------------------------------------------------------------------------------------


def upload_bytes(file: IO[bytes] | bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The upload's bytes, read with a cap: refused when empty or larger than ``max_bytes``."""
    if isinstance(file, bytes):
        data = file
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse("too_large", limit=max_bytes // MB)
    if not data:
        raise _refuse("empty")
    return data


def _kind(data: bytes) -> str | None:
    """What a file that is not a zip looks like, in a word, or None (text)."""
    if data.startswith(b"%PDF"):
        return str(ERRORS["kind_pdf"])
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return str(ERRORS["kind_image"])
    if b"\x00" in data[:4096]:
        return str(ERRORS["kind_binary"])
    return None


# --- Workbooks --------------------------------------------------------------------------------


class _RootReached(Exception):
    pass


class _DoctypeFound(Exception):
    pass


def _refuse_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read one XML part up to its root element: a DTD there (the only place one may sit) is refused."""

    def doctype(*_args):
        raise _DoctypeFound

    def root(*_args):
        raise _RootReached

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        with archive.open(info) as part:
            while chunk := part.read(_READ_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _RootReached:
        return
    except _DoctypeFound:
        raise _refuse("dtd") from None


def workbook_check(data: bytes) -> None:
    """Refuse, with the sentence that names the problem, any bytes that are not a sound .xlsx."""
    if data.startswith(_OLE_SIGNATURE):
        raise _refuse("ole")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(_ZIP_SIGNATURE):
            raise _refuse("damaged")  # a zip whose directory (at the end) is missing: cut short
        kind = _kind(data)
        raise _refuse("not_workbook_kind", kind=kind) if kind else _refuse("not_workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                raise _refuse("zip_not_workbook")
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                raise _refuse("unpacked_too_large", limit=MAX_UNPACKED_BYTES // MB)
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    _refuse_dtd(archive, info)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, expat.ExpatError, OSError, EOFError, RuntimeError, ValueError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError (a RuntimeError): an unknown compression.
        raise _refuse("damaged") from exc


Reader = Callable[[bytes], Iterable[tuple[int, Iterable[Any]]]]


def _openpyxl_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    """openpyxl in read-only mode: cached values, dates as dates (the number formats are read)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise _refuse("no_sheets")
        yield from enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _is_blank(cells: list) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in cells)


def _guarded_rows(data: bytes, reader: Reader, max_rows: int) -> Iterator[tuple[int, list]]:
    seen = 0
    try:
        for number, cells in reader(data):
            cells = list(cells)
            if _is_blank(cells):
                continue
            seen += 1
            if seen > max_rows + 1:  # the header row and max_rows rows below it
                raise _refuse("too_many_rows", limit=max_rows)
            yield number, cells
    except ImportFileError:
        raise
    except MemoryError:
        raise
    except Exception as exc:
        # Whatever a reader trips over inside a malformed part (zip, XML, openpyxl's own checks, a
        # missing relation …) is the file's fault, not the platform's: one sentence, no traceback.
        logger.info("unreadable workbook: %r", exc, exc_info=True)
        raise _refuse("damaged") from exc


def workbook_rows(
    file: IO[bytes] | bytes,
    *,
    max_rows: int,
    max_bytes: int = MAX_UPLOAD_BYTES,
    reader: Reader | None = None,
) -> Iterator[tuple[int, list]]:
    """``(row number, cell values)`` for every row of the first sheet that holds a value, the
    first of them being the header row. The bytes and the package are checked now (raising
    ``ImportFileError``); rows are read lazily, and any problem met while reading them — the sheet
    damaged, more than ``max_rows`` rows below the header — raises ``ImportFileError`` too.

    ``reader`` turns the bytes into ``(row number, values)``; openpyxl by default (dates come out as
    dates), a faster one where a layout has no dates (the question bank's)."""
    data = upload_bytes(file, max_bytes=max_bytes)
    workbook_check(data)
    return _guarded_rows(data, reader or _openpyxl_rows, max_rows)


# --- Header row -----------------------------------------------------------------------------


def header_columns(
    cells: Iterable[Any],
    *,
    fields: Mapping[str, str],
    required: Iterable[str],
    normalise: Callable[[Any], str],
    ignored: Collection[str] = (),
) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """Which column holds which field, read from the header row's ``cells``.

    ``fields`` maps each known header (as ``normalise`` writes it) to its field; empty and
    ``ignored`` headers are passed over. Returns ``{column index: field}`` and the problems as
    ``(header, sentence)`` pairs — an unknown header, a header given twice, a ``required`` header
    missing — which each importer reports on the header row in its own error type. The columns
    are only usable when there is no problem."""
    field_at: dict[int, str] = {}
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        header = normalise(cell)
        if not header or header in ignored:
            continue
        if header not in fields:
            problems.append((header, str(ERRORS["unknown_column"]) % {"columns": "、".join(fields)}))
        elif header in seen:
            problems.append((header, str(ERRORS["repeated_column"])))
        else:
            seen.add(header)
            field_at[index] = fields[header]
    problems.extend((header, str(ERRORS["missing_column"])) for header in required if header not in seen)
    return field_at, problems


def row_values(cells: list, field_at: Mapping[int, str]) -> dict[str, Any] | None:
    """``{field: value}`` of one data row (a short row's missing cells are None); None when every
    value of the importer's columns is blank, so a row filled only in ignored columns is skipped."""
    values = {field: cells[index] if index < len(cells) else None for index, field in field_at.items()}
    return None if _is_blank(list(values.values())) else values


# --- XML --------------------------------------------------------------------------------------


def xml_parse(text: str | bytes):
    """An ElementTree element from XML text; a DTD (so any entity) or malformed XML is refused."""
    try:
        return _defused_fromstring(text, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _refuse("dtd") from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise _refuse("not_xml", line=line, column=column) from exc
