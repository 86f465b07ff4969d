"""Every importer survives any file: the bad-file corpus (tests/badfiles.py) against each importer's
command and upload page. Expected every time: one clear Chinese sentence naming the problem (the
command prints it and fails with CommandError, i.e. exit code 1; the page answers 200 with it as
a form or row error), no traceback, and nothing written."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from certification.models import CaseQualityRecord, EvaluationScore, QuarterlyEvaluation
from courses.models import KnowledgePoint
from exams.models import Answer, Attempt, Question, QuestionType, QuestionVersion
from exams.services import question_create
from exams.transfer.xlsx import HEADERS as QUESTION_HEADERS
from people.models import Unit, User
from portal.models import AuditEntry
from tests import badfiles
from tests.badfiles import BadFile, SheetLayout, workbook_file
from tests.certification.evaluation_support import ITEMS, legal_officer, make_scheme
from tests.exams.conftest import question_content
from tests.exams.paper_sitting_support import fixed_paper_exam
from tests.people.xlsx import HEADERS as PERSONNEL_HEADERS
from tests.people.xlsx import officer_row

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STATION = "西湖分局/北山派出所"


def _question_row(index: int) -> list:
    values = {"题型": "判断", "题干": f"第 {index} 题：执法记录仪应当全程开启。", "答案": "对"}
    return [values.get(header) for header in QUESTION_HEADERS]


LAYOUTS = {
    "personnel": SheetLayout(
        tuple(PERSONNEL_HEADERS), lambda index: officer_row(f"7{index:05d}", f"民警{index}", STATION), 0
    ),
    "questions": SheetLayout(tuple(QUESTION_HEADERS), _question_row, QUESTION_HEADERS.index("编号")),
    "cases": SheetLayout(("案件编号", "警号", "案件日期"), lambda index: [f"A{index:06d}", "200001", "2026-01-15"], 0),
    # Paper-sitting answers: the exam (fixed_paper_exam) has 8 questions.
    "paper": SheetLayout(
        ("警号", "姓名", "试卷", *(str(number) for number in range(1, 9))),
        lambda index: [f"62{index:04d}", "民警", "A", "B", "AC", "对", "错", "24", "A", "C", "D"],
        0,
    ),
    "evaluations": SheetLayout(
        ("警号", "姓名", *[item.name for item in ITEMS]), lambda index: [f"61{index:04d}", "钱一", 30, 15, 40], 0
    ),
}


@dataclass(frozen=True)
class Importer:
    layout: str
    command: tuple[str, ...] | None  # None: the importer has no command
    url: str  # URL name; evaluations' needs the scheme and quarter
    fields: tuple[tuple[str, str], ...] = ()


IMPORTERS = {
    "personnel": Importer("personnel", ("import_personnel",), "people:import"),
    "questions-xlsx": Importer(
        "questions", ("import_questions", "--format", "xlsx"), "exams:question_import", (("format", "xlsx"),)
    ),
    "cases": Importer("cases", ("import_case_quality",), "certification:case_import"),
    "evaluations": Importer("evaluations", None, "certification:evaluation_import"),
    "paper-answers": Importer("paper", None, "exams:paper_import"),
    "questions-moodle": Importer(
        "", ("import_questions", "--format", "moodle-xml"), "exams:question_import", (("format", "moodle-xml"),)
    ),
    "questions-gift": Importer(
        "", ("import_questions", "--format", "gift"), "exams:question_import", (("format", "gift"),)
    ),
}


def _snapshot() -> tuple[int, ...]:
    """Counts of every table an import writes to (and of the audit trail)."""
    return tuple(
        model.objects.count()
        for model in (
            User,
            Unit,
            Question,
            QuestionVersion,
            KnowledgePoint,
            CaseQualityRecord,
            QuarterlyEvaluation,
            EvaluationScore,
            AuditEntry,
            Attempt,
            Answer,
        )
    )


@pytest.fixture
def world(station, officer, trainer, hr):
    """Who uploads, and what the duplicate rows of each layout point at (keys that exist)."""
    scheme = make_scheme(trainer)
    legal = legal_officer(station, "610001", "钱一")
    question = question_create(content=question_content(QuestionType.TRUE_FALSE), actor=trainer)
    return {
        "scheme": scheme,
        "duplicate_key": {
            "personnel": None,
            "questions": question.pk,
            "cases": None,
            "evaluations": legal.police_number,
            "paper": officer.police_number,
        },
        "uploader": {"personnel": hr, "evaluations": trainer},
        "trainer": trainer,
        "officer": officer,
    }


def _cases() -> list:
    cases = []
    for name, importer in IMPORTERS.items():
        if importer.layout:
            cases += [pytest.param(name, file_id, id=f"{name}-{file_id}") for file_id in badfiles.WORKBOOK_FILE_IDS]
        else:
            files = badfiles.moodle_files() if name == "questions-moodle" else badfiles.gift_files()
            cases += [pytest.param(name, bad.id, id=f"{name}-{bad.id}") for bad in files]
    return cases


def _bad_file(name: str, file_id: str, world) -> BadFile:
    importer = IMPORTERS[name]
    if importer.layout:
        layout = LAYOUTS[importer.layout]
        return workbook_file(layout, file_id, duplicate_key=world["duplicate_key"][importer.layout])
    files = badfiles.moodle_files() if name == "questions-moodle" else badfiles.gift_files()
    return next(bad for bad in files if bad.id == file_id)


def _says(text: str, bad: BadFile) -> bool:
    return any(phrase in text for phrase in bad.says)


@pytest.mark.parametrize(("name", "file_id"), [case for case in _cases() if IMPORTERS[case.values[0]].command])
def test_a_bad_file_makes_the_command_fail_with_one_sentence_and_write_nothing(name, file_id, world, tmp_path, capsys):
    bad = _bad_file(name, file_id, world)
    path = tmp_path / bad.filename
    path.write_bytes(bad.content)
    before = _snapshot()
    with pytest.raises(CommandError) as failure:
        call_command(*IMPORTERS[name].command[:1], str(path), *IMPORTERS[name].command[1:])
    printed = capsys.readouterr()
    # A whole-file problem is the error itself; row problems (wrong headers, duplicates) are listed
    # on stderr before "N problem(s) found; nothing was imported".
    assert _says(str(failure.value) + printed.err, bad), (str(failure.value), printed.err)
    assert "Traceback" not in printed.err + printed.out
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "file_id"), _cases())
def test_a_bad_file_on_the_upload_page_is_a_clear_error_not_a_500_and_writes_nothing(name, file_id, world, client):
    bad = _bad_file(name, file_id, world)
    importer = IMPORTERS[name]
    client.force_login(world["uploader"].get(importer.layout, world["trainer"]))
    if importer.layout == "evaluations":
        url = reverse(importer.url, args=[world["scheme"].pk, 1])
    elif importer.layout == "paper":
        url = reverse(importer.url, args=[fixed_paper_exam(world["officer"]).pk])
    else:
        url = reverse(importer.url)
    before = _snapshot()
    response = client.post(url, {"file": SimpleUploadedFile(bad.filename, bad.content), **dict(importer.fields)})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert _says(page, bad), (bad.says, page[-3000:])
    assert _snapshot() == before


def test_the_command_exits_1_with_the_sentence_and_no_traceback(tmp_path):
    """The real process, as an operator runs it: exit code 1, the Chinese sentence, no traceback."""
    path = tmp_path / "人员.xlsx"
    path.write_bytes(badfiles.zip_of_junk_parts())
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    environment.pop("DATABASE_URL", None)
    process = subprocess.run(
        [sys.executable, "manage.py", "import_personnel", str(path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1
    assert "已损坏或不完整" in process.stderr
    assert "Traceback" not in process.stderr
