"""What `import_personnel` prints in Chinese: officers are counted as people, and a dry run says
what would be created."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.people.xlsx import officer_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_a_personnel_dry_run_says_who_and_which_units_would_be_created(tmp_path, station, capsys):
    path = tmp_path / "personnel.xlsx"
    path.write_bytes(xlsx_bytes([officer_row("600003", "丙", "西湖分局/新单位")]))

    with translation.override("zh-hans"):
        call_command("import_personnel", str(path), "--dry-run", "--create-units")
    out = capsys.readouterr().out

    assert "将新建 1 人" in out
    assert "将创建的单位：西湖分局/新单位" in out
    assert "已创建" not in out
