"""Moodle XML import (the hand-written sample in fixtures/) and export."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from wagtail.images import get_image_model

from courses.models.choices import Audience
from exams.models import Question, QuestionStatus, QuestionType
from exams.services import questions_import
from exams.services.question_import import FIELD_NAMES
from exams.transfer.common import Position, TransferFileError
from exams.transfer.export import questions_export, questions_for_export
from exams.transfer.moodle import parse_moodle_xml
from tests.exams.transfer_support import bank_snapshot, fixture_bytes

pytestmark = pytest.mark.django_db

SAMPLE = "questions.moodle.xml"


def run(content: bytes, **options):
    return questions_import(file=content, filename="题库.xml", actor="test", **options)


def imported() -> dict[str, Question]:
    """Imported questions by type (the sample has one of each)."""
    return {q.type: q for q in Question.objects.select_related("current_version").prefetch_related("knowledge_points")}


def test_the_sample_is_refused_as_a_whole_because_of_its_matching_question(knowledge_tree):
    before = bank_snapshot()
    result = run(fixture_bytes(SAMPLE))
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.position == str(Position(number=7, name="法律与条文匹配"))
    assert "matching" in error.message
    assert bank_snapshot() == before


def test_the_sample_imports_every_supported_type_when_unsupported_ones_are_skipped(knowledge_tree):
    result = run(fixture_bytes(SAMPLE), skip_unsupported=True)

    assert result.errors == []
    assert (result.created, result.skipped) == (5, 1)
    warnings = " ".join(issue.message for issue in result.warnings)
    assert "matching" in warnings  # reported, not silently dropped
    assert any(issue.position == str(Position(number=6, name="说明")) for issue in result.warnings)
    questions = imported()
    assert set(questions) == set(QuestionType.values)

    single = questions[QuestionType.SINGLE]
    version = single.current_version
    assert version.answer == "B"
    assert [o["key"] for o in version.options] == ["A", "B", "C"]
    assert "<strong>斗殴</strong>" in version.stem
    assert version.legal_basis == "《公安机关办理行政案件程序规定》"
    assert version.explanation.startswith("先控制现场") and "A：应先控制现场。" in version.explanation
    assert (single.difficulty, single.audiences) == (2, [Audience.NEW_OFFICER, Audience.AUXILIARY])
    assert [p.name for p in single.knowledge_points.all()] == ["现场处置"]

    assert questions[QuestionType.MULTIPLE].current_version.answer == ["A", "B"]
    assert questions[QuestionType.TRUE_FALSE].current_version.answer is True
    assert questions[QuestionType.FILL_BLANK].current_version.answer == [["轻伤", "轻伤二级"]]
    assert [p.name for p in questions[QuestionType.FILL_BLANK].knowledge_points.all()] == ["伤情鉴定"]
    essay = questions[QuestionType.SHORT_ANSWER].current_version
    assert essay.reference_answer == "控制现场，救治伤员，固定证据，委托伤情鉴定。"
    assert essay.rubric == "每个要点 2.5 分。"
    assert essay.explanation == "考查伤害案件的受案与鉴定。"


def test_embedded_images_are_stored_on_the_platform_and_the_stem_points_to_them(knowledge_tree):
    run(fixture_bytes(SAMPLE), skip_unsupported=True)
    image = get_image_model().objects.get()
    stem = imported()[QuestionType.SINGLE].current_version.stem
    assert f'src="{image.file.url}"' in stem
    assert image.file.url.startswith(settings.MEDIA_URL)
    assert "@@PLUGINFILE@@" not in stem and "importfile" not in stem
    assert image.width == 8

    # A second import of the same file reuses the stored image.
    run(fixture_bytes(SAMPLE), skip_unsupported=True)
    assert get_image_model().objects.count() == 1


def test_imported_questions_preview_as_an_examinee_sees_them(knowledge_tree):
    run(fixture_bytes(SAMPLE), skip_unsupported=True)
    questions = imported()

    single = render_to_string(
        "exams/includes/question.html", {"version": questions[QuestionType.SINGLE].current_version, "name": "q1"}
    )
    assert "制止违法行为，控制现场" in single and 'type="radio"' in single
    assert "/media/" in single and "<img" in single
    assert "http" not in single
    assert "先控制现场" not in single  # no explanation (or key) before the key is asked for

    multiple = render_to_string(
        "exams/includes/question.html", {"version": questions[QuestionType.MULTIPLE].current_version, "name": "q2"}
    )
    assert multiple.count('type="checkbox"') == 3

    fill = render_to_string(
        "exams/includes/question.html",
        {"version": questions[QuestionType.FILL_BLANK].current_version, "name": "q3", "show_key": True},
    )
    assert 'name="q3-1"' in fill and "轻伤二级" in fill

    essay = render_to_string(
        "exams/includes/question.html", {"version": questions[QuestionType.SHORT_ANSWER].current_version, "name": "q4"}
    )
    assert "<textarea" in essay and "鼻骨骨折" in essay


def test_unknown_categories_are_errors_unless_knowledge_points_may_be_created(db):
    result = run(fixture_bytes(SAMPLE), skip_unsupported=True)
    assert {issue.field for issue in result.errors} == {str(FIELD_NAMES["knowledge_points"])}
    assert any("接处警/现场处置" in issue.message for issue in result.errors)
    assert not Question.objects.exists()

    result = run(fixture_bytes(SAMPLE), skip_unsupported=True, create_knowledge_points=True)
    assert result.created == 5
    assert result.knowledge_points_created == ["接处警/现场处置", "案件办理/伤情鉴定"]


def test_a_hidden_question_imports_as_a_draft(knowledge_tree):
    content = fixture_bytes(SAMPLE).replace(b"<hidden>0</hidden>", b"<hidden>1</hidden>")
    run(content, skip_unsupported=True)
    assert imported()[QuestionType.SINGLE].status == QuestionStatus.DRAFT


@pytest.mark.parametrize(
    ("content", "word"),
    [
        (b'<?xml version="1.0"?><quiz><question type="truefalse"><name>', "XML"),
        (b'<?xml version="1.0"?><html><body>x</body></html>', "<quiz>"),
        (b"%PDF-1.4 not xml", "PDF"),
        ('<?xml version="1.0" encoding="UTF-8"?><quiz><question type="essay">中文'.encode("gbk"), "GBK"),
        (b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "DTD"),
    ],
)
def test_a_broken_file_is_refused_with_one_sentence_and_nothing_written(tmp_path, knowledge_tree, content, word):
    path = tmp_path / "题库.xml"
    path.write_bytes(content)
    before = bank_snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_questions", str(path), "--format", "moodle-xml")
    assert word in str(excinfo.value) and "\n" not in str(excinfo.value)
    assert bank_snapshot() == before


def test_an_invalid_question_is_named_by_index_and_name(knowledge_tree):
    content = b"""<?xml version="1.0" encoding="UTF-8"?>
    <quiz>
      <question type="truefalse"><name><text>\xe6\xad\xa3\xe5\xb8\xb8</text></name>
        <questiontext><text>ok</text></questiontext>
        <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
      </question>
      <question type="multichoice"><name><text>\xe6\xb2\xa1\xe6\x9c\x89\xe7\xad\x94\xe6\xa1\x88</text></name>
        <questiontext><text>q</text></questiontext><single>true</single>
        <answer fraction="0"><text>a</text></answer><answer fraction="0"><text>b</text></answer>
      </question>
    </quiz>"""
    result = run(content)
    assert [issue.position for issue in result.errors] == [str(Position(number=2, name="没有答案"))]
    assert not Question.objects.exists()


def test_a_file_with_only_categories_holds_no_questions(knowledge_tree):
    content = b'<quiz><question type="category"><category><text>$course$/top/x</text></category></question></quiz>'
    with pytest.raises(TransferFileError):
        run(content)


# --- Export ------------------------------------------------------------------------------------


def test_moodle_export_reads_back_as_the_same_questions_in_their_categories(knowledge_tree, make_question):
    make_question(
        QuestionType.SINGLE,
        knowledge_point_ids=[knowledge_tree["证据固定"].pk, knowledge_tree["伤情鉴定"].pk],
        audiences=[Audience.MIDDLE_LEADER],
        difficulty=4,
    )
    make_question(QuestionType.MULTIPLE, knowledge_point_ids=[knowledge_tree["伤情鉴定"].pk])
    make_question(QuestionType.TRUE_FALSE, answer=False)
    make_question(QuestionType.FILL_BLANK)
    make_question(QuestionType.SHORT_ANSWER)
    content = questions_export(questions=questions_for_export(), export_format="moodle-xml")
    assert b"$course$/top/" in content

    parsed = parse_moodle_xml(content)

    assert [item.errors for item in parsed.questions] == [[]] * 5
    by_type = {item.type: item for item in parsed.questions}
    originals = {q.type: q for q in Question.objects.select_related("current_version")}
    for question_type, item in by_type.items():
        version = originals[question_type].current_version
        assert item.answer == version.answer or (
            question_type == QuestionType.SINGLE and [item.answer] == [version.answer]
        )
        assert item.explanation == version.explanation
    single = by_type[QuestionType.SINGLE]
    assert sorted(single.knowledge_paths) == [("接处警", "现场处置", "证据固定"), ("案件办理", "伤情鉴定")]
    assert (single.difficulty, single.audiences) == (4, [Audience.MIDDLE_LEADER])
    assert single.legal_basis == originals[QuestionType.SINGLE].current_version.legal_basis
    essay = by_type[QuestionType.SHORT_ANSWER]
    assert essay.reference_answer == originals[QuestionType.SHORT_ANSWER].current_version.reference_answer
    assert essay.rubric == originals[QuestionType.SHORT_ANSWER].current_version.rubric


def test_a_fill_in_question_with_several_blanks_exports_as_a_moodle_cloze(knowledge_tree, make_question):
    make_question(
        QuestionType.FILL_BLANK,
        stem="<p>拘留后应在____小时内通知家属，____日内提请批捕。</p>",
        answer=[["24", "二十四"], ["3"]],
    )
    content = questions_export(questions=questions_for_export(), export_format="moodle-xml").decode()
    assert 'type="multianswer"' in content
    assert "{1:SHORTANSWER:=24~=二十四}" in content and "{1:SHORTANSWER:=3}" in content


def test_images_travel_inside_the_exported_moodle_file(knowledge_tree):
    run(fixture_bytes(SAMPLE), skip_unsupported=True)
    content = questions_export(questions=questions_for_export(), export_format="moodle-xml")
    assert b'encoding="base64"' in content and b"@@PLUGINFILE@@/" in content
    assert settings.MEDIA_URL.encode() not in content

    (single,) = [item for item in parse_moodle_xml(content).questions if item.type == QuestionType.SINGLE]
    (image,) = single.files.values()
    assert image.sha1 == get_image_model().objects.get().file_hash


def _cloze(text: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><quiz><question type="multianswer"><name><text>完形</text></name>'
        f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext></question></quiz>'
    ).encode()


def test_a_cloze_of_short_answer_fields_imports_as_a_fill_in_with_a_blank_per_field(knowledge_tree):
    content = _cloze("<p>留置不超过{1:SHORTANSWER:=24~=二十四~%50%一天#近似}小时，报请{:SA:=县级\\}}批准。</p>")

    result = run(content)

    assert result.errors == [] and result.created == 1
    assert [issue.field for issue in result.warnings] == [FIELD_NAMES["answer"]]  # the 50% answer left out
    version = Question.objects.get().current_version
    assert version.stem == "<p>留置不超过____小时，报请____批准。</p>"
    assert version.answer == [["24", "二十四"], ["县级}"]]


def test_a_cloze_with_a_choice_field_is_refused_as_unsupported(knowledge_tree):
    content = _cloze("<p>传唤{1:MULTICHOICE:=8~24}小时，{1:SA:=县级}批准。</p>")
    result = run(content)
    assert [issue.field for issue in result.errors] == [FIELD_NAMES["type"]]
    assert "MULTICHOICE" in result.errors[0].message
    assert not Question.objects.exists()
