"""The Chinese catalog is complete and its compiled .mo is current.

Extraction runs `makemessages` on a copy of the source tree, so the committed catalog is compared
with what the code asks for today.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = ["site", "courses", "exams", "certification", "manage.py"]


def _entries(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> polib.POFile:
    tree = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, tree / name)
    (tree / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "-v", "0"],
        cwd=tree,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATA_DIR": str(tree / "data")},
    )
    return polib.pofile(str(tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def test_every_string_in_the_code_is_in_the_chinese_catalog(extracted):
    committed = polib.pofile(str(CATALOG))
    missing = sorted(_entries(extracted) - _entries(committed), key=lambda e: e[1])
    assert not missing, f"{len(missing)} strings missing from {CATALOG.relative_to(ROOT)}: {missing[:20]}"


def test_every_catalog_entry_is_translated():
    committed = polib.pofile(str(CATALOG))
    untranslated = [entry.msgid for entry in committed.untranslated_entries()]
    fuzzy = [entry.msgid for entry in committed.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalog_is_current(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(CATALOG)], check=True)
    committed = CATALOG.with_suffix(".mo")
    assert committed.exists(), "run `python manage.py compilemessages` and commit the .mo"
    assert polib.mofile(str(committed)) is not None
    committed_entries = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(committed))}
    fresh_entries = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(fresh))}
    assert committed_entries == fresh_entries, "the .mo is stale: run `python manage.py compilemessages`"
