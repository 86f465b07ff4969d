"""Importing a quarter's scores from xlsx: the template, all-or-nothing with every bad row named."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from certification.models import EvaluationScore, QuarterlyEvaluation, ReplacementReview
from certification.services.evaluation_import import EvaluationFileError, evaluation_import
from portal.models import AuditEntry
from tests.certification.evaluation_support import brigade_officer, legal_officer, make_scheme, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(station, squad, legal_brigade, officer):
    return {
        "a": legal_officer(station, "610001", "钱一"),
        "b": legal_officer(squad, "610002", "孙二"),
        "brigade": brigade_officer(legal_brigade, "620001", "李三"),
        "plain": officer,
    }


def test_the_template_has_chinese_headers_and_lists_the_legal_officers(trainer, roster):
    from certification.services.evaluation_import import evaluation_template_xlsx

    scheme = make_scheme(trainer)
    sheet = load_workbook(io.BytesIO(evaluation_template_xlsx(scheme))).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["警号", "姓名", "案件审核质量", "执法监督", "单位执法质量", "备注"]
    numbers = {sheet.cell(row=row, column=1).value for row in range(2, sheet.max_row + 1)}
    assert {"610001", "610002", "620001", trainer.police_number} <= numbers
    assert roster["plain"].police_number not in numbers


def test_any_bad_row_writes_nothing_and_each_is_named_then_the_fixed_file_imports(trainer, roster):
    scheme = make_scheme(trainer, bottom_percent=20)
    bad = xlsx_bytes(
        scheme,
        [
            ["610001", "钱一", 36, 18, 45, ""],  # row 2: good
            ["999999", "无名", 30, 15, 40, ""],  # row 3: unknown police number
            [roster["plain"].police_number, "张伟", 30, 15, 40, ""],  # row 4: not a legal officer
            ["610002", "孙二", 41, 15, 40, ""],  # row 5: above the maximum of 40
            ["620001", "李三", "优", None, 40, ""],  # row 6: not a number, and a missing score
            ["610001", "钱一", 30, 15, 40, ""],  # row 7: duplicate
        ],
    )
    result = evaluation_import(scheme=scheme, quarter=1, file=bad, actor=trainer)
    problems = {(error.row, error.column) for error in result.errors}
    assert problems == {
        (3, "警号"),
        (4, "警号"),
        (5, "案件审核质量"),
        (6, "案件审核质量"),
        (6, "执法监督"),
        (7, "警号"),
    }
    assert not QuarterlyEvaluation.objects.exists() and not EvaluationScore.objects.exists()
    assert (
        not AuditEntry.objects.filter(action__startswith="certification.evaluation")
        .exclude(action="certification.evaluation_scheme.created")
        .exists()
    )

    good = xlsx_bytes(
        scheme,
        [
            ["610001", "钱一", 36, 18, 45, "表现突出"],
            ["610002", "孙二", 20, 10, 25, ""],
            ["620001", "李三", 30, 15, 40, ""],
            [trainer.police_number, trainer.name, None, None, None, ""],  # blank: skipped
        ],
    )
    result = evaluation_import(scheme=scheme, quarter=1, file=good, actor=trainer)
    assert not result.errors
    assert (result.created, result.skipped) == (3, 1)
    ranks = dict(QuarterlyEvaluation.objects.values_list("officer__police_number", "rank"))
    assert ranks == {"610001": 1, "620001": 2, "610002": 3}
    assert QuarterlyEvaluation.objects.get(officer=roster["a"]).note == "表现突出"
    assert ReplacementReview.objects.get().officer == roster["b"]
    assert AuditEntry.objects.get(action="certification.evaluation.imported").data["rows"] == 3

    # A corrected file updates in place.
    again = xlsx_bytes(scheme, [["610002", "孙二", 40, 20, 50, ""]])
    result = evaluation_import(scheme=scheme, quarter=1, file=again, actor=trainer)
    assert result.updated == 1
    assert QuarterlyEvaluation.objects.get(officer=roster["b"]).total == Decimal("100.00")
    assert QuarterlyEvaluation.objects.count() == 3


def test_a_dry_run_checks_without_saving(trainer, roster):
    scheme = make_scheme(trainer)
    result = evaluation_import(
        scheme=scheme,
        quarter=2,
        file=xlsx_bytes(scheme, [["610001", "钱一", 36, 18, 45, ""]]),
        actor=trainer,
        dry_run=True,
    )
    assert result.created == 1 and not result.errors
    assert not QuarterlyEvaluation.objects.exists()


def test_missing_and_unknown_columns_are_reported_on_row_one(trainer, roster):
    scheme = make_scheme(trainer)
    data = xlsx_bytes(scheme, [["610001", 36, 18]], headers=["警号", "案件审核质量", "考勤"])
    result = evaluation_import(scheme=scheme, quarter=1, file=data, actor=trainer)
    assert {(error.row, error.column) for error in result.errors} == {(1, "考勤"), (1, "执法监督"), (1, "单位执法质量")}


@pytest.mark.parametrize("content", [b"", "警号,姓名\n610001,钱一\n".encode("gbk"), b"PK\x03\x04broken"])
def test_a_file_that_is_not_xlsx_gets_one_clear_sentence(trainer, content):
    scheme = make_scheme(trainer)
    with translation.override("en"), pytest.raises(EvaluationFileError) as error:
        evaluation_import(scheme=scheme, quarter=1, file=content, actor=trainer)
    message = str(error.value)
    assert message.endswith(".") and message.count(". ") == 0


def test_the_import_page_lists_errors_by_row_and_refuses_a_csv(client, trainer, roster):
    scheme = make_scheme(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(trainer)
    url = reverse("certification:evaluation_import", args=[scheme.pk, 1])
    upload = SimpleUploadedFile("q1.xlsx", xlsx_bytes(scheme, [["610001", "钱一", 99, 18, 45, ""]]))
    page = client.post(url, {"file": upload})
    assert b'data-row="2"' in page.content
    assert "above its maximum" in page.content.decode()
    assert not QuarterlyEvaluation.objects.exists()
    page = client.post(url, {"file": SimpleUploadedFile("q1.csv", b"a,b\n1,2\n")})
    assert "not an Excel workbook" in page.content.decode()
    template = client.get(reverse("certification:evaluation_import_template", args=[scheme.pk, 1]))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_a_row_with_the_importers_own_scores_is_named_and_nothing_is_written(trainer, roster):
    scheme = make_scheme(trainer)
    content = xlsx_bytes(
        scheme,
        [["610001", "钱一", 36, 18, 45, ""], [trainer.police_number, trainer.name, 40, 20, 50, ""]],
    )
    with translation.override("en"):
        result = evaluation_import(scheme=scheme, quarter=1, file=content, actor=trainer)
    assert [(error.row, error.column) for error in result.errors] == [(3, "警号")]
    assert "own evaluation scores" in result.errors[0].message
    assert not QuarterlyEvaluation.objects.exists()
