"""Demo questions for `seed_demo`, written for the demo (题库演示数据).

One module per subject, each a list ``QUESTIONS`` built with the short constructors below, so a
question reads as a line of data: type, knowledge points, stem, options, key, explanation (解析),
legal basis (法律依据), and keyword tier / difficulty / audiences.

Conventions of the texts:
- Provisions are cited by the text in force when written: 《刑事诉讼法》 as amended in 2018,
  《行政处罚法》 as revised in 2021, 《人民警察法》 as amended in 2012. The 治安管理处罚法 was revised
  on 27 June 2025 (in force 1 January 2026, renumbered); questions on it cite the 2012 text
  explicitly as “（2012年修正）”, like the demo courses do, and test rules the revision kept.
- Local rules of the demo branch (the 新警“123”培养机制, the branch's 电子组卷 working standard) are
  cited as such, not as national law.
- Knowledge points are the demo tree of ``courses.demo.knowledge`` (short keys in ``KP``).
"""

from __future__ import annotations

from dataclasses import dataclass

ALL, NEW, AUX, LEAD, LEGAL = "all", "new_officer", "auxiliary", "middle_leader", "legal_officer"
BASIC, MID, ADV = "basic", "intermediate", "advanced"

# Short keys → paths of courses.demo.knowledge.TREE.
KP = {
    "接处警": "接处警",
    "接警": "接处警/接警登记",
    "出警": "接处警/出警处置",
    "现场": "接处警/出警处置/现场控制",
    "记录": "接处警/出警处置/执法记录",
    "反馈": "接处警/警情反馈",
    "案件": "案件办理",
    "受案": "案件办理/受案立案",
    "取证": "案件办理/调查取证",
    "勘查": "案件办理/调查取证/现场勘查",
    "固证": "案件办理/调查取证/证据固定",
    "询讯": "案件办理/调查取证/询问讯问",
    "鉴定": "案件办理/鉴定",
    "伤情": "案件办理/鉴定/伤情鉴定",
    "调解": "案件办理/调解与和解",
    "结案": "案件办理/结案归档",
    "监督": "执法监督",
    "组卷": "执法监督/电子组卷",
    "管控": "执法监督/案件过程管控",
    "信息": "信息化应用",
    "警综": "信息化应用/警综平台",
    "办案系统": "信息化应用/执法办案系统",
}

# Frequently cited texts.
POLICE_LAW = "《中华人民共和国人民警察法》"
CPL = "《中华人民共和国刑事诉讼法》"
CRIMINAL_LAW = "《中华人民共和国刑法》"
PSAPL = "《中华人民共和国治安管理处罚法》（2012年修正）"
APL = "《中华人民共和国行政处罚法》"
ACL = "《中华人民共和国行政强制法》"
WEAPONS = "《人民警察使用警械和武器条例》"
INJURY_STANDARD = "《人体损伤程度鉴定标准》"
CRIMINAL_RULES = "《公安机关办理刑事案件程序规定》"
ADMIN_RULES = "《公安机关办理行政案件程序规定》"
VIDEO_RULES = "《公安机关现场执法视音频记录工作规定》"
INJURY_RULES = "《公安机关办理伤害案件规定》"
AUXILIARY_OPINION = "《国务院办公厅关于规范公安机关警务辅助人员管理工作的意见》（国办发〔2016〕82号）"
BRANCH_EFILE = "本局电子组卷工作规范（演示）"
BRANCH_PLAN = "本局年度法制工作计划（演示）"


@dataclass(frozen=True)
class DemoQuestion:
    type: str
    points: tuple[str, ...]  # knowledge-point paths
    stem: str
    options: tuple[str, ...] = ()
    answer: object = None
    explanation: str = ""
    legal_basis: str = ""
    reference_answer: str = ""
    rubric: str = ""
    tier: str = BASIC
    difficulty: int = 2
    audiences: tuple[str, ...] = (ALL,)
    status: str = "active"


def _points(kp: str) -> tuple[str, ...]:
    return tuple(KP[key] for key in kp.split())


def _common(kp, tier, d, aud, status) -> dict:
    return {
        "points": _points(kp),
        "tier": tier,
        "difficulty": d,
        "audiences": tuple(aud) if isinstance(aud, tuple | list) else (aud,),
        "status": status,
    }


def S(kp, stem, options, answer, exp, law, *, tier=BASIC, d=2, aud=(ALL,), status="active") -> DemoQuestion:  # noqa: N802
    """Single choice: ``answer`` is the option letter."""
    return DemoQuestion(
        "single", stem=stem, options=tuple(options), answer=answer, explanation=exp, legal_basis=law,
        **_common(kp, tier, d, aud, status),
    )  # fmt: skip


def M(kp, stem, options, answer, exp, law, *, tier=BASIC, d=3, aud=(ALL,), status="active") -> DemoQuestion:  # noqa: N802
    """Multiple choice: ``answer`` is the letters, e.g. "ABD"."""
    return DemoQuestion(
        "multiple", stem=stem, options=tuple(options), answer=list(answer), explanation=exp, legal_basis=law,
        **_common(kp, tier, d, aud, status),
    )  # fmt: skip


def J(kp, stem, answer, exp, law, *, tier=BASIC, d=1, aud=(ALL,), status="active") -> DemoQuestion:  # noqa: N802
    """True / false."""
    return DemoQuestion(
        "true_false", stem=stem, answer=bool(answer), explanation=exp, legal_basis=law,
        **_common(kp, tier, d, aud, status),
    )  # fmt: skip


def F(kp, stem, blanks, exp, law, *, tier=BASIC, d=2, aud=(ALL,), status="active") -> DemoQuestion:  # noqa: N802
    """Fill in the blanks: the stem marks each blank with ____; ``blanks`` gives one string per
    blank, alternatives separated by |."""
    answer = [[value.strip() for value in blank.split("|")] for blank in blanks]
    return DemoQuestion(
        "fill_blank", stem=stem, answer=answer, explanation=exp, legal_basis=law,
        **_common(kp, tier, d, aud, status),
    )  # fmt: skip


def E(kp, stem, reference, rubric, exp, law, *, tier=MID, d=4, aud=(ALL,), status="active") -> DemoQuestion:  # noqa: N802
    """Short answer / case analysis, graded by a person."""
    return DemoQuestion(
        "short_answer", stem=stem, reference_answer=reference, rubric=rubric, explanation=exp, legal_basis=law,
        **_common(kp, tier, d, aud, status),
    )  # fmt: skip


def all_questions() -> list[DemoQuestion]:
    from exams.demo.question_data import (
        auxiliary_it,
        cases_intake,
        coercive_measures,
        evidence,
        incident_response,
        injury,
        leadership,
        mediation,
        supervision,
    )

    modules = [
        incident_response,
        cases_intake,
        evidence,
        injury,
        mediation,
        coercive_measures,
        supervision,
        auxiliary_it,
        leadership,
    ]
    return [question for module in modules for question in module.QUESTIONS]
