"""Helpers for the blueprint and paper tests: a small knowledge tree, questions of every type, specs."""

from __future__ import annotations

from courses.models import KnowledgePoint
from courses.models.choices import Tier
from exams.models import QuestionStatus, QuestionType
from exams.services import QuestionContent, question_create
from exams.services.blueprints import BlueprintSpec, FixedSpec, RuleSpec, SectionSpec


def knowledge_tree() -> dict[str, KnowledgePoint]:
    """接处警 › {现场处置, 执法记录} and 案件办理."""
    root = KnowledgePoint.add_root(name="接处警")
    scene = KnowledgePoint.objects.get(pk=root.pk).add_child(name="现场处置")
    record = KnowledgePoint.objects.get(pk=root.pk).add_child(name="执法记录")
    cases = KnowledgePoint.add_root(name="案件办理")
    return {"接处警": root, "现场处置": scene, "执法记录": record, "案件办理": cases}


def content(question_type: str, number: int = 1, **overrides) -> QuestionContent:
    base = {
        QuestionType.SINGLE: {
            "stem": f"<p>单选题{number}：接到报警后，民警应当首先做什么？</p>",
            "options": [
                {"text": "立即出警"},
                {"text": "等待指示"},
                {"text": "拒绝受理"},
                {"text": "转交他人"},
            ],
            "answer": "A",
        },
        QuestionType.MULTIPLE: {
            "stem": f"<p>多选题{number}：现场处置应当包括哪些工作？</p>",
            "options": [{"text": "控制现场"}, {"text": "固定证据"}, {"text": "救助伤员"}, {"text": "离开现场"}],
            "answer": ["A", "B", "C"],
        },
        QuestionType.TRUE_FALSE: {"stem": f"<p>判断题{number}：执法记录仪应当全程开启。</p>", "answer": True},
        QuestionType.FILL_BLANK: {
            "stem": f"<p>填空题{number}：伤情鉴定应当在____小时内委托。</p>",
            "answer": [["24", "二十四"]],
        },
        QuestionType.SHORT_ANSWER: {
            "stem": f"<p>案例分析{number}：请分析本案的定性。</p>",
            "reference_answer": "构成故意伤害。",
            "rubric": "定性正确得5分。",
        },
    }[question_type]
    values = {
        "type": question_type,
        "explanation": f"解析{number}：依照法律规定。",
        "legal_basis": "《中华人民共和国治安管理处罚法》第四十三条",
        **base,
        **overrides,
    }
    return QuestionContent(**values)


def make_question(
    question_type: str = QuestionType.SINGLE,
    *,
    number: int = 1,
    tier: str = Tier.BASIC,
    difficulty: int = 3,
    audiences: list[str] | None = None,
    points: list[KnowledgePoint] = (),
    status: str = QuestionStatus.ACTIVE,
    **overrides,
):
    item = content(question_type, number, **overrides)
    item.tier = tier
    item.difficulty = difficulty
    item.audiences = list(audiences or [])
    item.knowledge_point_ids = [p.pk for p in points]
    return question_create(content=item, actor=None, status=status, audit=False)


def make_bank(count: int, question_type: str = QuestionType.SINGLE, start: int = 1, **kwargs) -> list:
    return [make_question(question_type, number=start + i, **kwargs) for i in range(count)]


def rule(question_type: str = QuestionType.SINGLE, count: int = 5, points="2", **kwargs) -> RuleSpec:
    return RuleSpec(question_type=question_type, count=count, points=points, **kwargs)


def one_section_spec(*rules: RuleSpec, fixed: list[FixedSpec] = (), title="单选题", **settings) -> BlueprintSpec:
    settings.setdefault("title", "基本级执法资格测试")
    return BlueprintSpec(sections=[SectionSpec(title=title, rules=list(rules), fixed=list(fixed))], **settings)
