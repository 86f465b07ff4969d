"""Text normalisation shared by scoring, duplicate detection and search."""

from __future__ import annotations

import re
import unicodedata
from html import escape
from html.parser import HTMLParser

from django.utils.html import strip_tags

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def normalize_answer(text: str) -> str:
    """For fill-in-the-blank matching: full-width → half-width (NFKC), no surrounding or
    repeated spaces, case-insensitive. ``'　ＡＢＣ　１２ '`` and ``'abc 12'`` match."""
    folded = unicodedata.normalize("NFKC", str(text or "")).strip()
    return _SPACES.sub(" ", folded).casefold()


def plain_text(html: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", strip_tags(html or ""))).strip()


def normalize_stem(html: str) -> str:
    """Stem reduced to letters and digits for near-duplicate detection: tags, spaces,
    punctuation and width differences do not make two stems different."""
    return _PUNCTUATION.sub("", plain_text(html)).casefold()


# --- rich-text allowlist ------------------------------------------------------------------------
# Stems and options are trainer-authored (or imported) HTML shown to every examinee, so they are
# reduced to a small allowlist: on save (``question_validate`` cleans stem and options) and again
# when rendered (``exams.rendering``), which protects rows written around the services (bench data,
# raw SQL). Cleaning is idempotent: clean_html(clean_html(x)) == clean_html(x), so re-saving an
# unchanged question changes nothing and never makes a new version. Wagtail's whitelister is not
# used because it rewrites images into ``<embed embedtype="image">`` tags bound to its image model,
# while imported Moodle / GIFT stems carry plain ``<img src>`` references.

_ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "caption", "code", "div", "em", "figcaption", "figure", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_VOID_TAGS = {"br", "hr", "img"}
# Their content is dropped as well as the tag.
_DROPPED_WITH_CONTENT = {
    "button", "embed", "form", "head", "iframe", "math", "noscript", "object", "script", "select", "style",
    "svg", "template", "textarea", "title",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=\s]+$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,4}(%|px)?$")


def _local_url(value: str) -> bool:
    """Same-site paths only: the intranet pages must never reference an external address."""
    value = value.strip()
    return (value.startswith("/") and not value.startswith("//") and "\\" not in value) or value.startswith("#")


def _clean_attribute(tag: str, name: str, value: str | None) -> str | None:
    if name not in _ALLOWED_ATTRIBUTES.get(tag, ()):
        return None
    value = (value or "").strip()
    if name == "src":
        return value if _local_url(value) or _DATA_IMAGE.match(value) else None
    if name == "href":
        return value if _local_url(value) else None
    if name in {"width", "height", "colspan", "rowspan", "start"}:
        return value if _NUMBER.match(value) else None
    if name == "scope":
        return value if value in {"row", "col", "rowgroup", "colgroup"} else None
    return value


class _AllowlistParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping: list[str] = []

    def _start(self, tag: str, attrs, *, closed: bool) -> None:
        if self.dropping:
            if tag in _DROPPED_WITH_CONTENT and not closed and tag not in _VOID_TAGS:
                self.dropping.append(tag)
            return
        if tag in _DROPPED_WITH_CONTENT:
            if not closed:
                self.dropping.append(tag)
            return
        if tag not in _ALLOWED_TAGS:
            return
        kept = []
        for name, value in attrs:
            cleaned = _clean_attribute(tag, name, value)
            if cleaned is not None and name not in {n for n, _v in kept}:
                kept.append((name, cleaned))
        if tag == "img" and not any(name == "src" for name, _v in kept):
            alt = next((v for n, v in kept if n == "alt"), "")
            if alt:
                self.out.append(escape(alt, quote=False))
            return
        if tag == "a" and not kept:
            return  # keep the link text, drop a link to an external or unsafe address
        rendered = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in kept)
        self.out.append(f"<{tag}{rendered}>")
        if tag not in _VOID_TAGS:
            self.open.append(tag)

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, closed=True)

    def handle_endtag(self, tag):
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in self.open:
            # Close anything left open inside it, so the output is always well nested.
            while self.open:
                current = self.open.pop()
                self.out.append(f"</{current}>")
                if current == tag:
                    break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data.replace("\x00", ""), quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def clean_html(html: str) -> str:
    """Trainer-authored rich text reduced to a safe allowlist: paragraphs, emphasis, lists,
    tables, sub/superscript, and images or links to same-site paths (or inline ``data:image``).
    Scripts, styles, event handlers, ``style``/``class`` attributes, comments and external
    addresses are removed; text is escaped. Plain text stays plain text (with ``<`` escaped)."""
    if not html:
        return ""
    html = str(html)
    if "<" not in html and "&" not in html:
        # Plain text (most stems and options): what the parser would output, without parsing.
        return escape(html.replace("\x00", ""), quote=False).strip()
    parser = _AllowlistParser()
    parser.feed(html)
    return parser.result().strip()


# A blank in a fill-in-the-blank stem: three or more underscores, or empty brackets "（ ）" / "( )".
BLANK_MARK = re.compile(r"_{3,}|（[ \u3000\u00a0]*）|\([ \u3000\u00a0]*\)")


def count_blank_marks(html: str) -> int:
    """How many blanks a stem marks (outside tags, so an image file name with ``___`` does not count)."""
    return sum(len(BLANK_MARK.findall(part)) for part in re.split(r"<[^>]*>", html or ""))
