"""Export → import returns every question of the bank unchanged, in each of the three formats, into
an emptied bank (and an xlsx export imports into another installation whose numbers differ)."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from openpyxl import load_workbook
from PIL import Image as PILImage
from wagtail.images import get_image_model

from courses.models import KnowledgePoint
from courses.models.choices import Audience, Tier
from exams.demo import questions as demo_questions
from exams.models import Question, QuestionKnowledgePoint, QuestionStatus, QuestionType
from exams.services import question_create, questions_import
from exams.services.questions import QuestionContent
from exams.transfer.export import knowledge_point_names, questions_export, questions_for_export
from portal.demo import DemoContext

pytestmark = pytest.mark.django_db

FILENAMES = {"xlsx": "题库.xlsx", "moodle-xml": "题库.xml", "gift": "题库.gift"}
FIELDS = (
    "uid",
    "type",
    "status",
    "difficulty",
    "tier",
    "audiences",
    "knowledge_points",
    "stem",
    "options",
    "answer",
    "explanation",
    "legal_basis",
    "reference_answer",
    "rubric",
)


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def demo_bank(trainer) -> list[Question]:
    """The seed_demo bank plus what the demo lacks: an image, HTML, a retired question, several
    knowledge points, characters that mean something in GIFT and Moodle cloze."""
    demo_questions.build(DemoContext(accounts={"trainer": trainer}))
    points = {names: pk for pk, names in knowledge_point_names().items()}
    two_points = [points[("接处警", "出警处置", "现场控制")], points[("案件办理", "鉴定", "伤情鉴定")]]
    png = _png()
    image = get_image_model()(
        title="现场照片",
        file=ImageFile(io.BytesIO(png), name="scene.png"),
        file_hash=hashlib.sha1(png).hexdigest(),  # noqa: S324 - as an upload in the admin sets it
    )
    image.save()
    extras = [
        (
            QuestionContent(
                type=QuestionType.SINGLE,
                stem=(
                    "<p>如图所示，民警到场后<strong>首先</strong>应当：</p>"
                    f'<p><img src="{image.file.url}" alt="现场"></p>'
                ),
                options=[{"text": "控制现场 = 第一步"}, {"text": "<em>等待</em>支援"}, {"text": "拍照 {取证}"}],
                answer="A",
                explanation="先控制现场。\n再救治伤员；最后固定证据。",
                legal_basis="《公安机关办理行政案件程序规定》第五十条",
                difficulty=5,
                tier=Tier.ADVANCED,
                audiences=[Audience.NEW_OFFICER, Audience.MIDDLE_LEADER],
                knowledge_point_ids=two_points,
            ),
            QuestionStatus.RETIRED,
        ),
        (
            QuestionContent(
                type=QuestionType.FILL_BLANK,
                stem="传唤后询问查证不得超过____小时；情况复杂的不得超过____小时，比例~1/2 #注。",
                answer=[["8", "八"], ["24", "二十四"]],
                explanation="",
                legal_basis="",
                difficulty=1,
                tier=Tier.INTERMEDIATE,
                audiences=[Audience.ALL],
                knowledge_point_ids=two_points,
            ),
            QuestionStatus.DRAFT,
        ),
        (
            QuestionContent(
                type=QuestionType.SHORT_ANSWER,
                stem="<p>简述办理伤害案件的要点。</p><ul><li>受案</li><li>鉴定</li></ul>",
                reference_answer="1. 及时受案；\n2. 委托鉴定。",
                rubric="受案 5 分；鉴定 5 分。",
                explanation="考查伤害案件办理。",
                legal_basis="《公安机关办理伤害案件规定》",
                difficulty=4,
                knowledge_point_ids=[points[("案件办理", "鉴定", "伤情鉴定")]],
            ),
            QuestionStatus.ACTIVE,
        ),
    ]
    for content, status in extras:
        question_create(content=content, actor=trainer, status=status)
    return list(Question.objects.all())


_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')


def _images_by_content(html: str) -> str:
    """Image sources → the SHA-1 of the file they show: an import stores an image again (under
    another URL in another installation); what must survive is the picture."""

    def replace(match: re.Match) -> str:
        name = match.group(2).removeprefix(settings.MEDIA_URL)
        with default_storage.open(name, "rb") as handle:
            digest = hashlib.sha1(handle.read()).hexdigest()  # noqa: S324 - content identity
        return f"{match.group(1)}sha1:{digest}{match.group(3)}"

    return _IMG_SRC.sub(replace, html)


def bank_contents() -> dict[tuple[str, str], dict]:
    """Every question of the bank, field by field, keyed by (type, normalised stem)."""
    names = knowledge_point_names()
    contents = {}
    for question in Question.objects.select_related("current_version").prefetch_related("knowledge_point_links"):
        version = question.current_version
        contents[(question.type, question.normalized_stem)] = {
            "uid": question.uid,
            "type": question.type,
            "status": question.status,
            "difficulty": question.difficulty,
            "tier": question.tier,
            "audiences": sorted(question.audiences),
            "knowledge_points": sorted(names[link.knowledge_point_id] for link in question.knowledge_point_links.all()),
            "stem": _images_by_content(version.stem),
            "options": [(option["key"], _images_by_content(option["text"])) for option in version.options or []],
            "answer": version.answer,
            "explanation": version.explanation,
            "legal_basis": version.legal_basis,
            "reference_answer": version.reference_answer,
            "rubric": version.rubric,
        }
    return contents


def assert_same_bank(before: dict, after: dict, *, fields: Iterable[str] = FIELDS) -> None:
    """Same questions (count and keys) with the same value in every field; lists what differs."""
    assert len(after) == len(before)
    assert sorted(after, key=str) == sorted(before, key=str)
    differences = [
        f"{key[0]} “{key[1][:30]}” {name}: {before[key][name]!r} → {after[key][name]!r}"
        for key in before
        for name in fields
        if before[key][name] != after[key][name]
    ]
    assert differences == [], f"{len(differences)} differences:\n" + "\n".join(differences[:20])


def empty_bank() -> None:
    Question.objects.update(current_version=None)
    Question.objects.all().delete()
    QuestionKnowledgePoint.objects.all().delete()
    KnowledgePoint.objects.all().delete()


def run(content: bytes, export_format: str, **options):
    return questions_import(
        file=content, filename=FILENAMES[export_format], actor="test", create_knowledge_points=True, **options
    )


@pytest.mark.parametrize("export_format", ["xlsx", "moodle-xml", "gift"])
def test_every_question_comes_back_unchanged_from_an_export_into_an_emptied_bank(demo_bank, export_format):
    types = {question.type for question in demo_bank}
    assert types == set(QuestionType.values)
    assert Question.objects.filter(type=QuestionType.FILL_BLANK, current_version__answer__1__isnull=False).exists()
    before = bank_contents()
    content = questions_export(questions=questions_for_export(), export_format=export_format)
    empty_bank()

    result = run(content, export_format)

    assert result.errors == []
    assert (result.created, result.skipped) == (len(before), 0)
    assert_same_bank(before, bank_contents())


@pytest.mark.parametrize("export_format", ["xlsx", "moodle-xml", "gift"])
def test_importing_an_export_into_the_same_bank_changes_nothing(demo_bank, export_format):
    before = bank_contents()
    content = questions_export(questions=questions_for_export(), export_format=export_format)

    result = run(content, export_format)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert_same_bank(before, bank_contents())


def _renumbered(content: bytes, numbers: dict) -> bytes:
    """The workbook with its 编号 cells rewritten (``numbers``: old → new; other cells emptied)."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    column = next(cell.column for cell in sheet[1] if cell.value == "编号")
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=column)
        cell.value = numbers.get(cell.value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_export_imports_into_another_installation_whose_numbers_do_not_exist(demo_bank):
    before = bank_contents()
    content = questions_export(questions=questions_for_export(), export_format="xlsx")
    empty_bank()  # the other installation: none of these numbers exist there

    result = run(content, "xlsx")

    assert result.errors == []
    assert result.created == len(before)
    assert_same_bank(before, bank_contents())
    # Imported again (the trainer runs it twice): the same questions, recognised, not duplicated.
    again = run(content, "xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(before))


def test_an_xlsx_export_never_overwrites_the_other_installations_questions_with_the_same_numbers(
    demo_bank, make_question
):
    exported = list(questions_for_export()[:3])
    content = questions_export(questions=exported, export_format="xlsx")
    before = {key: value for key, value in bank_contents().items() if value["uid"] in {q.uid for q in exported}}
    empty_bank()
    theirs = [make_question(QuestionType.TRUE_FALSE) for _ in range(3)]
    theirs_before = bank_contents()
    # Their numbers happen to be the numbers in the file.
    content = _renumbered(content, {q.pk: their.pk for q, their in zip(exported, theirs, strict=True)})

    result = run(content, "xlsx")

    assert result.errors == []
    assert (result.created, result.updated) == (3, 0)
    after = bank_contents()
    assert_same_bank(theirs_before, {key: after[key] for key in theirs_before})
    assert_same_bank(before, {key: value for key, value in after.items() if key not in theirs_before})


def test_export_questions_command_writes_gift(tmp_path, demo_bank):
    path = tmp_path / "bank.gift"
    call_command("export_questions", "--format", "gift", "-o", str(path))
    text = path.read_text(encoding="utf-8")
    assert text.count("$CATEGORY:") >= 1 and "{" in text
    empty_bank()
    result = run(path.read_bytes(), "gift")
    assert result.created == len(demo_bank)
