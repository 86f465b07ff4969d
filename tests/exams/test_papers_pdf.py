"""Printed papers: the paper, its answer key and the blank answer sheet render Chinese text; answers
appear in the key only."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from exams.models import QuestionType
from exams.pdf import paper_pdf
from exams.services import blueprint_create, paper_draw
from exams.services.blueprints import SectionSpec
from tests.exams.papers_support import make_bank, make_question, one_section_spec, rule

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


@pytest.fixture
def paper():
    make_bank(3)
    make_question(
        QuestionType.FILL_BLANK,
        number=7,
        stem="<p>轻伤案件的伤情鉴定应当在____小时内委托。</p>",
        answer=[["二十四", "24"]],
        explanation="依照《公安机关办理伤害案件规定》办理。",
    )
    make_question(QuestionType.SHORT_ANSWER, number=8, stem="<p>结合案例分析现场处置要点。</p>")
    spec = one_section_spec(rule(count=3), title="单选题", shuffle_options=False)
    spec.title = "基本级执法资格考试"
    spec.sections.append(SectionSpec(title="填空题", rules=[rule(QuestionType.FILL_BLANK, count=1, points="2")]))
    spec.sections.append(SectionSpec(title="案例分析", rules=[rule(QuestionType.SHORT_ANSWER, count=1, points="10")]))
    return paper_draw(blueprint=blueprint_create(spec=spec, actor=None), seed=5)


def test_the_paper_pdf_shows_the_questions_in_chinese_without_answers(paper):
    text = _text(paper_pdf(paper, kind="paper"))

    assert "基本级执法资格考试" in text
    assert "单选题" in text and "填空题" in text and "案例分析" in text
    assert "伤情鉴定应当在" in text
    assert "立即出警" in text and "等待指示" in text  # options, in the paper's order
    assert "二十四" not in text
    assert "依照《公安机关办理伤害案件规定》办理" not in text
    assert "构成故意伤害" not in text


def test_the_answer_key_pdf_has_answers_explanations_and_legal_bases(paper):
    text = _text(paper_pdf(paper, kind="key"))

    assert "基本级执法资格考试" in text
    assert "二十四/24" in text
    assert "依照《公安机关办理伤害案件规定》办理" in text
    assert "构成故意伤害" in text  # reference answer of the case analysis
    assert "治安管理处罚法" in text


def test_the_answer_sheet_pdf_has_a_box_per_option_and_space_per_question(paper):
    text = _text(paper_pdf(paper, kind="sheet"))

    assert "基本级执法资格考试" in text
    assert "ABCD" in text
    assert "伤情鉴定" not in text  # the sheet holds no questions
    assert "二十四" not in text
