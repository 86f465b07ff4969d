"""Printed papers for offline sittings: the paper, its answer key and a blank answer sheet (PDF).

Templates in ``exams/templates/exams/papers/print/`` render through WeasyPrint with the system's
Noto CJK fonts. Nothing is fetched from outside: the URL fetcher serves only files under
MEDIA_ROOT and the static folders (images in stems) and refuses every other address.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from exams.models import Paper, PaperItem, QuestionType
from exams.rendering import QuestionView, question_view
from exams.selectors.papers import paper_items_with_content

KINDS = {
    "paper": "exams/papers/print/paper.html",
    "key": "exams/papers/print/key.html",
    "sheet": "exams/papers/print/sheet.html",
}
CHINESE_NUMERALS = "一二三四五六七八九十"


def section_numeral(index: int) -> str:
    """一, 二, 三 … in Chinese (as Chinese papers number their parts), 1, 2, 3 … otherwise."""
    language = translation.get_language() or ""
    if language.startswith("zh") and index < len(CHINESE_NUMERALS):
        return CHINESE_NUMERALS[index]
    return str(index + 1)


def points_number(value) -> int | Decimal:
    """2.00 → 2, 2.50 → 2.5: points as a number templates can print and pluralise."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


@dataclass
class PrintItem:
    item: PaperItem
    view: QuestionView

    @property
    def points(self) -> int | Decimal:
        return points_number(self.item.points)

    @property
    def option_labels(self) -> list[str]:
        return [option.label for option in self.view.options]


@dataclass
class PrintSection:
    index: int
    numeral: str
    title: str
    instructions: str
    items: list[PrintItem] = field(default_factory=list)

    @property
    def points(self) -> int | Decimal:
        return points_number(sum((p.item.points for p in self.items), Decimal(0)))

    @property
    def choice_items(self) -> list[PrintItem]:
        return [p for p in self.items if p.view.is_choice]

    @property
    def written_items(self) -> list[PrintItem]:
        return [p for p in self.items if not p.view.is_choice]


def print_sections(paper: Paper, *, show_key: bool) -> list[PrintSection]:
    """The paper's sections with each item's display (options in the paper's order): one query."""
    instructions = {s["index"]: s.get("instructions", "") for s in paper.sections}
    sections: dict[int, PrintSection] = {}
    for item in paper_items_with_content(paper):
        section = sections.get(item.section_index)
        if section is None:
            section = sections[item.section_index] = PrintSection(
                index=item.section_index,
                numeral=section_numeral(len(sections)),
                title=item.section_title,
                instructions=instructions.get(item.section_index, ""),
            )
        view = question_view(
            item.question_version,
            question_type=item.question_type,
            name=f"q{item.position}",
            permutation=item.option_order,
            readonly=True,
            show_key=show_key,
        )
        section.items.append(PrintItem(item=item, view=view))
    return list(sections.values())


def _local_file(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file"):
        return None
    path = unquote(parsed.path)
    if path.startswith(settings.MEDIA_URL):
        root = Path(settings.MEDIA_ROOT).resolve()
        candidate = (root / path.removeprefix(settings.MEDIA_URL)).resolve()
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path.removeprefix(settings.STATIC_URL))
        return Path(found) if found else None
    return None


def _fetcher():
    """A WeasyPrint URL fetcher for local files and data: URLs only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            local = _local_file(url)
            if local is None:
                raise ValueError(f"Not a local file: {url}")
            content_type = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, local.read_bytes(), {"Content-Type": content_type})

    return LocalOnlyFetcher()


def paper_pdf(paper: Paper, *, kind: str) -> bytes:
    """``kind``: "paper" (questions, no answers), "key" (answers, explanations, points) or "sheet"
    (a blank answer sheet)."""
    from weasyprint import HTML

    template = KINDS[kind]
    context = {
        "paper": paper,
        "sections": print_sections(paper, show_key=kind == "key"),
        "kind": kind,
        "QuestionType": QuestionType,
        "blank_lines": range(6),
    }
    html = render_to_string(template, context)
    # base_url makes "/media/…" in stems resolvable by the fetcher; nothing leaves the machine.
    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher()).write_pdf()


def paper_pdf_filename(paper: Paper, kind: str) -> str:
    return f"paper-{paper.pk}-{kind}.pdf"
