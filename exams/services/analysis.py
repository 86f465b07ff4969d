"""Item analysis (试题分析) of an exam: score statistics, results by unit and category, and per
question facility, discrimination and answer-option spread; plus its xlsx export.

Which attempts count: graded or released ones, one per officer — the attempt the exam's
``counts`` rule names, as ``exams.selectors.results.counted_attempt`` defines it (the highest
score, or the last attempt). Attempts still waiting for a grader are left out, so figures can move
while grading goes on.

The whole exam is read with four ``values()`` queries (attempts, their paper items, their
answers, the questions' latest versions seen) into pandas frames; 2,000 attempts × 100 items is a
200,000-row frame, well within one request.

Per question, across versions and papers (a drawn paper puts a question on some papers only):

- facility (难度系数 P): mean of item score ÷ item points over the attempts that had it;
- discrimination D (区分度): facility in the upper group − facility in the lower group, the groups
  being the top and bottom 27 % (at least one attempt each) of those attempts ranked by total
  score (ties broken by attempt id); None below ``MIN_GROUP_ATTEMPTS`` attempts;
- point-biserial r: Pearson correlation of item score ratio and total score; None below three
  attempts or when either varies not at all (everyone right, or equal totals);
- flagged when D or r is negative: strong candidates answer it worse than weak ones, which usually
  means a wrong key or an ambiguous stem.

Numbers are plain floats or None, never NaN, so templates and the xlsx need no special cases.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import Subquery
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from exams.models import Answer, Attempt, AttemptCounting, Exam, PaperItem, QuestionType, QuestionVersion
from exams.selectors.results import RESULT_STATES
from people.models import Category
from portal.exports import xlsx_bytes
from portal.services import audit_log

COUNTED_STATES = RESULT_STATES
BIN_COUNT = 10
GROUP_SHARE = 0.27
MIN_GROUP_ATTEMPTS = 4
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)
STEM_CHARS = 60


@dataclass
class ScoreBin:
    label: str
    low: float
    high: float
    count: int
    below_pass: bool


@dataclass
class GroupResult:
    label: str
    attempts: int
    mean: float
    pass_rate: float  # percent


@dataclass
class OptionCount:
    key: str  # the question's ORIGINAL option key ("A" … or "true"/"false")
    text: str
    count: int
    is_key: bool


@dataclass
class QuestionResult:
    question_id: int
    question_type: str
    stem: str  # plain text, shortened
    attempts: int  # attempts whose paper had the question
    blank: int
    facility: float | None
    discrimination: float | None
    point_biserial: float | None
    options: list[OptionCount] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return (self.discrimination is not None and self.discrimination < 0) or (
            self.point_biserial is not None and self.point_biserial < 0
        )

    @property
    def type_label(self) -> str:
        return str(QuestionType(self.question_type).label) if self.question_type in QuestionType.values else ""


@dataclass
class ExamAnalysis:
    exam: Exam
    total_points: float
    attempts: int = 0
    mean: float | None = None
    median: float | None = None
    std: float | None = None  # sample standard deviation (n − 1)
    minimum: float | None = None
    maximum: float | None = None
    pass_rate: float | None = None  # percent
    bins: list[ScoreBin] = field(default_factory=list)
    by_unit: list[GroupResult] = field(default_factory=list)
    by_category: list[GroupResult] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.attempts > 0


def _float(value) -> float | None:
    """A float, or None for missing / NaN / infinite values."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


# --- reading ------------------------------------------------------------------------------------


def _counted_attempts(exam: Exam) -> pd.DataFrame:
    """One row per officer: the attempt that counts under the exam's rule."""
    rows = list(
        Attempt.objects.filter(exam=exam, state__in=COUNTED_STATES).values(
            "id",
            "officer_id",
            "number",
            "score",
            "passed",
            "paper_id",
            "paper__total_points",
            "officer__unit__name",
            "officer__category",
        )
    )
    columns = ["id", "officer_id", "number", "score", "passed", "paper_id", "total_points", "unit", "category"]
    frame = pd.DataFrame(rows).rename(
        columns={"paper__total_points": "total_points", "officer__unit__name": "unit", "officer__category": "category"}
    )
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["score"] = frame["score"].map(lambda v: float(v) if v is not None else 0.0)
    frame["total_points"] = frame["total_points"].map(lambda v: float(v) if v is not None else 0.0)
    frame["passed"] = frame["passed"].map(bool)
    # The rule of ``exams.selectors.results.counted_attempt``, applied to all officers at once
    # (that selector reads one officer per query): the last attempt, or the highest score with
    # the earlier attempt winning a tie.
    if exam.counts == AttemptCounting.LAST:
        frame = frame.sort_values(["officer_id", "number"], ascending=[True, False])
    else:
        frame = frame.sort_values(["officer_id", "score", "number"], ascending=[True, False, True])
    return frame.drop_duplicates("officer_id", keep="first")[columns].reset_index(drop=True)


def _item_rows(exam: Exam, attempts: pd.DataFrame) -> pd.DataFrame:
    """One row per (counted attempt, paper item): item score, points, response, question."""
    counted = Attempt.objects.filter(exam=exam, state__in=COUNTED_STATES)
    item_columns = ["id", "paper_id", "question_id", "question_type", "points", "question_version_id"]
    items = pd.DataFrame(
        list(PaperItem.objects.filter(paper_id__in=Subquery(counted.values("paper_id"))).values(*item_columns)),
        columns=item_columns,
    )
    answers = pd.DataFrame(
        list(
            Answer.objects.filter(attempt__exam=exam, attempt__state__in=COUNTED_STATES).values(
                "attempt_id", "paper_item_id", "response", "score"
            )
        ),
        columns=["attempt_id", "paper_item_id", "response", "score"],
    )
    rows = attempts[["id", "paper_id", "score"]].rename(columns={"id": "attempt_id", "score": "total"})
    rows = rows.merge(items.rename(columns={"id": "paper_item_id"}), on="paper_id", how="inner")
    rows = rows.merge(answers.rename(columns={"score": "item_score"}), on=["attempt_id", "paper_item_id"], how="left")
    rows["points"] = rows["points"].map(float)
    rows["item_score"] = rows["item_score"].map(lambda v: 0.0 if v is None or v != v else float(v))
    rows["ratio"] = np.where(rows["points"] > 0, rows["item_score"] / rows["points"].where(rows["points"] > 0, 1), 0.0)
    rows["blank"] = rows["response"].map(_is_blank)
    return rows


def _is_blank(response) -> bool:
    if response is None or (isinstance(response, float) and math.isnan(response)):
        return True
    if isinstance(response, bool):
        return False
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, list):
        return not any(str(value).strip() for value in response if value is not None)
    return False


# --- statistics ---------------------------------------------------------------------------------


def _bins(scores: pd.Series, total: float, pass_mark: float) -> list[ScoreBin]:
    width = total / BIN_COUNT if total > 0 else 1.0
    indices = (scores / width).map(lambda v: min(int(math.floor(v)), BIN_COUNT - 1) if v >= 0 else 0)
    counts = Counter(indices)
    bins = []
    for index in range(BIN_COUNT):
        low, high = index * width, (index + 1) * width
        label = f"{_short(low)}–{_short(high)}"
        bins.append(ScoreBin(label=label, low=low, high=high, count=counts.get(index, 0), below_pass=high <= pass_mark))
    return bins


def _short(value: float) -> str:
    return str(int(round(value))) if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _groups(attempts: pd.DataFrame, column: str, labels: dict[str, str] | None = None) -> list[GroupResult]:
    results = []
    grouped = attempts.assign(key=attempts[column].fillna("")).groupby("key", sort=True)
    for key, group in grouped:
        label = (labels or {}).get(key, key) if key else _("No unit")
        results.append(
            GroupResult(
                label=str(label),
                attempts=len(group),
                mean=float(group["score"].mean()),
                pass_rate=float(group["passed"].mean() * 100),
            )
        )
    return results


def _discrimination(rows: pd.DataFrame) -> float | None:
    count = len(rows)
    if count < MIN_GROUP_ATTEMPTS:
        return None
    size = max(1, int(round(GROUP_SHARE * count)))
    ranked = rows.sort_values(["total", "attempt_id"], ascending=[False, True])
    upper, lower = ranked.head(size), ranked.tail(size)
    return _float(upper["ratio"].mean() - lower["ratio"].mean())


def _point_biserial(rows: pd.DataFrame) -> float | None:
    if len(rows) < 3:
        return None
    ratio, total = rows["ratio"].to_numpy(dtype=float), rows["total"].to_numpy(dtype=float)
    if np.std(ratio) == 0 or np.std(total) == 0:
        return None
    return _float(np.corrcoef(ratio, total)[0, 1])


def _option_counts(rows: pd.DataFrame, version: dict | None) -> list[OptionCount]:
    question_type = rows["question_type"].iloc[0]
    chosen: Counter = Counter()
    for response in rows["response"]:
        if _is_blank(response):
            continue
        if question_type == QuestionType.TRUE_FALSE:
            value = response if isinstance(response, bool) else str(response).strip().lower() == "true"
            chosen["true" if value else "false"] += 1
        elif isinstance(response, list):
            chosen.update(str(value).strip().upper() for value in response)
        else:
            chosen[str(response).strip().upper()] += 1
    answer = (version or {}).get("answer")
    if question_type == QuestionType.TRUE_FALSE:
        options = [("true", str(_("True"))), ("false", str(_("False")))]
        keys = {"true" if answer else "false"}
    else:
        options = [(o.get("key", ""), _plain(o.get("text", ""), 30)) for o in (version or {}).get("options") or []]
        keys = set(answer if isinstance(answer, list) else [answer])
    known = {key for key, _text in options}
    options += [(key, "") for key in sorted(chosen) if key not in known]
    return [OptionCount(key=key, text=text, count=chosen.get(key, 0), is_key=key in keys) for key, text in options]


def _plain(html: str, limit: int) -> str:
    text = " ".join(strip_tags(html or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _questions(rows: pd.DataFrame) -> list[QuestionResult]:
    if rows.empty:
        return []
    latest = rows.groupby("question_id")["question_version_id"].max()
    versions = {
        v["question_id"]: v
        for v in QuestionVersion.objects.filter(pk__in=[int(pk) for pk in latest]).values(
            "question_id", "stem", "options", "answer"
        )
    }
    results = []
    for question_id, group in rows.groupby("question_id", sort=True):
        question_type = group["question_type"].iloc[0]
        version = versions.get(question_id)
        results.append(
            QuestionResult(
                question_id=int(question_id),
                question_type=question_type,
                stem=_plain((version or {}).get("stem", ""), STEM_CHARS),
                attempts=len(group),
                blank=int(group["blank"].sum()),
                facility=_float(group["ratio"].mean()),
                discrimination=_discrimination(group),
                point_biserial=_point_biserial(group),
                options=_option_counts(group, version) if question_type in CHOICE_TYPES else [],
            )
        )
    return results


SORTS = {
    "flagged": lambda q: (not q.flagged, q.discrimination if q.discrimination is not None else math.inf, q.question_id),
    "facility": lambda q: (q.facility if q.facility is not None else math.inf, q.question_id),
    "-facility": lambda q: (-(q.facility if q.facility is not None else -math.inf), q.question_id),
    "discrimination": lambda q: (q.discrimination if q.discrimination is not None else math.inf, q.question_id),
    "-discrimination": lambda q: (-(q.discrimination if q.discrimination is not None else -math.inf), q.question_id),
    "attempts": lambda q: (-q.attempts, q.question_id),
}
DEFAULT_SORT = "flagged"


def questions_sorted(questions: list[QuestionResult], sort: str) -> list[QuestionResult]:
    """Questions in the order the table asks for; flagged ones first (worst discrimination first)
    by default. Questions without the sorted figure go last."""
    return sorted(questions, key=SORTS.get(sort, SORTS[DEFAULT_SORT]))


def exam_analysis(*, exam: Exam) -> ExamAnalysis:
    """Every figure of the analysis page, from the exam's counted attempts."""
    attempts = _counted_attempts(exam)
    pass_mark = float(exam.pass_mark)
    if attempts.empty:
        return ExamAnalysis(exam=exam, total_points=0.0, bins=_bins(pd.Series(dtype=float), 0.0, pass_mark))
    total = float(attempts["total_points"].max())
    scores = attempts["score"]
    return ExamAnalysis(
        exam=exam,
        total_points=total,
        attempts=len(attempts),
        mean=_float(scores.mean()),
        median=_float(scores.median()),
        std=_float(scores.std(ddof=1)) if len(attempts) > 1 else None,
        minimum=_float(scores.min()),
        maximum=_float(scores.max()),
        pass_rate=_float(attempts["passed"].mean() * 100),
        bins=_bins(scores, total, pass_mark),
        by_unit=_groups(attempts, "unit"),
        by_category=_groups(attempts, "category", {code: str(label) for code, label in Category.choices}),
        questions=_questions(_item_rows(exam, attempts)),
    )


# --- xlsx ---------------------------------------------------------------------------------------


class AnalysisError(Exception):
    """The analysis cannot be exported; the message says why, for the user."""


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def analysis_frames(analysis: ExamAnalysis) -> dict[str, pd.DataFrame]:
    """The analysis as the export's sheets, with Chinese headers (the report is read in Chinese)."""
    exam = analysis.exam
    summary = pd.DataFrame(
        [
            ("考试", exam.title),
            ("计入统计的答卷数", analysis.attempts),
            ("满分", _rounded(analysis.total_points)),
            ("及格线", float(exam.pass_mark)),
            ("平均分", _rounded(analysis.mean)),
            ("中位数", _rounded(analysis.median)),
            ("标准差", _rounded(analysis.std)),
            ("最低分", _rounded(analysis.minimum)),
            ("最高分", _rounded(analysis.maximum)),
            ("及格率（%）", _rounded(analysis.pass_rate, 1)),
            *((f"分数段 {b.label}", b.count) for b in analysis.bins),
        ],
        columns=["项目", "数值"],
    )

    def groups(rows: list[GroupResult], name: str) -> pd.DataFrame:
        return pd.DataFrame(
            [(g.label, g.attempts, _rounded(g.mean), _rounded(g.pass_rate, 1)) for g in rows],
            columns=[name, "人数", "平均分", "及格率（%）"],
        )

    questions = pd.DataFrame(
        [
            (
                q.question_id,
                q.type_label,
                q.stem,
                q.attempts,
                q.blank,
                _rounded(q.facility, 3),
                _rounded(q.discrimination, 3),
                _rounded(q.point_biserial, 3),
                "是" if q.flagged else "",
                "；".join(f"{o.key}{'✓' if o.is_key else ''}:{o.count}" for o in q.options),
            )
            for q in analysis.questions
        ],
        columns=[
            "试题编号",
            "题型",
            "题干",
            "作答人次",
            "未作答",
            "难度系数",
            "区分度",
            "点二列相关",
            "需复核",
            "选项分布（✓为答案）",
        ],
    )
    return {
        "概况": summary,
        "按单位": groups(analysis.by_unit, "单位"),
        "按类别": groups(analysis.by_category, "类别"),
        "试题分析": questions,
    }


def exam_analysis_export(*, exam: Exam, actor) -> bytes:
    """The analysis as an xlsx workbook; audited. Refused (``AnalysisError``) while no attempt is
    graded: an empty report would only be mistaken for a real one."""
    analysis = exam_analysis(exam=exam)
    if not analysis.has_data:
        raise AnalysisError(_("No graded attempts yet: there is nothing to export."))
    frames = analysis_frames(analysis)
    content = xlsx_bytes(frames)
    audit_log(
        actor=actor,
        action="exams.analysis.exported",
        target=exam,
        data={
            "attempts": analysis.attempts,
            "rows": dict(zip(("summary", "units", "categories", "questions"), map(len, frames.values()), strict=True)),
        },
    )
    return content
