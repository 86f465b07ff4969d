"""GIFT import (the hand-written sample in fixtures/)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from exams.models import Question, QuestionType
from exams.services import questions_import
from exams.transfer.common import Position
from exams.transfer.gift import parse_gift
from tests.exams.transfer_support import FIXTURES, bank_snapshot, fixture_bytes

pytestmark = pytest.mark.django_db

SAMPLE = "questions.gift"


def run(content: bytes, **options):
    return questions_import(file=content, filename="题库.gift", actor="test", **options)


def test_the_sample_is_refused_as_a_whole_naming_the_unsupported_questions_by_line(knowledge_tree):
    before = bank_snapshot()
    result = run(fixture_bytes(SAMPLE))
    assert [issue.position for issue in result.errors] == [
        str(Position(number=8, line=41, name="匹配")),
        str(Position(number=9, line=47, name="数值")),
    ]
    assert bank_snapshot() == before


def test_the_sample_imports_every_supported_type_when_unsupported_ones_are_skipped(knowledge_tree):
    result = run(fixture_bytes(SAMPLE), skip_unsupported=True)

    assert result.errors == []
    assert (result.created, result.skipped) == (6, 2)
    assert any(issue.position == str(Position(number=7, line=38)) for issue in result.warnings)  # the description
    by_stem = {q.current_version.stem: q for q in Question.objects.select_related("current_version")}
    questions = list(by_stem.values())
    assert sorted(q.type for q in questions) == sorted(
        [*QuestionType.values, QuestionType.FILL_BLANK]  # the escapes question is a one-blank fill-in
    )

    single = next(q for q in questions if q.type == QuestionType.SINGLE).current_version
    assert [o["text"] for o in single.options] == ["询问报警人", "制止违法行为，控制现场", "离开现场等待支援"]
    assert single.answer == "B"
    assert single.explanation == "先控制现场，制止违法行为。\nA：应先控制现场。"

    multiple = next(q for q in questions if q.type == QuestionType.MULTIPLE)
    assert multiple.current_version.answer == ["A", "B"]
    assert "<strong>执法记录仪</strong>" in multiple.current_version.stem  # [html]
    assert [p.name for p in multiple.knowledge_points.all()] == ["现场处置"]

    true_false = next(q for q in questions if q.type == QuestionType.TRUE_FALSE)
    assert true_false.current_version.answer is True
    assert true_false.current_version.explanation == "轻伤以上才构成。\n正确。"
    assert [p.name for p in true_false.knowledge_points.all()] == ["伤情鉴定"]

    missing_word = by_stem["伤情鉴定结论为____的，应当按刑事案件办理。"].current_version
    assert missing_word.answer == [["轻伤", "轻伤二级"]]

    escaped = next(stem for stem in by_stem if stem.startswith("公式"))
    assert "1 + 1 = 2 中的花括号 { } 与冒号: 井号# 波浪线~" in escaped
    assert by_stem[escaped].current_version.answer == [["2", "二"]]

    essay = next(q for q in questions if q.type == QuestionType.SHORT_ANSWER).current_version
    assert "<strong>鼻骨骨折</strong>" in essay.stem  # [markdown]
    assert essay.explanation == "考查伤害案件的受案与鉴定。"


def test_imported_gift_questions_preview_as_an_examinee_sees_them(knowledge_tree):
    run(fixture_bytes(SAMPLE), skip_unsupported=True)
    missing_word = Question.objects.get(type=QuestionType.FILL_BLANK, current_version__stem__startswith="伤情")
    html = render_to_string("exams/includes/question.html", {"version": missing_word.current_version, "name": "q"})
    assert "伤情鉴定结论为" in html and 'name="q-1"' in html
    assert "轻伤二级" not in html  # the key stays hidden
    true_false = Question.objects.get(type=QuestionType.TRUE_FALSE)
    html = render_to_string("exams/includes/question.html", {"version": true_false.current_version, "name": "t"})
    assert html.count('type="radio"') == 2


def test_a_gbk_encoded_file_is_refused_with_one_sentence_and_nothing_written(tmp_path, knowledge_tree):
    path = tmp_path / "题库.gift"
    path.write_bytes(fixture_bytes(SAMPLE).decode("utf-8").encode("gbk"))
    before = bank_snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_questions", str(path))
    assert "GBK" in str(excinfo.value) and "UTF-8" in str(excinfo.value) and "\n" not in str(excinfo.value)
    assert bank_snapshot() == before


def test_a_pdf_renamed_gift_is_refused(tmp_path, knowledge_tree):
    path = tmp_path / "题库.txt"
    path.write_bytes(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(CommandError, match="PDF"):
        call_command("import_questions", str(path), "--format", "gift")


def test_rejected_questions_are_named_by_number_and_line(knowledge_tree):
    content = "\n".join(
        [
            "$CATEGORY: 接处警/现场处置",
            "",
            "::好题::执法记录仪应当全程开启。{T}",
            "",
            "// 没有正确答案",
            "::坏题::下列哪项正确？{~甲 ~乙}",
            "",
            "::未闭合::下列哪项正确？{=甲 ~乙",
        ]
    ).encode()
    result = run(content)
    assert [issue.position for issue in result.errors] == [
        str(Position(number=2, line=6, name="坏题")),
        str(Position(number=3, line=8, name="未闭合")),
    ]
    assert not Question.objects.exists()


def test_blank_lines_inside_an_answer_block_do_not_split_the_question():
    content = "问题一？{\n=甲\n\n~乙\n}\n\n\n问题二是对的。{F}\n".encode()
    questions = parse_gift(content).questions
    assert [(q.type, q.answer, q.position.line) for q in questions] == [
        (QuestionType.SINGLE, "A", 1),
        (QuestionType.TRUE_FALSE, False, 8),
    ]


def test_a_partial_credit_short_answer_keeps_only_full_marks_answers():
    (item,) = parse_gift("24小时以内通知家属，时限是{=24小时 =%50%一天 =二十四小时}。".encode()).questions
    assert item.type == QuestionType.FILL_BLANK
    assert item.answer == [["24小时", "二十四小时"]]
    assert item.stem.endswith("时限是____。")
    assert item.warnings


def test_a_file_in_utf8_with_bom_and_windows_line_ends_is_read():
    content = "\ufeff::甲::问题？{T}\r\n\r\n::乙::问题？{F}\r\n".encode()
    assert [q.answer for q in parse_gift(content).questions] == [True, False]


def test_a_moodle_file_imported_as_gift_is_named_as_such(knowledge_tree):
    with pytest.raises(CommandError, match="Moodle XML"):
        call_command("import_questions", str(FIXTURES / "questions.moodle.xml"), "--format", "gift")
    assert not Question.objects.exists()
