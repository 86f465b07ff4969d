"""The bank's selector: filters, Chinese text search, status counts, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exams.models import QuestionStatus, QuestionType
from exams.selectors.questions import question_ids_matching, question_search, question_status_counts


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_knowledge_point_filter_includes_the_subtree(make_question, knowledge_tree):
    deep = make_question(knowledge_point_ids=[knowledge_tree["证据固定"].pk])
    middle = make_question(knowledge_point_ids=[knowledge_tree["现场处置"].pk])
    elsewhere = make_question(knowledge_point_ids=[knowledge_tree["伤情鉴定"].pk])
    make_question()  # untagged
    assert ids(question_search(knowledge_point=knowledge_tree["接处警"])) == {deep.pk, middle.pk}
    assert ids(question_search(knowledge_point=knowledge_tree["证据固定"].pk)) == {deep.pk}
    assert ids(question_search(knowledge_point=knowledge_tree["案件办理"])) == {elsewhere.pk}


def test_a_question_tagged_twice_in_the_subtree_is_listed_once(make_question, knowledge_tree):
    both = make_question(knowledge_point_ids=[knowledge_tree["现场处置"].pk, knowledge_tree["证据固定"].pk])
    results = list(question_search(knowledge_point=knowledge_tree["接处警"]))
    assert [q.pk for q in results] == [both.pk]


def test_type_tier_audience_and_status_filters(make_question):
    single = make_question(QuestionType.SINGLE, tier="basic", audiences=["all"])
    multiple = make_question(QuestionType.MULTIPLE, tier="intermediate", audiences=["auxiliary", "new_officer"])
    draft = make_question(QuestionType.TRUE_FALSE, tier="advanced", status=QuestionStatus.DRAFT, audiences=["all"])
    assert ids(question_search(type=QuestionType.MULTIPLE)) == {multiple.pk}
    assert ids(question_search(type=[QuestionType.SINGLE, QuestionType.TRUE_FALSE])) == {single.pk, draft.pk}
    assert ids(question_search(tier="intermediate")) == {multiple.pk}
    assert ids(question_search(audience="auxiliary")) == {multiple.pk}
    assert ids(question_search(audience="all")) == {single.pk, draft.pk}
    assert ids(question_search(status=QuestionStatus.DRAFT)) == {draft.pk}
    assert ids(question_search(status=[QuestionStatus.ACTIVE])) == {single.pk, multiple.pk}


def test_difficulty_exact_and_range(make_question):
    by_level = {level: make_question(difficulty=level) for level in range(1, 6)}
    assert ids(question_search(difficulty=3)) == {by_level[3].pk}
    assert ids(question_search(difficulty=(2, 4))) == {by_level[n].pk for n in (2, 3, 4)}
    assert ids(question_search(difficulty=(4, None))) == {by_level[4].pk, by_level[5].pk}
    assert ids(question_search(difficulty=range(1, 3))) == {by_level[1].pk, by_level[2].pk}


def test_chinese_text_search_finds_a_word_inside_a_sentence(make_question):
    injury = make_question(stem="<p>对于<b>轻伤害案件</b>，办案民警应当及时委托伤情鉴定。</p>")
    other = make_question(stem="<p>接警时应当问清报警人的联系方式。</p>")
    assert ids(question_search(text="伤害")) == {injury.pk}
    assert ids(question_search(text="伤情鉴定")) == {injury.pk}
    assert ids(question_search(text="报警人")) == {other.pk}


def test_text_search_normalises_the_query_like_the_stems(make_question):
    question = make_question(stem="<p>拘留后应当在２４小时以内，通知被拘留人的家属。</p>")
    # Width, punctuation and spaces inside a term do not matter; every term must match.
    assert ids(question_search(text="24小时")) == {question.pk}
    assert ids(question_search(text="以内，通知")) == {question.pk}
    assert ids(question_search(text="拘留 家属")) == {question.pk}
    assert ids(question_search(text="拘留 逮捕")) == set()


def test_status_counts_follow_the_other_filters(make_question):
    make_question(QuestionType.SINGLE)
    make_question(QuestionType.SINGLE, status=QuestionStatus.DRAFT)
    make_question(QuestionType.SINGLE, status=QuestionStatus.RETIRED)
    make_question(QuestionType.MULTIPLE)
    assert question_status_counts() == {"draft": 1, "active": 2, "retired": 1, "all": 4}
    assert question_status_counts(type=QuestionType.SINGLE, status=QuestionStatus.ACTIVE) == {
        "draft": 1,
        "active": 1,
        "retired": 1,
        "all": 3,
    }


def test_unknown_knowledge_point_matches_nothing(make_question):
    make_question()
    assert ids(question_search(knowledge_point=123_456)) == set()


def test_ids_matching_for_bulk_actions(make_question):
    first, second = make_question(QuestionType.SINGLE), make_question(QuestionType.SINGLE)
    make_question(QuestionType.MULTIPLE)
    assert question_ids_matching(type=QuestionType.SINGLE) == [first.pk, second.pk]


@pytest.mark.parametrize("count", [3, 30])
def test_a_page_of_results_costs_the_same_queries_whatever_its_size(make_question, knowledge_tree, count):
    for _ in range(count):
        make_question(knowledge_point_ids=[knowledge_tree["现场处置"].pk, knowledge_tree["伤情鉴定"].pk])
    with CaptureQueriesContext(connection) as queries:
        results = list(question_search(text="民警"))
        for question in results:
            _ = question.current_version.stem, [p.name for p in question.knowledge_points.all()]
    assert len(results) == count
    assert len(queries) == 2  # the questions with their current versions, then the knowledge points
