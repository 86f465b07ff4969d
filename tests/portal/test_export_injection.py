"""Formula injection: text typed by people (officer and unit names, question stems, reasons …) that
starts like an Excel formula comes out of every .xlsx the platform writes as text, unchanged.

``EXPORTS`` lists every download, template, error report, management command and background job
that writes a workbook; ``test_every_workbook_writer_is_in_the_export_list`` fails when code gains a
workbook writer that the list does not cover.
"""

from __future__ import annotations

import ast
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from portal import exports

PAYLOADS = (
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "#N/A",
)
# XML turns a lone carriage return into a line feed when the file is read (openpyxl writes it raw;
# Excel reads it the same way), so "\rx" comes back as "\nx": the one change no xlsx writer avoids.
READ_BACK = {payload.replace("\r", "\n"): payload for payload in PAYLOADS}

# What openpyxl would store as a formula or an error without the text typing: each export that
# carries user text must carry one of these, so the test fails on unfixed code.
MISTYPED_BY_DEFAULT = {payload for payload in PAYLOADS if payload.startswith("=") or payload == "#N/A"}
# Stored types that are not formulas or errors: text (an empty text cell reads as inlineStr), number,
# date, boolean.
PLAIN_TYPES = {"s", "inlineStr", "n", "d", "b"}

REPO = Path(__file__).resolve().parents[2]


def _cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))  # not read-only: data_type is the stored type
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


# --- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "normal"])
def test_formula_like_text_reads_back_as_the_same_text(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s")
    sheet.append(exports.xlsx_row(sheet, PAYLOADS))
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = load_workbook(io.BytesIO(buffer.getvalue()))["s"][1]
    assert [(cell.value, cell.data_type) for cell in row] == [(value, "s") for value in READ_BACK]


def test_numbers_dates_and_plain_text_keep_their_types():
    import pandas as pd

    frame = pd.DataFrame(
        [[1, 2.5, -3, datetime.date(2026, 1, 15), "张伟", "1+1", None]],
        columns=["整数", "小数", "负数", "日期", "姓名", "文本", "空"],
    )
    row = load_workbook(io.BytesIO(exports.xlsx_bytes({"s": frame})))["s"][2]
    assert [(cell.value, cell.data_type) for cell in row] == [
        (1, "n"),
        (2.5, "n"),
        (-3, "n"),
        (datetime.datetime(2026, 1, 15), "d"),
        ("张伟", "s"),
        ("1+1", "s"),
        (None, "n"),
    ]
    assert exports.xlsx_cell(None, float("nan")) is None


def test_control_characters_are_dropped_instead_of_failing_the_export():
    import pandas as pd

    frame = pd.DataFrame([["张\x01伟", "=A1\x0b"]], columns=["姓名", "备注"])
    row = load_workbook(io.BytesIO(exports.xlsx_bytes({"s": frame})))["s"][2]
    assert [(cell.value, cell.data_type) for cell in row] == [("张伟", "s"), ("=A1", "s")]


def test_dataframe_headers_that_look_like_formulas_stay_text():
    import pandas as pd

    content = exports.xlsx_bytes({"s": pd.DataFrame([[1]], columns=["=1+1"])})
    header = load_workbook(io.BytesIO(content))["s"]["A1"]
    assert (header.value, header.data_type) == ("=1+1", "s")


def test_sheet_names_from_labels_are_made_valid_not_refused():
    import pandas as pd

    # A drill-down's sheet is named after its label, which carries unit names: "http://x" or "[一中队]".
    content = exports.xlsx_bytes({"http://x\\[一中队]*?": pd.DataFrame([[1]], columns=["a"])})
    assert load_workbook(io.BytesIO(content)).sheetnames == ["http：／／x＼［一中队］＊？"]


# --- every export ----------------------------------------------------------------------------------

# The text fields the exports carry, each filled with the payloads in turn.
POISONED_FIELDS = {
    "people.User": ["name"],
    "people.Unit": ["name"],
    "courses.KnowledgePoint": ["name"],
    "courses.StudyAssignment": ["course_title"],
    "exams.Exam": ["title"],
    "exams.QuestionVersion": ["stem", "explanation", "legal_basis", "reference_answer", "rubric"],
    "exams.SampledOfficer": ["quota_label"],
    "certification.QualificationType": ["name"],
    "certification.Qualification": ["evidence_note", "reason"],
    "certification.EvaluationScheme": ["title"],
    "certification.EvaluationItem": ["name"],
    "certification.QuarterlyEvaluation": ["note"],
    "certification.CaseQualityRecord": ["case_title", "commendation", "note"],
    "certification.CourtAttendance": ["court", "case", "note"],
    "certification.PointEntry": ["description"],
    "certification.ReminderTalk": ["reason", "summary", "follow_up"],
    "certification.OrganisationalFlag": ["reason", "resolution"],
    "certification.ReserveMember": ["nomination_reason", "decision_note", "end_reason"],
    "certification.PathwayTransition": ["reason"],
    "certification.MentorBinding": ["reason", "end_reason"],
}


def _poison() -> None:
    from django.apps import apps

    for label, fields in POISONED_FIELDS.items():
        model = apps.get_model(label)
        for index, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True)):
            values = {field: PAYLOADS[(index + offset) % len(PAYLOADS)] for offset, field in enumerate(fields)}
            model.objects.filter(pk=pk).update(**values)
    # Make sure the one-officer promotion summary is of an officer whose name is a formula.
    from certification.models import PointEntry

    officer_id = PointEntry.objects.order_by("pk").values_list("officer_id", flat=True).first()
    apps.get_model("people.User").objects.filter(pk=officer_id).update(name=PAYLOADS[0])


def _upload(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    header_cells = [WriteOnlyCell(sheet, value=header) for header in headers]
    for cell in header_cells:
        cell.data_type = "s"  # the uploaded header is text that starts like a formula
    sheet.append(header_cells)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _get(url: str) -> Callable[[Client], bytes]:
    def fetch(client: Client) -> bytes:
        response = client.get(url() if callable(url) else url)
        assert response.status_code == 200, (url, response.status_code)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response["Content-Type"]
        return b"".join(response.streaming_content) if response.streaming else response.content

    return fetch


def _url(name: str, query: str = "", args: Callable[[], list] | None = None) -> Callable[[], str]:
    return lambda: reverse(name, args=args() if args else None) + (f"?{query}" if query else "")


def _evaluation_args() -> list:
    from certification.models import QuarterlyEvaluation

    evaluation = QuarterlyEvaluation.objects.order_by("pk").first()
    return [evaluation.scheme_id, evaluation.quarter]


def _analysis_args() -> list:
    from exams.models import Attempt, AttemptState

    attempt = Attempt.objects.filter(state__in=[AttemptState.GRADED, AttemptState.RELEASED]).order_by("pk").first()
    return [attempt.exam_id]


def _paper_sitting_args() -> list:
    from exams.models import Attempt, AttemptMode

    return [Attempt.objects.filter(mode=AttemptMode.PAPER).order_by("pk").first().exam_id]


def _points_officer_args() -> list:
    from certification.models import PointEntry

    return [PointEntry.objects.order_by("pk").values_list("officer_id", flat=True).first()]


def _overdue_url() -> str:
    from courses.links import index_url

    return index_url("overdue") + "?format=xlsx"


def _personnel_errors(client: Client) -> bytes:
    from tests.people.xlsx import HEADERS, officer_row

    upload = io.BytesIO(_upload([*HEADERS, "=1+1"], [[*officer_row("299999", "张三", "西湖分局"), "x"]]))
    upload.name = "人员.xlsx"
    client.post(reverse("people:import"), {"file": upload})
    return _get(reverse("people:import_errors"))(client)


def _question_report(client: Client) -> bytes:
    from exams.transfer.xlsx import HEADERS

    upload = io.BytesIO(_upload([*HEADERS, '=HYPERLINK("http://x","y")'], [["单选", "题干"]]))
    upload.name = "题库.xlsx"
    client.post(reverse("exams:question_import"), {"file": upload, "format": "xlsx"})
    return _get(reverse("exams:question_import_report"))(client)


def _export_questions_command(client: Client) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bank.xlsx"
        call_command("export_questions", "-o", str(path), stdout=io.StringIO())
        return path.read_bytes()


def _background_job(client: Client) -> bytes:
    from django.test import TestCase, override_settings

    from portal.models import ExportJob

    # The job is queued on commit and run at once (test settings run tasks synchronously).
    with override_settings(PORTAL_EXPORT_INLINE_ROWS=0), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(reverse("people:officer_list_xlsx"))
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.order_by("-pk").first()
    assert job.status == "done", (job.status, job.error)
    return _get(reverse("portal:export_download", args=[job.pk]))(client)


@dataclass(frozen=True)
class Export:
    name: str
    fetch: Callable[[Client], bytes]
    # The workbook writers (file:function calling Workbook / xlsx_bytes / dataframe_download /
    # export_respond) this export goes through.
    writers: tuple[str, ...]
    # Templates with fixed example rows carry no user text: only "no formula cell" is checked.
    carries_user_text: bool = True


EXPORTS = [
    Export(
        "officer list",
        _get(_url("people:officer_list_xlsx")),
        ("site/people/views/officers.py:officer_list_xlsx", "site/portal/services/exports.py:export_respond"),
    ),
    Export(
        "officer list (background job)",
        _background_job,
        ("site/portal/services/exports.py:_export_job_build",),
    ),
    Export(
        "personnel import template",
        _get(_url("people:import_template")),
        ("site/people/personnel_xlsx.py:personnel_template_xlsx",),
        carries_user_text=False,
    ),
    Export("personnel import errors", _personnel_errors, ("site/people/personnel_xlsx.py:personnel_errors_xlsx",)),
    Export(
        "qualification list",
        _get(_url("certification:qualification_list_xlsx")),
        ("certification/views/qualifications.py:qualification_list_xlsx",),
    ),
    Export(
        "qualification dashboard",
        _get(_url("certification:dashboard_qualifications_xlsx")),
        ("certification/views/dashboards.py:dashboard_qualifications_xlsx",),
    ),
    Export(
        "overview dashboard",
        _get(_url("certification:dashboard_overview_xlsx")),
        ("certification/views/dashboards.py:dashboard_overview_xlsx",),
    ),
    Export(
        "dashboard drill-down",
        _get(_url("certification:dashboard_officers_xlsx", "cell=officers")),
        ("certification/views/dashboards.py:dashboard_officers_xlsx",),
    ),
    Export(
        "123 pathway board",
        _get(_url("certification:pathway_board_xlsx")),
        ("certification/views/pathway.py:pathway_board_xlsx",),
    ),
    Export(
        "case-quality records",
        _get(_url("certification:case_list_xlsx")),
        ("certification/views/cases.py:case_list_xlsx",),
    ),
    Export(
        "case-quality import template",
        _get(_url("certification:case_import_template")),
        ("certification/services/case_import.py:case_template_xlsx",),
        carries_user_text=False,
    ),
    Export("reserve pool", _get(_url("certification:pool_export")), ("certification/views/pool.py:pool_export",)),
    Export(
        "quarterly evaluation results",
        _get(_url("certification:evaluation_quarter_xlsx", args=_evaluation_args)),
        ("certification/views/evaluations.py:evaluation_quarter_xlsx",),
    ),
    Export(
        "quarterly evaluation import template",
        _get(_url("certification:evaluation_import_template", args=_evaluation_args)),
        ("certification/services/evaluation_import.py:evaluation_template_xlsx",),
    ),
    Export(
        "middle-leader coverage",
        _get(_url("certification:leader_coverage_xlsx")),
        ("certification/views/leaders.py:leader_coverage_xlsx",),
    ),
    Export(
        "reminder talks",
        _get(_url("certification:leader_talks_xlsx")),
        ("certification/views/leaders.py:leader_talks_xlsx",),
    ),
    Export(
        "court attendance shortfall",
        _get(_url("certification:court_shortfall_xlsx")),
        ("certification/views/court.py:court_shortfall_xlsx",),
    ),
    Export(
        "points summary",
        _get(_url("certification:points_summary_xlsx")),
        ("certification/views/points.py:points_summary_xlsx",),
    ),
    Export(
        "promotion summary",
        _get(_url("certification:promotion_summary_xlsx")),
        ("certification/views/points.py:promotion_summary_xlsx",),
    ),
    Export(
        "promotion summary of one officer",
        _get(_url("certification:promotion_summary_one_xlsx", args=_points_officer_args)),
        ("certification/views/points.py:promotion_summary_one_xlsx",),
    ),
    Export(
        "case-handling indicators",
        _get(_url("certification:indicator_list_xlsx")),
        ("certification/views/points.py:indicator_list_xlsx",),
    ),
    Export(
        "exam item analysis",
        _get(_url("exams:exam_analysis_xlsx", args=_analysis_args)),
        ("exams/services/analysis.py:exam_analysis_export",),
    ),
    Export(
        "paper sitting template (examinees by name)",
        _get(_url("exams:paper_template", args=_paper_sitting_args)),
        ("exams/selectors/paper_sitting.py:paper_template_xlsx",),
    ),
    Export(
        "random-test coverage",
        _get(_url("exams:sampling_coverage_xlsx")),
        ("exams/views/sampling.py:sampling_coverage_xlsx",),
    ),
    Export(
        "question bank export",
        _get(_url("exams:question_export", "format=xlsx")),
        ("exams/transfer/xlsx.py:questions_to_xlsx",),
    ),
    Export(
        "manage.py export_questions",
        _export_questions_command,
        ("exams/transfer/xlsx.py:questions_to_xlsx",),
    ),
    Export(
        "question import template",
        _get(_url("exams:question_import_template")),
        ("exams/transfer/xlsx.py:template_xlsx",),
    ),
    Export("question import report", _question_report, ("exams/transfer/xlsx.py:report_xlsx",)),
    Export("overdue study", _get(_overdue_url), ("courses/reports.py:dataframe_xlsx",)),
]

# Calls that write a workbook; where code calls one, an export exists.
WRITER_CALLS = {"Workbook", "xlsx_bytes", "dataframe_download", "export_respond"}
SOURCE_FOLDERS = ("site", "courses", "exams", "certification")
# The door itself (portal.exports) is tested above; the other writers are what the export list covers.
DOOR = "site/portal/exports.py"


class _WriterCalls(ast.NodeVisitor):
    """``file:function`` of every call to a workbook writer, named by the innermost function."""

    def __init__(self, relative: str):
        self.relative, self.functions, self.sites = relative, ["<module>"], set()

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if callee in WRITER_CALLS:
            self.sites.add(f"{self.relative}:{self.functions[-1]}")
        self.generic_visit(node)


def _writer_call_sites() -> set[str]:
    sites = set()
    for folder in SOURCE_FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if relative == DOOR or "/migrations/" in relative:
                continue
            visitor = _WriterCalls(relative)
            visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
            sites |= visitor.sites
    return sites


def test_every_workbook_writer_is_in_the_export_list():
    covered = {writer for export in EXPORTS for writer in export.writers}
    assert _writer_call_sites() == covered


@pytest.mark.django_db(transaction=False)
def test_every_export_writes_formula_like_text_as_text(client, django_capture_on_commit_callbacks):
    from people.models import User

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    _poison()
    client.force_login(User.objects.get(police_number="admin"))

    problems = {}
    for export in EXPORTS:
        try:
            content = export.fetch(client)
        except Exception as error:  # noqa: BLE001
            problems[export.name] = [repr(error)]
            continue
        not_text, altered, payloads = [], [], set()
        for cell in _cells(content):
            where = f"{cell.parent.title}!{cell.coordinate} {cell.value!r}"
            if cell.data_type not in PLAIN_TYPES:
                not_text.append(f"{where} stored as {cell.data_type!r}")
            elif isinstance(cell.value, str) and cell.value in READ_BACK:
                payloads.add(READ_BACK[cell.value])
            elif isinstance(cell.value, str) and cell.value.lstrip("'") in READ_BACK:
                altered.append(f"{where} altered")
        if not_text or altered:
            problems[export.name] = not_text[:3] + altered[:3]
        elif export.carries_user_text and not payloads & MISTYPED_BY_DEFAULT:
            problems[export.name] = [f"carries no formula-like payload (only {sorted(payloads)}): not a test"]
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())
