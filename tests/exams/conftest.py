"""Fixtures for the exams tests: a small knowledge tree and a question factory.

knowledge_tree        {"接处警": …, "现场处置": …, "证据固定": …, "案件办理": …, "伤情鉴定": …}
                      接处警 › 现场处置 › 证据固定, and 案件办理 › 伤情鉴定
make_question(type, **overrides) → Question
                      a valid question of ``type`` (QuestionContent fields as overrides, plus
                      ``status`` and ``actor``), created through ``question_create``
"""

from __future__ import annotations

import itertools

import pytest

from courses.models import KnowledgePoint
from exams.models import QuestionStatus, QuestionType
from exams.services import QuestionContent, question_create

_numbers = itertools.count(1)


def question_content(question_type: str = QuestionType.SINGLE, **overrides) -> QuestionContent:
    """A valid QuestionContent of ``question_type``; each call gets a distinct stem."""
    number = next(_numbers)
    defaults = {
        QuestionType.SINGLE: {
            "stem": f"<p>第{number}题：民警接到群众报警后，应当首先做什么？</p>",
            "options": [{"text": "立即受理并登记"}, {"text": "让报警人自行协商"}, {"text": "等待上级指示"}],
            "answer": "A",
        },
        QuestionType.MULTIPLE: {
            "stem": f"<p>第{number}题：到达现场后，下列哪些做法是正确的？</p>",
            "options": [
                {"text": "开启执法记录仪"},
                {"text": "查看有无伤员"},
                {"text": "隔离争执双方"},
                {"text": "先行离开现场"},
            ],
            "answer": ["A", "B", "C"],
        },
        QuestionType.TRUE_FALSE: {"stem": f"<p>第{number}题：执法记录仪应当全程不间断记录。</p>", "answer": True},
        QuestionType.FILL_BLANK: {
            "stem": f"<p>第{number}题：拘留后，应当在____小时以内通知被拘留人的家属。</p>",
            "answer": [["24小时", "二十四小时", "24"]],
        },
        QuestionType.SHORT_ANSWER: {
            "stem": f"<p>第{number}题：简述伤害案件受案时应当做的工作。</p>",
            "reference_answer": "登记受案、开具回执、固定伤情、及时委托鉴定。",
            "rubric": "每个要点2.5分。",
        },
    }[question_type]
    values = {
        "type": question_type,
        "explanation": "依照相关规定。",
        "legal_basis": "《中华人民共和国刑事诉讼法》",
        **defaults,
    }
    values.update(overrides)
    return QuestionContent(**values)


@pytest.fixture
def knowledge_tree(db) -> dict[str, KnowledgePoint]:
    response = KnowledgePoint.add_root(name="接处警")
    scene = KnowledgePoint.objects.get(pk=response.pk).add_child(name="现场处置")
    evidence = KnowledgePoint.objects.get(pk=scene.pk).add_child(name="证据固定")
    cases = KnowledgePoint.add_root(name="案件办理")
    injury = KnowledgePoint.objects.get(pk=cases.pk).add_child(name="伤情鉴定")
    return {"接处警": response, "现场处置": scene, "证据固定": evidence, "案件办理": cases, "伤情鉴定": injury}


@pytest.fixture
def make_question(db):
    def make(question_type: str = QuestionType.SINGLE, *, status: str = QuestionStatus.ACTIVE, actor=None, **overrides):
        return question_create(
            content=question_content(question_type, **overrides), actor=actor or "test", status=status
        )

    return make
