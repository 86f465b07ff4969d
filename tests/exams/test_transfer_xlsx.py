"""Question import and export as Excel workbooks: template, row errors, round trip."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from courses.models import KnowledgePoint
from courses.models.choices import Audience, Tier
from exams.models import Question, QuestionStatus, QuestionType, QuestionVersion
from exams.services import question_mark_drawn, questions_import
from exams.transfer.common import Position, TransferFileError
from exams.transfer.export import questions_export, questions_for_export
from exams.transfer.xlsx import HEADERS, template_xlsx
from portal.models import AuditEntry
from tests.exams.transfer_support import bank_snapshot, read_xlsx, sheet_names, xlsx_bytes

pytestmark = pytest.mark.django_db

PATH = "接处警/现场处置/证据固定"


def run(content: bytes, **options):
    return questions_import(file=content, filename="题库.xlsx", actor="test", **options)


def single_row(**overrides):
    row = {
        "题型": "单选",
        "题干": "民警接到报警后，应当首先做什么？",
        "选项A": "立即受理并登记",
        "选项B": "让报警人自行协商",
        "选项C": "等待上级指示",
        "答案": "A",
        "知识点": PATH,
    }
    row.update(overrides)
    return row


def export_xlsx() -> bytes:
    return questions_export(questions=questions_for_export(), export_format="xlsx")


# --- Template ----------------------------------------------------------------------------------


def test_template_has_the_chinese_headers_one_example_per_type_and_instructions():
    content = template_xlsx(knowledge_paths=["接处警", PATH])
    rows = read_xlsx(content)
    for header in ["题型", "题干", *[f"选项{k}" for k in "ABCDEFGH"], "答案", "解析", "知识点", "难度", "级别"]:
        assert header in rows[0]
    assert {"适用对象", "法律依据", "参考答案", "评分要点", "状态", "编号"} <= set(rows[0])
    assert [row[0] for row in rows[1:6]] == ["单选", "多选", "判断", "填空", "简答"]
    assert sheet_names(content) == ["题目", "说明", "知识点"]
    instructions = " ".join(str(cell) for row in read_xlsx(content, 1) for cell in row if cell)
    for value in ("基本级", "中级", "高级", "全警", "新警", "辅警", "中层领导", "法制员", "对/错", "轻伤|轻伤二级；24"):
        assert value in instructions
    assert [row[0] for row in read_xlsx(content, 2)[1:]] == ["接处警", PATH]


def test_template_examples_import_as_one_question_of_each_type(knowledge_tree):
    result = run(template_xlsx(knowledge_paths=[PATH]))
    assert result.errors == []
    assert result.created == 5
    by_type = {q.type: q for q in Question.objects.select_related("current_version")}
    assert set(by_type) == set(QuestionType.values)
    fill = by_type[QuestionType.FILL_BLANK]
    assert fill.current_version.answer == [["轻伤", "轻伤二级", "轻伤一级"], ["24"]]
    assert fill.tier == Tier.INTERMEDIATE
    assert by_type[QuestionType.MULTIPLE].current_version.answer == ["A", "B", "C"]
    assert by_type[QuestionType.MULTIPLE].audiences == [Audience.NEW_OFFICER, Audience.AUXILIARY]
    assert by_type[QuestionType.TRUE_FALSE].current_version.answer is False
    essay = by_type[QuestionType.SHORT_ANSWER].current_version
    assert essay.reference_answer.startswith("1. 制止违法行为") and "3 分" in essay.rubric
    assert set(by_type[QuestionType.SINGLE].knowledge_points.values_list("name", flat=True)) == {"证据固定"}


# --- Errors ------------------------------------------------------------------------------------


def test_rejected_rows_are_reported_with_their_row_and_column_and_nothing_is_written(knowledge_tree):
    before = bank_snapshot()
    content = xlsx_bytes(
        [
            single_row(题型="选择"),  # row 2
            single_row(答案="E"),  # row 3
            single_row(知识点="接处警/无此知识点"),  # row 4
            single_row(难度="很难"),  # row 5
            single_row(题干="一道没有问题的题目"),  # row 6
            {"题型": "填空", "题干": "拘留后应在____小时内通知家属，____日内提请批捕。", "答案": "24"},  # row 7
        ]
    )
    result = run(content)
    where = {(issue.position, issue.field) for issue in result.errors}
    assert (str(Position(row=2)), "题型") in where
    assert (str(Position(row=3)), "答案") in where
    assert (str(Position(row=4)), "知识点") in where
    assert (str(Position(row=5)), "难度") in where
    assert (str(Position(row=7)), "答案") in where
    assert not any(issue.position == str(Position(row=6)) for issue in result.errors)
    assert any("接处警/无此知识点" in issue.message for issue in result.errors)
    assert bank_snapshot() == before


def test_unknown_knowledge_points_are_created_only_when_asked(knowledge_tree):
    content = xlsx_bytes([single_row(知识点="执法监督/电子组卷；接处警/现场处置")])
    assert run(content).errors
    dry = run(content, create_knowledge_points=True, dry_run=True)
    assert dry.errors == [] and dry.knowledge_points_created == ["执法监督/电子组卷"]
    assert not KnowledgePoint.objects.filter(name="电子组卷").exists()

    result = run(content, create_knowledge_points=True)
    assert result.created == 1
    point = KnowledgePoint.objects.get(name="电子组卷")
    assert point.get_parent().name == "执法监督"
    question = Question.objects.get()
    assert set(question.knowledge_points.values_list("name", flat=True)) == {"电子组卷", "现场处置"}


def test_a_missing_required_column_is_reported_on_row_1(knowledge_tree):
    headers = [header for header in HEADERS if header != "题型"] + ["出题人"]
    result = run(xlsx_bytes([single_row()], headers=headers))
    assert {(issue.field, issue.position) for issue in result.errors} == {
        ("题型", str(Position(row=1))),
        ("出题人", str(Position(row=1))),
    }
    assert not Question.objects.exists()


def test_a_row_numbering_a_question_that_does_not_exist_is_added_as_new_with_a_warning(knowledge_tree):
    result = run(xlsx_bytes([single_row(编号=987654)]))
    assert result.errors == []
    assert result.created == 1
    assert [issue.field for issue in result.warnings] == ["编号"]
    assert "987654" in result.warnings[0].message
    assert Question.objects.get().pk != 987654


def test_an_identifier_that_is_not_one_is_an_error_and_one_used_twice_too(knowledge_tree):
    uid = "0b6a3c52-6f3e-4d8e-9a51-2d1f0c9e7b11"
    result = run(
        xlsx_bytes(
            [
                single_row(标识="第17题"),
                single_row(题干="另一道题：接警后应当做什么？", 标识=uid),
                single_row(题干="第三道题：出警后应当做什么？", 标识=uid),
            ]
        )
    )
    assert [(issue.position, issue.field) for issue in result.errors] == [
        (str(Position(row=2)), "标识"),
        (str(Position(row=4)), "标识"),
    ]
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("content", "word"),
    [
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "PDF"),
        ("::题目::问题{=答案}".encode(), "xlsx"),
        (b"", ""),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_with_one_sentence(tmp_path, knowledge_tree, content, word):
    path = tmp_path / "题库.xlsx"
    path.write_bytes(content)
    before = bank_snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_questions", str(path), "--format", "xlsx")
    message = str(excinfo.value)
    assert word in message and message.count("\n") == 0
    assert bank_snapshot() == before


def test_external_images_are_removed_with_a_warning_and_scripts_dropped(knowledge_tree):
    stem = '<p>看图作答<img src="http://example.com/a.png"><script>alert(1)</script></p>'
    result = run(xlsx_bytes([single_row(题干=stem)]))
    assert result.errors == []
    assert any("http://example.com/a.png" in issue.message for issue in result.warnings)
    stored = Question.objects.get().current_version.stem
    assert "example.com" not in stored and "script" not in stored and "看图作答" in stored


# --- Warnings ----------------------------------------------------------------------------------


def test_near_duplicates_of_the_bank_and_within_the_file_are_warned_not_rejected(knowledge_tree, make_question):
    existing = make_question(QuestionType.SINGLE, stem="<p>民警接到报警后，应当首先做什么？</p>")
    content = xlsx_bytes(
        [
            single_row(题干="民警接到报警后应当首先做什么"),  # row 2: same as the bank's, other punctuation
            single_row(题干="询问笔录应当由谁签名？"),  # row 3
            single_row(题干="询问笔录应当由谁签名?"),  # row 4: same as row 3
        ]
    )
    result = run(content)
    assert result.errors == [] and result.created == 3
    messages = {issue.position: issue.message for issue in result.warnings}
    assert str(existing.pk) in messages[str(Position(row=2))]
    assert str(Position(row=3)) in messages[str(Position(row=4))]
    assert str(Position(row=3)) not in messages


# --- Round trip --------------------------------------------------------------------------------


@pytest.fixture
def bank(knowledge_tree, make_question):
    """One question of each type, with the things that tend to get lost on the way."""
    questions = [
        make_question(
            QuestionType.SINGLE,
            stem="<p>依据《治安管理处罚法》，A &amp; B 两人<strong>互殴</strong>的，应当如何处理？</p>",
            knowledge_point_ids=[knowledge_tree["证据固定"].pk, knowledge_tree["伤情鉴定"].pk],
            audiences=[Audience.NEW_OFFICER, Audience.LEGAL_OFFICER],
            tier=Tier.ADVANCED,
            difficulty=5,
        ),
        make_question(QuestionType.MULTIPLE, stem="第一行\n第二行：1 &lt; 2 时选哪些？"),
        make_question(QuestionType.TRUE_FALSE, answer=False, explanation="第一段。\n\n第二段。"),
        make_question(
            QuestionType.FILL_BLANK,
            stem="<p>拘留后应在____小时内通知家属，____日内提请批捕。</p>",
            answer=[["24", "二十四"], ["3", "三"]],
        ),
        make_question(QuestionType.SHORT_ANSWER, status=QuestionStatus.DRAFT, legal_basis=""),
        make_question(QuestionType.SINGLE, status=QuestionStatus.RETIRED),
        make_question(QuestionType.SINGLE, options=[{"text": "=SUM(1,1)"}, {"text": "二"}], answer="B"),
    ]
    question_mark_drawn(version_ids=[questions[0].current_version_id])
    return questions


def test_an_exported_workbook_imports_back_creating_and_updating_nothing(bank):
    content = export_xlsx()
    rows = read_xlsx(content)
    assert rows[0] == HEADERS and len(rows) == 1 + len(bank)
    before = bank_snapshot()
    versions = list(QuestionVersion.objects.order_by("pk").values())

    result = run(content)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(bank))
    assert bank_snapshot() == before
    assert list(QuestionVersion.objects.order_by("pk").values()) == versions
    assert not AuditEntry.objects.filter(action="exams.question.updated").exists()


def test_an_edited_export_updates_only_what_changed_with_a_new_version_when_drawn(bank):
    drawn = bank[0]
    workbook = load_workbook(io.BytesIO(export_xlsx()))
    sheet = workbook.active
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=columns["编号"]).value == drawn.pk:
            sheet.cell(row=row, column=columns["题干"]).value = "修改后的题干：两人互殴应当如何处理？"
            sheet.cell(row=row, column=columns["难度"]).value = 4
        if sheet.cell(row=row, column=columns["编号"]).value == bank[5].pk:
            sheet.cell(row=row, column=columns["状态"]).value = "启用"
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(buffer.getvalue())

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 2, len(bank) - 2)
    drawn.refresh_from_db()
    assert drawn.current_version.number == 2 and "修改后的题干" in drawn.current_version.stem
    assert drawn.versions.get(number=1).in_use and "互殴" in drawn.versions.get(number=1).stem
    assert drawn.difficulty == 4
    assert Question.objects.get(pk=bank[5].pk).status == QuestionStatus.ACTIVE


def test_editing_a_retired_question_in_a_workbook_is_refused(bank):
    retired = bank[5]
    workbook = load_workbook(io.BytesIO(export_xlsx()))
    sheet = workbook.active
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=columns["编号"]).value == retired.pk:
            sheet.cell(row=row, column=columns["解析"]).value = "新的解析"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(buffer.getvalue())
    assert [issue.field for issue in result.errors] == ["状态"]


# --- Command -----------------------------------------------------------------------------------


def test_command_dry_run_prints_the_counts_and_writes_nothing(tmp_path, knowledge_tree, capsys):
    path = tmp_path / "题库.xlsx"
    path.write_bytes(xlsx_bytes([single_row(), single_row(题干="另一道题")]))
    before = bank_snapshot()
    call_command("import_questions", str(path), "--dry-run")
    assert "2" in capsys.readouterr().out
    assert bank_snapshot() == before
    call_command("import_questions", str(path), "--format", "xlsx")
    assert Question.objects.count() == 2


def test_command_lists_every_rejected_row_and_exits_non_zero(tmp_path, knowledge_tree, capsys):
    path = tmp_path / "题库.xlsx"
    path.write_bytes(xlsx_bytes([single_row(), single_row(答案="")]))
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))
    assert f"{Position(row=3)} [答案]" in capsys.readouterr().err
    assert not Question.objects.exists()


def test_export_command_filters_and_writes_the_import_layout(tmp_path, bank):
    path = tmp_path / "out.xlsx"
    call_command("export_questions", "-o", str(path), "--status", "草稿", "--status", "停用")
    rows = read_xlsx(path.read_bytes())
    assert rows[0] == HEADERS
    assert sorted(row[HEADERS.index("编号")] for row in rows[1:]) == [bank[4].pk, bank[5].pk]


def test_import_rejects_an_unknown_extension_without_a_format(tmp_path):
    with pytest.raises(TransferFileError):
        questions_import(file=b"x", filename="题库.docx", actor="test")


def test_the_sheet_reader_handles_what_excel_and_wps_write():
    """Shared strings with formatting runs and phonetic hints, escaped characters, booleans,
    numbers, cached formula results and skipped cells, as Excel / WPS save them."""
    import zipfile

    from exams.transfer.sheet import iter_first_sheet

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
        '<sheet name="题目" sheetId="1" r:id="rId7"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId7" Type="x" Target="worksheets/data.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}"><si><t>题型</t></si>'
        "<si><r><rPr><b/></rPr><t>民警</t></r><r><t>出警_x000D_\n处置</t></r>"
        "<rPh><t>ミン</t></rPh></si></sst>",
        "xl/worksheets/data.xml": f'<x:worksheet xmlns:x="{main}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="A4" t="b"><x:v>1</x:v></x:c><x:c r="B4"><x:v>3.0</x:v></x:c>'
        '<x:c r="D4" t="str"><x:f>A1</x:f><x:v>公式结果</x:v></x:c>'
        '<x:c r="E4" t="inlineStr"><x:is><x:t>内联</x:t></x:is></x:c></x:row>'
        "</x:sheetData></x:worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    assert list(iter_first_sheet(buffer.getvalue())) == [
        (1, ["题型", None, "民警出警\r\n处置"]),
        (4, [True, 3, None, "公式结果", "内联"]),
    ]
