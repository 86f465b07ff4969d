"""HTML in imported questions, and the plain-text ↔ HTML conventions of the xlsx layout.

The bank stores stems, options and the other texts as rich text rendered by
``exams.rendering.rich_text``: HTML reduced to an allow-list by ``exams.text.clean_html``, or plain
text (no tag; ``<`` and ``&`` escaped) whose line breaks are kept. ``question_validate`` cleans stems
and options on save.

Imports first pass every text through ``sanitize_html`` here. It keeps the same kind of allow-list
but, unlike ``clean_html``, hands every image and link source to the caller: files embedded in the
import become local URLs, and anything pointing outside the platform is removed *and reported* (the
intranet has no internet; pages must not reference external URLs).

In a spreadsheet, a cell is read like the bank's editor reads it: HTML if it has tags, plain text
otherwise. ``html_to_cell`` is the inverse used on export — plain text whenever it reads back to the
same stored text — so an exported file imports back unchanged.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

from exams.text import clean_html

ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
VOID_TAGS = {"br", "col", "hr", "img"}
# Content dropped together with the tag (not just the tag): it is code or styling, never text.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "head", "title"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
}

_HTML_SIGNS = re.compile(
    r"</?(?:" + "|".join(sorted(ALLOWED_TAGS)) + r")\b[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});",
    re.IGNORECASE,
)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|div|li|tr|h[1-6]|blockquote|pre|table|ul|ol)\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_LOCAL_URL = re.compile(r"^(?:/(?!/)|#)")

# src → new src (or None to drop the image / link target).
UrlResolver = Callable[[str], "str | None"]


def looks_like_html(text: str) -> bool:
    return bool(text) and bool(_HTML_SIGNS.search(text))


def text_to_html(text: str) -> str:
    """Plain text → stored plain text: escaped, line breaks kept (the renderer turns them into
    paragraphs)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return html.escape(text, quote=False)


def is_local_url(url: str) -> bool:
    return bool(_LOCAL_URL.match(url.strip()))


class _Sanitizer(HTMLParser):
    def __init__(self, resolve_url: UrlResolver | None, notes: list[str]):
        super().__init__(convert_charrefs=True)
        self.resolve_url = resolve_url
        self.notes = notes
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def _resolve(self, url: str) -> str | None:
        url = (url or "").strip()
        if not url:
            return None
        if self.resolve_url is not None:
            return self.resolve_url(url)
        return url if is_local_url(url) else None

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            if tag not in VOID_TAGS:
                self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        kept: list[tuple[str, str]] = []
        for name, value in attrs:
            if name not in allowed or value is None:
                continue
            if name in ("src", "href"):
                resolved = self._resolve(value)
                if resolved is None:
                    if tag == "img":
                        self.notes.append(value)
                        return  # an image we cannot show locally is removed entirely
                    continue  # a link to the outside keeps its text, loses its target
                value = resolved
            kept.append((name, value))
        if tag == "img" and not any(name == "src" for name, _value in kept):
            return
        rendered = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in kept)
        self.out.append(f"<{tag}{rendered}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in DROPPED_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in ALLOWED_TAGS or tag in VOID_TAGS or tag not in self.open:
            return
        while self.open:
            current = self.open.pop()
            self.out.append(f"</{current}>")
            if current == tag:
                break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out).strip()


def sanitize_html(value: str, *, resolve_url: UrlResolver | None = None, removed: list[str] | None = None) -> str:
    """Allow-listed, well-nested HTML. ``resolve_url`` maps each ``src``/``href`` to the URL to keep
    (None removes it; by default only local URLs survive). Removed image sources are appended to
    ``removed`` so the caller can say so."""
    if "<" not in (value or "") and "&" not in (value or ""):
        return html.escape(value or "", quote=False).strip()  # plain text: nothing to parse
    parser = _Sanitizer(resolve_url, removed if removed is not None else [])
    parser.feed(value or "")
    return parser.result()


def cell_to_html(value: str, *, resolve_url: UrlResolver | None = None, removed: list[str] | None = None) -> str:
    """A spreadsheet cell (or a Moodle / GIFT text in its default format) → the stored text."""
    return sanitize_html((value or "").replace("\r\n", "\n").strip(), resolve_url=resolve_url, removed=removed)


def canonical_html(stored: str) -> str:
    """What a stored stem or option amounts to, for "did the import change anything?"."""
    return clean_html(sanitize_html(stored or "", resolve_url=lambda url: url))


def html_to_cell(stored: str) -> str:
    """The cell text that imports back to ``stored``: plain text when possible, else as stored."""
    stored = (stored or "").strip()
    if "<" in stored or "&" not in stored:
        return stored
    candidate = html.unescape(stored)
    return candidate if canonical_html(candidate) == canonical_html(stored) else stored


def html_to_text(value: str) -> str:
    """HTML → plain text for the plain-text fields (explanation, legal basis, rubric …)."""
    if not looks_like_html(value or ""):
        return (value or "").replace("\r\n", "\n").strip()
    text = _BR.sub("\n", value)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


_MD_STRONG = re.compile(r"\*\*(.+?)\*\*")
_MD_EM = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\*)")
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_MD_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")


def markdown_to_html(text: str) -> str:
    """The basic Markdown GIFT's ``[markdown]`` marker is used for: paragraphs, line breaks,
    headings, bullet and numbered lists, **bold**, *italic* and `code`. Anything else stays text."""

    def inline(line: str) -> str:
        line = html.escape(line, quote=False)
        line = _MD_CODE.sub(r"<code>\1</code>", line)
        line = _MD_STRONG.sub(r"<strong>\1</strong>", line)
        return _MD_EM.sub(r"<em>\1</em>", line)

    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    out = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        heading = _MD_HEADING.match(lines[0])
        if len(lines) == 1 and heading:
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif all(_MD_ITEM.match(line) for line in lines):
            tag = "ol" if re.match(r"^\s*\d", lines[0]) else "ul"
            items = "".join(f"<li>{inline(_MD_ITEM.match(line).group(1))}</li>" for line in lines)
            out.append(f"<{tag}>{items}</{tag}>")
        else:
            out.append("<p>" + "<br>".join(inline(line.strip()) for line in lines) + "</p>")
    return "".join(out)
