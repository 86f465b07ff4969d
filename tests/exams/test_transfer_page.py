"""The trainer's import page, template and report downloads, and the export download."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exams.models import Question, QuestionStatus, QuestionType
from exams.transfer.common import Position
from exams.transfer.xlsx import HEADERS, XLSX_CONTENT_TYPE
from tests.exams.transfer_support import bank_snapshot, fixture_bytes, read_xlsx, sheet_names, xlsx_bytes

pytestmark = pytest.mark.django_db

URL = "/exams/bank/import/"


def row(**overrides):
    values = {"题型": "判断", "题干": "执法记录仪应当全程开启。", "答案": "对", "知识点": "接处警/现场处置"}
    values.update(overrides)
    return values


def upload(client, content: bytes, name: str, **fields):
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return client.post(URL, data)


def test_import_page_is_for_trainers_only(client, officer, trainer):
    assert reverse("exams:question_import") == URL
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("exams:question_import_template")).status_code == 403
    assert client.get(reverse("exams:question_export")).status_code == 403
    client.force_login(trainer)
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("exams:question_import_template") in response.content.decode()


def test_dry_run_shows_what_would_be_created_and_saves_nothing(client, trainer, knowledge_tree):
    client.force_login(trainer)
    before = bank_snapshot()
    response = upload(client, xlsx_bytes([row(), row(题干="辅警可以单独询问。", 答案="错")]), "题库.xlsx", dry_run="on")
    assert response.status_code == 200
    assert response.context["result"].dry_run and response.context["result"].created == 2
    assert 'data-testid="import-summary"' in response.content.decode()
    assert bank_snapshot() == before

    response = upload(client, xlsx_bytes([row(), row(题干="辅警可以单独询问。", 答案="错")]), "题库.xlsx")
    assert response.context["result"].created == 2
    assert Question.objects.filter(type=QuestionType.TRUE_FALSE, status=QuestionStatus.ACTIVE).count() == 2


def test_rejected_rows_are_listed_and_the_report_downloads(client, trainer, knowledge_tree):
    client.force_login(trainer)
    response = upload(client, xlsx_bytes([row(), row(答案="也许")]), "题库.xlsx")
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page
    assert str(Position(row=3)) in page and "也许" in page
    assert not Question.objects.exists()

    report = client.get(reverse("exams:question_import_report"))
    assert report["Content-Type"] == XLSX_CONTENT_TYPE
    rows = read_xlsx(report.content)
    assert rows[1][:2] == [str(Position(row=3)), "答案"]


def test_the_format_is_detected_from_the_file_name_or_chosen(client, trainer, knowledge_tree):
    client.force_login(trainer)
    response = upload(client, fixture_bytes("questions.gift"), "题库.gift", skip_unsupported="on")
    assert response.context["result"].created == 6
    response = upload(client, fixture_bytes("questions.moodle.xml"), "导出文件", format="moodle-xml", dry_run="on")
    assert response.context["result"].errors  # the matching question stops it without --skip-unsupported


def test_a_wrong_file_gets_one_sentence_on_the_form(client, trainer, knowledge_tree):
    client.force_login(trainer)
    response = upload(client, b"%PDF-1.4 fake", "题库.xlsx")
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and "PDF" in errors[0]
    response = upload(client, b"whatever", "题库.docx")
    assert response.context["form"].errors["file"]
    assert not Question.objects.exists()


def test_template_download_lists_the_existing_knowledge_points(client, trainer, knowledge_tree):
    client.force_login(trainer)
    response = client.get(reverse("exams:question_import_template"))
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert read_xlsx(response.content)[0] == HEADERS
    assert sheet_names(response.content) == ["题目", "说明", "知识点"]
    assert ["接处警/现场处置/证据固定"] in read_xlsx(response.content, 2)


def test_export_download_applies_the_filters(client, trainer, knowledge_tree, make_question):
    kept = make_question(QuestionType.SINGLE, knowledge_point_ids=[knowledge_tree["证据固定"].pk])
    make_question(QuestionType.SINGLE, knowledge_point_ids=[knowledge_tree["伤情鉴定"].pk])
    make_question(QuestionType.TRUE_FALSE, knowledge_point_ids=[knowledge_tree["证据固定"].pk])
    client.force_login(trainer)
    response = client.get(
        reverse("exams:question_export"), {"type": "single", "knowledge_point": knowledge_tree["接处警"].pk}
    )
    rows = read_xlsx(response.content)
    assert [r[HEADERS.index("编号")] for r in rows[1:]] == [kept.pk]

    response = client.get(reverse("exams:question_export"), {"format": "moodle-xml", "id": str(kept.pk)})
    assert response["Content-Type"] == "application/xml"
    assert response.content.count(b'<question type="multichoice">') == 1


def test_the_bank_page_offers_a_gift_export_that_keeps_its_filters(client, trainer, knowledge_tree, make_question):
    kept = make_question(QuestionType.FILL_BLANK, knowledge_point_ids=[knowledge_tree["证据固定"].pk])
    make_question(QuestionType.SINGLE, knowledge_point_ids=[knowledge_tree["证据固定"].pk])
    client.force_login(trainer)
    page = client.get(reverse("exams:bank_list"), {"type": "fill_blank"}).content.decode()
    link = next(
        href.replace("&amp;", "&")
        for href in page.split('href="')[1:]
        if href.startswith(reverse("exams:question_export")) and "format=gift" in href
    ).split('"')[0]

    response = client.get(link)

    assert response["Content-Type"].startswith("text/plain")
    assert ".gift" in response["Content-Disposition"]
    text = response.content.decode()
    assert f"[id:{kept.uid}]" in text and text.count("::") == 2  # one question, with its title
