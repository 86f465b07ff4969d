"""Item analysis: statistics against hand-computed values, the page, the chart and the xlsx export.

The data set: five questions worth 10, 15, 20, 25 and 30 points (100 in all), pass mark 60, sat by
ten officers whose right (1) and wrong (0) answers are the matrix below. Q5 is answered right only
by two weak officers: it must come out with negative discrimination, flagged.

    officer   Q1 Q2 Q3 Q4 Q5   total   unit      category
    o1         1  1  1  1  0     70    station   officer
    o2         0  1  1  1  0     60    station   auxiliary
    o3         1  0  1  1  0     55    station   officer
    o4         1  1  0  1  0     50    station   officer
    o5         0  0  1  1  0     45    station   officer
    o6         1  0  0  1  0     35    other     officer
    o7         0  0  0  0  1     30    other     auxiliary
    o8         1  1  0  0  0     25    other     officer
    o9         0  1  0  0  -     15    other     officer    (Q5 left blank)
    o10        1  0  0  0  1     40    other     officer
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from exams.models import Attempt, AttemptState, BlueprintStatus, Exam, QuestionType
from exams.services.analysis import exam_analysis, questions_sorted
from exams.services.blueprints import BlueprintSpec, FixedSpec, SectionSpec, blueprint_create
from exams.services.delivery import answer_save, attempt_start, attempt_submit
from people.models import Category
from portal.models import AuditEntry
from tests.exams.delivery_support import published_exam
from tests.exams.papers_support import make_question
from tests.factories import UserFactory

POINTS = (10, 15, 20, 25, 30)
MATRIX = (
    (1, 1, 1, 1, 0),
    (0, 1, 1, 1, 0),
    (1, 0, 1, 1, 0),
    (1, 1, 0, 1, 0),
    (0, 0, 1, 1, 0),
    (1, 0, 0, 1, 0),
    (0, 0, 0, 0, 1),
    (1, 1, 0, 0, 0),
    (0, 1, 0, 0, None),
    (1, 0, 0, 0, 1),
)
AUXILIARIES = {1, 6}  # o2, o7


def fixed_blueprint(points=POINTS):
    """Q1–Q4 single choice (key A), Q5 true/false (key true), in this order."""
    questions = [make_question(QuestionType.SINGLE, number=i + 1) for i in range(len(points) - 1)]
    questions.append(make_question(QuestionType.TRUE_FALSE, number=9))
    spec = BlueprintSpec(
        title="统计测试卷",
        status=BlueprintStatus.ACTIVE,
        shuffle_questions=False,
        sections=[
            SectionSpec(
                title="试题",
                fixed=[FixedSpec(question_id=q.pk, points=p) for q, p in zip(questions, points, strict=True)],
            )
        ],
    )
    return blueprint_create(spec=spec, actor=None), questions


def sit(exam, officer, row, *, wrong_choice="B", now=None):
    """Answer each item right (1), wrong (0) or not at all (None), then submit."""
    attempt = attempt_start(exam=exam, officer=officer, now=now)
    items = list(attempt.paper.items.select_related("question_version").order_by("position"))
    for item, right in zip(items, row, strict=True):
        if right is None:
            continue
        choice = "A" if right else wrong_choice
        response = bool(right) if item.question_type == QuestionType.TRUE_FALSE else choice
        answer_save(attempt=attempt, item_id=item.pk, response=response, client_seq=1, now=now)
    return attempt_submit(attempt=attempt, actor=officer, now=now)


@pytest.fixture
def data_set(station, other_unit):
    blueprint, questions = fixed_blueprint()
    officers = [
        UserFactory(
            unit=station if index < 5 else other_unit,
            category=Category.AUXILIARY if index in AUXILIARIES else Category.OFFICER,
        )
        for index in range(len(MATRIX))
    ]
    exam = published_exam(blueprint, *officers, pass_mark=60)
    for index, (officer, row) in enumerate(zip(officers, MATRIX, strict=True)):
        sit(exam, officer, row, wrong_choice="C" if index == 4 else "B")
    return exam, questions, officers


def by_question(analysis, question):
    return next(q for q in analysis.questions if q.question_id == question.pk)


def test_summary_statistics_match_hand_computed_values(data_set):
    exam, _questions, _officers = data_set
    assert set(Attempt.objects.filter(exam=exam).values_list("state", flat=True)) <= {
        AttemptState.GRADED,
        AttemptState.RELEASED,
    }
    analysis = exam_analysis(exam=exam)
    assert analysis.attempts == 10
    assert analysis.total_points == 100
    assert analysis.mean == pytest.approx(42.5)
    assert analysis.median == pytest.approx(42.5)
    # Sample standard deviation: squared deviations sum to 2562.5, over n − 1 = 9.
    assert analysis.std == pytest.approx((2562.5 / 9) ** 0.5)
    assert (analysis.minimum, analysis.maximum) == (15, 70)
    assert analysis.pass_rate == pytest.approx(20.0)
    assert [b.count for b in analysis.bins] == [0, 1, 1, 2, 2, 2, 1, 1, 0, 0]
    assert [b.label for b in analysis.bins][:2] == ["0–10", "10–20"]
    assert [b.below_pass for b in analysis.bins] == [True] * 6 + [False] * 4


def test_results_by_unit_and_category(data_set):
    analysis = exam_analysis(exam=data_set[0])
    units = {g.label: g for g in analysis.by_unit}
    assert units["北山派出所"].attempts == 5
    assert units["北山派出所"].mean == pytest.approx(56)
    assert units["北山派出所"].pass_rate == pytest.approx(40)
    assert units["治安大队"].mean == pytest.approx(29)
    assert units["治安大队"].pass_rate == 0
    categories = {g.label: g for g in analysis.by_category}
    assert categories[str(Category.AUXILIARY.label)].mean == pytest.approx(45)
    assert categories[str(Category.AUXILIARY.label)].pass_rate == pytest.approx(50)
    assert categories[str(Category.OFFICER.label)].mean == pytest.approx(335 / 8)
    assert categories[str(Category.OFFICER.label)].pass_rate == pytest.approx(12.5)


def test_question_facility_and_discrimination(data_set):
    exam, questions, _officers = data_set
    analysis = exam_analysis(exam=exam)
    q1, q2, q3, q4, q5 = (by_question(analysis, q) for q in questions)
    assert [q.facility for q in (q1, q2, q3, q4, q5)] == pytest.approx([0.6, 0.5, 0.4, 0.6, 0.2])
    # Upper 27 % of 10 → 3 attempts (70, 60, 55), lower 3 (30, 25, 15).
    assert q1.discrimination == pytest.approx(2 / 3 - 1 / 3)
    assert q3.discrimination == pytest.approx(1.0)
    assert q5.discrimination == pytest.approx(0 - 1 / 3)
    # Point-biserial of Q1: (M1 − M0) / s_n × √(pq) = (275/6 − 37.5) / √256.25 × √0.24.
    assert q1.point_biserial == pytest.approx((275 / 6 - 37.5) / 256.25**0.5 * 0.24**0.5)
    assert q5.point_biserial < 0 < q3.point_biserial
    assert q5.flagged and not any(q.flagged for q in (q1, q2, q3, q4))
    assert (q5.attempts, q5.blank) == (10, 1)
    assert q1.blank == 0


def test_option_distribution_counts_original_keys_and_marks_the_key(data_set):
    exam, questions, _officers = data_set
    analysis = exam_analysis(exam=exam)
    q2 = by_question(analysis, questions[1])
    assert [(o.key, o.count, o.is_key) for o in q2.options] == [
        ("A", 5, True),
        ("B", 4, False),
        ("C", 1, False),
        ("D", 0, False),
    ]
    q5 = by_question(analysis, questions[4])
    assert [(o.key, o.count, o.is_key) for o in q5.options] == [("true", 2, True), ("false", 7, False)]


def test_flagged_questions_sort_first(data_set):
    exam, questions, _officers = data_set
    analysis = exam_analysis(exam=exam)
    assert questions_sorted(analysis.questions, "flagged")[0].question_id == questions[4].pk
    hardest = questions_sorted(analysis.questions, "facility")
    assert hardest[0].question_id == questions[4].pk  # facility 0.2
    assert questions_sorted(analysis.questions, "-facility")[-1].question_id == questions[4].pk


def test_analysis_reads_the_exam_in_a_few_queries(data_set, django_assert_max_num_queries):
    exam = Exam.objects.get(pk=data_set[0].pk)
    with django_assert_max_num_queries(5):
        exam_analysis(exam=exam)


def test_highest_attempt_counts_once_per_officer(station):
    blueprint, _questions = fixed_blueprint()
    officer = UserFactory(unit=station)
    exam = published_exam(blueprint, officer, attempts_allowed=2)
    sit(exam, officer, (1, 1, 1, 1, 1))
    sit(exam, officer, (0, 0, 0, 0, 0))
    analysis = exam_analysis(exam=exam)
    assert (analysis.attempts, analysis.mean) == (1, 100)
    Exam.objects.filter(pk=exam.pk).update(counts="last")
    assert exam_analysis(exam=Exam.objects.get(pk=exam.pk)).mean == 0


def test_small_and_uniform_data_give_none_not_nan(station):
    blueprint, questions = fixed_blueprint()
    officers = [UserFactory(unit=station) for _ in range(2)]
    exam = published_exam(blueprint, *officers)
    sit(exam, officers[0], (1, 1, 1, 1, 1))
    sit(exam, officers[1], (1, 0, 0, 0, 0))
    analysis = exam_analysis(exam=exam)
    q1 = by_question(analysis, questions[0])
    assert q1.facility == 1.0
    assert q1.discrimination is None and q1.point_biserial is None  # too few attempts
    assert analysis.std == pytest.approx(((100 - 55) ** 2 * 2) ** 0.5)

    third = UserFactory(unit=station)
    exam.invitations.create(officer=third)
    sit(exam, third, (1, 1, 0, 0, 0))
    analysis = exam_analysis(exam=exam)
    assert by_question(analysis, questions[0]).point_biserial is None  # everyone right: no variance


def test_ungraded_attempts_are_not_counted(station):
    blueprint, _questions = fixed_blueprint()
    officer = UserFactory(unit=station)
    exam = published_exam(blueprint, officer)
    attempt_start(exam=exam, officer=officer)  # still in progress
    analysis = exam_analysis(exam=exam)
    assert not analysis.has_data and analysis.mean is None and analysis.questions == []
    assert [b.count for b in analysis.bins] == [0] * 10


# --- pages ------------------------------------------------------------------------------------


def test_trainer_sees_the_analysis_page(client, trainer, data_set):
    exam, questions, _officers = data_set
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("exams:exam_analysis", args=[exam.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('role="img"') == 3  # histogram, by unit, by category
    assert "北山派出所" in content and "42.50" in content and "20.0%" in content
    rows = response.context["questions"]
    assert rows[0].question_id == questions[4].pk and rows[0].flagged
    assert 'class="question-row is-flagged"' in content
    response = client.get(reverse("exams:exam_analysis", args=[exam.pk]), {"sort": "-facility"})
    assert response.context["questions"][-1].question_id == questions[4].pk
    assert client.get(reverse("exams:exam_analysis", args=[exam.pk]), {"sort": "nonsense"}).status_code == 200


def test_score_chart_is_an_svg_image(client, trainer, data_set):
    client.force_login(trainer)
    response = client.get(reverse("exams:exam_score_chart", args=[data_set[0].pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")


def test_exam_without_graded_attempts_says_no_data(client, trainer, station):
    blueprint, _questions = fixed_blueprint()
    exam = published_exam(blueprint, UserFactory(unit=station))
    client.force_login(trainer)
    response = client.get(reverse("exams:exam_analysis", args=[exam.pk]))
    assert response.status_code == 200
    assert b'id="analysis-empty"' in response.content
    assert b"analysis-xlsx" not in response.content


def test_xlsx_has_the_sheets_and_is_audited(client, trainer, data_set):
    exam, _questions, _officers = data_set
    client.force_login(trainer)
    response = client.get(reverse("exams:exam_analysis_xlsx", args=[exam.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["概况", "按单位", "按类别", "试题分析"]
    assert [c.value for c in workbook["按单位"][1]] == ["单位", "人数", "平均分", "及格率（%）"]
    assert [c.value for c in workbook["试题分析"][1]][:8] == [
        "试题编号",
        "题型",
        "题干",
        "作答人次",
        "未作答",
        "难度系数",
        "区分度",
        "点二列相关",
    ]
    assert workbook["试题分析"].max_row == 6  # header + five questions
    summary = {row[0].value: row[1].value for row in workbook["概况"].iter_rows(min_row=2)}
    assert summary["平均分"] == 42.5 and summary["及格率（%）"] == 20.0
    entry = AuditEntry.objects.get(action="exams.analysis.exported")
    assert entry.actor == trainer and entry.target_id == str(exam.pk)
    assert entry.data["attempts"] == 10
    assert entry.data["rows"] == {"summary": 20, "units": 2, "categories": 2, "questions": 5}


def test_xlsx_without_data_is_refused_with_a_message(client, trainer, station):
    blueprint, _questions = fixed_blueprint()
    exam = published_exam(blueprint, UserFactory(unit=station))
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("exams:exam_analysis_xlsx", args=[exam.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exams:exam_analysis", args=[exam.pk])
    assert "nothing to export" in response.content.decode()
    assert not AuditEntry.objects.filter(action="exams.analysis.exported").exists()


@pytest.mark.parametrize("name", ["exam_analysis", "exam_score_chart", "exam_analysis_xlsx"])
def test_officers_may_not_see_the_analysis(client, officer, name, station):
    blueprint, _questions = fixed_blueprint()
    exam = published_exam(blueprint, officer)
    client.force_login(officer)
    assert client.get(reverse(f"exams:{name}", args=[exam.pk])).status_code == 403
    client.logout()
    assert client.get(reverse(f"exams:{name}", args=[exam.pk])).status_code == 302  # to the login page


def test_unknown_exam_and_personal_practice_are_not_found(client, trainer, officer):
    blueprint, _questions = fixed_blueprint()
    practice = published_exam(blueprint, officer, practice_for=officer, opens_at=timezone.now())
    client.force_login(trainer)
    assert client.get(reverse("exams:exam_analysis", args=[practice.pk])).status_code == 404
    assert client.get(reverse("exams:exam_analysis_xlsx", args=[practice.pk])).status_code == 404
    assert client.get(reverse("exams:exam_analysis", args=[999999])).status_code == 404
