"""The officer's law-enforcement file (执法档案) is a timeline assembled from every area's records.

Each area of certification (and the HR pages later) contributes a function
``file_entries(officer) -> list[FileEntry]`` returning the officer's records in one plain shape,
listed in ``FILE_ENTRY_PROVIDERS`` below; ``officer_file_entries`` merges them newest first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class FileEntry:
    date: datetime.date
    kind: str  # e.g. "qualification", "pool", "evaluation", "court", "points", "talk"
    kind_label: str  # the kind in words, translated
    title: str
    detail: str = ""
    status: str = ""  # short state in words, e.g. "已核实"
    points: Decimal | None = None
    url: str = ""  # a page the viewer may open for the record, if any


FILE_ENTRY_PROVIDERS = [
    "certification.selectors.pool.file_entries",
    "certification.selectors.evaluations.file_entries",
    "certification.selectors.court.file_entries",
    "certification.selectors.points.file_entries",
    "certification.selectors.leaders.file_entries",
]


def officer_file_entries(officer) -> list[FileEntry]:
    entries: list[FileEntry] = []
    for path in FILE_ENTRY_PROVIDERS:
        entries.extend(import_string(path)(officer))
    return sorted(entries, key=lambda entry: entry.date, reverse=True)
