"""What `import_questions` prints in Chinese: questions are counted as questions (道), not people,
and a dry run says what would be created rather than what was."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from courses.models import KnowledgePoint
from tests.exams.transfer_support import xlsx_bytes

pytestmark = pytest.mark.django_db


def _row(stem: str) -> dict:
    return {
        "题型": "单选",
        "题干": stem,
        "选项A": "立即受理并登记",
        "选项B": "让报警人自行协商",
        "答案": "A",
        "知识点": "执法监督/电子组卷",
    }


@pytest.fixture
def question_file(tmp_path, knowledge_tree):
    path = tmp_path / "题库.xlsx"
    path.write_bytes(xlsx_bytes([_row("民警接到报警后，应当首先做什么？"), _row("电子卷宗应当何时上传？")]))
    return str(path)


def test_a_dry_run_says_what_would_be_created_in_chinese(question_file, capsys):
    with translation.override("zh-hans"):
        call_command("import_questions", question_file, "--dry-run", "--create-knowledge-points")
    out = capsys.readouterr().out

    assert "将新建 2 道试题" in out
    assert "将创建的知识点：执法监督/电子组卷" in out
    assert "人" not in out and "已创建" not in out
    assert not KnowledgePoint.objects.filter(name="电子组卷").exists()


def test_an_import_counts_questions_in_chinese(question_file, capsys):
    with translation.override("zh-hans"):
        call_command("import_questions", question_file, "--create-knowledge-points")
    out = capsys.readouterr().out

    assert "新建 2 道试题" in out and "已创建知识点：执法监督/电子组卷" in out
    assert "人" not in out
