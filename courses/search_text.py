"""Text normalisation shared by the search index (writes) and the search query (reads).

Both sides go through ``normalise`` so that matching is a plain, case-sensitive substring test
that behaves the same on SQLite and PostgreSQL: NFKC folds full-width letters and digits
(ＡＢＣ１２３ → ABC123) and compatibility forms; casefold makes Latin text case-insensitive;
whitespace runs collapse to one space.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def query_terms(query: str) -> list[str]:
    """Distinct normalised terms of a query, in order: whitespace separates terms; every term
    must occur in a result. Long queries are cut rather than rejected."""
    terms: list[str] = []
    for term in normalise(query[:MAX_QUERY_LENGTH]).split(" "):
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def excerpt(text: str, terms: list[str], *, width: int = 120) -> list[tuple[str, bool]]:
    """A window of ``text`` around the first term found, split into (segment, is_match) pairs
    so a template can highlight matches without marking anything safe."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Only use positions when folding kept the length; otherwise fall back to the opening text.
    aligned = len(folded) == len(text)
    start = 0
    if aligned:
        positions = [folded.find(term) for term in terms if term and folded.find(term) >= 0]
        if positions:
            start = max(0, min(positions) - width // 3)
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    if not aligned or not terms:
        return [(prefix + window + suffix, False)]
    folded_window = folded[start : start + width]
    marks = [False] * len(window)
    for term in terms:
        position = folded_window.find(term)
        while term and position >= 0:
            for i in range(position, min(position + len(term), len(window))):
                marks[i] = True
            position = folded_window.find(term, position + len(term))
    segments: list[tuple[str, bool]] = []
    for char, marked in zip(window, marks, strict=True):
        if segments and segments[-1][1] == marked:
            segments[-1] = (segments[-1][0] + char, marked)
        else:
            segments.append((char, marked))
    if prefix:
        segments.insert(0, (prefix, False))
    if suffix:
        segments.append((suffix, False))
    return segments
