"""Text normalisation shared by scoring, duplicate detection and search."""

from __future__ import annotations

import re
import unicodedata

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
