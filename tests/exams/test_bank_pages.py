"""The trainer's question bank pages: access, browsing, editing with versions, history, status."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from exams.models import Question, QuestionStatus, QuestionType
from exams.services import question_mark_drawn


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def base_form(**extra) -> dict:
    data = {"difficulty": "3", "tier": "basic", "audiences": ["all"], "explanation": "", "legal_basis": ""}
    data.update(extra)
    return data


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "auxiliary", "hr", "unit_leader"])
def test_bank_pages_are_forbidden_to_non_trainers(client, request, persona, make_question):
    question = make_question()
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("exams:bank_list"),
        reverse("exams:bank_create"),
        reverse("exams:bank_detail", args=[question.pk]),
        reverse("exams:bank_edit", args=[question.pk]),
        reverse("exams:bank_preview", args=[question.pk]),
        reverse("exams:bank_version", args=[question.pk, 1]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("exams:bank_status", args=[question.pk]), {"action": "retire"}).status_code == 403
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACTIVE


@pytest.mark.parametrize("persona", ["trainer", "legal_leader", "admin_user"])
def test_trainers_leaders_and_admins_may_use_the_bank(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("exams:bank_list")).status_code == 200


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("exams:bank_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_unknown_question_is_404(trainer_client):
    assert trainer_client.get(reverse("exams:bank_detail", args=[987654])).status_code == 404
    assert trainer_client.get(reverse("exams:bank_edit", args=[987654])).status_code == 404
    assert trainer_client.get(reverse("exams:bank_preview", args=[987654])).status_code == 404


def test_an_unknown_version_is_404(trainer_client, make_question):
    question = make_question()
    assert trainer_client.get(reverse("exams:bank_version", args=[question.pk, 7])).status_code == 404


def test_the_menu_shows_the_trainers_pages_to_trainers_only(trainer, officer):
    from exams.navigation import nav_items

    officer_pages = [reverse("exams:my_exams"), reverse("exams:notebook")]
    trainer_pages = [
        reverse("exams:bank_list"),
        reverse("exams:blueprint_list"),
        reverse("exams:exam_list"),
        reverse("exams:grading_queue"),
        reverse("exams:sampling_coverage"),
    ]
    assert [item.url for item in nav_items(trainer)] == officer_pages + trainer_pages
    assert [item.url for item in nav_items(officer)] == officer_pages


# --- list -------------------------------------------------------------------------------------------


def test_list_filters_by_text_type_and_knowledge_subtree(trainer_client, make_question, knowledge_tree):
    wanted = make_question(
        QuestionType.MULTIPLE,
        stem="<p>轻伤害案件受案后应当做哪些工作？</p>",
        knowledge_point_ids=[knowledge_tree["伤情鉴定"].pk],
    )
    make_question(QuestionType.SINGLE, stem="<p>轻伤害案件由哪个部门管辖？</p>")
    make_question(QuestionType.MULTIPLE, stem="<p>接警时应当问清哪些要素？</p>")
    response = trainer_client.get(
        reverse("exams:bank_list"),
        {"q": "伤害", "type": "multiple", "knowledge_point": knowledge_tree["案件办理"].pk},
    )
    assert [q.pk for q in response.context["questions"]] == [wanted.pk]
    content = response.content.decode()
    assert "轻伤害案件受案后应当做哪些工作" in content
    assert "案件办理 › 伤情鉴定" in content


def test_list_header_counts_questions_per_status(trainer_client, make_question):
    make_question()
    make_question(status=QuestionStatus.DRAFT)
    make_question(status=QuestionStatus.RETIRED)
    response = trainer_client.get(reverse("exams:bank_list"), {"status": "draft"})
    assert response.context["counts"] == {"draft": 1, "active": 1, "retired": 1, "all": 3}
    assert len(response.context["questions"]) == 1


def test_list_paginates_fifty_per_page(trainer_client, make_question):
    for _ in range(51):
        make_question()
    first = trainer_client.get(reverse("exams:bank_list"))
    second = trainer_client.get(reverse("exams:bank_list"), {"page": 2})
    assert len(first.context["questions"]) == 50
    assert len(second.context["questions"]) == 1


def test_list_with_invalid_filters_still_shows_the_bank(trainer_client, make_question):
    make_question()
    response = trainer_client.get(reverse("exams:bank_list"), {"difficulty_min": "9", "knowledge_point": "x"})
    assert response.status_code == 200
    assert len(response.context["questions"]) == 1


# --- create and edit ----------------------------------------------------------------------------------


def test_create_starts_with_a_choice_of_type(trainer_client):
    response = trainer_client.get(reverse("exams:bank_create"))
    assert response.status_code == 200
    assert "?type=fill_blank" in response.content.decode()


def test_create_a_single_choice_question(trainer_client, trainer, knowledge_tree):
    data = base_form(
        type="single",
        stem="民警在非工作时间遇到职责范围内的紧急情况，应当怎样做？",
        option_a="可以不管",
        option_b="应当履行职责",
        option_c="报告后离开",
        answer="B",
        knowledge_points=[knowledge_tree["现场处置"].pk],
        legal_basis="《中华人民共和国人民警察法》第十九条",
    )
    response = trainer_client.post(reverse("exams:bank_create"), data)
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:bank_detail", args=[question.pk])
    assert question.status == QuestionStatus.ACTIVE
    assert question.author == trainer
    version = question.current_version
    assert [o["key"] for o in version.options] == ["A", "B", "C"]
    assert version.answer == "B"
    assert list(question.knowledge_points.all()) == [knowledge_tree["现场处置"]]


def test_create_as_draft(trainer_client):
    data = base_form(type="true_false", stem="辅警可以单独询问违法嫌疑人。", answer="false", save_draft="1")
    trainer_client.post(reverse("exams:bank_create"), data)
    question = Question.objects.get()
    assert question.status == QuestionStatus.DRAFT
    assert question.current_version.answer is False


def test_create_a_fill_blank_question_with_alternatives_per_line(trainer_client):
    data = base_form(
        type="fill_blank",
        stem="拘留后，应当立即将被拘留人送看守所羁押，至迟不得超过____；并在拘留后____以内通知家属。",
        answer="24小时 | 二十四小时\n24小时｜二十四小时|一天",
    )
    trainer_client.post(reverse("exams:bank_create"), data)
    assert Question.objects.get().current_version.answer == [
        ["24小时", "二十四小时"],
        ["24小时", "二十四小时", "一天"],
    ]


def test_create_a_short_answer_question_with_reference_and_rubric(trainer_client):
    data = base_form(
        type="short_answer",
        stem="某饭店发生肢体冲突，一方额头流血。请简述到场处置要点。",
        reference_answer="开启执法记录仪；救助伤员；隔离双方；固定证据。",
        rubric="每个要点2.5分。",
        tier="intermediate",
    )
    trainer_client.post(reverse("exams:bank_create"), data)
    version = Question.objects.get().current_version
    assert version.reference_answer.startswith("开启执法记录仪")
    assert version.rubric == "每个要点2.5分。"
    assert version.answer is None


def test_invalid_question_shows_each_message_next_to_its_field(trainer_client):
    data = base_form(type="multiple", stem="", option_a="甲", option_b="", option_c="丙", answer=["A"])
    response = trainer_client.post(reverse("exams:bank_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["stem"] == ["The stem is empty."]
    assert form.errors["options"] == ["Option B is empty."]
    assert form.errors["answer"] == ["A multiple-choice question has at least two correct options."]
    content = response.content.decode()
    assert 'id="id_stem_error"' in content
    assert "Option B is empty." in content
    assert not Question.objects.exists()


def test_fill_blank_errors_name_the_blank(trainer_client):
    data = base_form(type="fill_blank", stem="（ ）内通知家属，（ ）内讯问。", answer="24小时")
    response = trainer_client.post(reverse("exams:bank_create"), data)
    assert response.context["form"].errors["answer"] == [
        "The stem marks 2 blanks but answers are given for 1; give one line of accepted answers per blank."
    ]


def test_edit_form_shows_the_current_content(trainer_client, make_question):
    question = make_question(QuestionType.FILL_BLANK)
    response = trainer_client.get(reverse("exams:bank_edit", args=[question.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["answer"] == "24小时 | 二十四小时 | 24"


def post_edit(client, question, **changes):
    form = client.get(reverse("exams:bank_edit", args=[question.pk])).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "knowledge_points":
            value = [getattr(point, "pk", point) for point in value or []]
        if value is not None:
            data[name] = value
    data.update(changes)
    return client.post(reverse("exams:bank_edit", args=[question.pk]), data)


def test_editing_a_drawn_question_makes_version_two_and_says_so(trainer_client, make_question):
    question = make_question(QuestionType.SINGLE)
    question_mark_drawn(version_ids=[question.current_version_id])
    response = post_edit(trainer_client, question, stem="修改后的题干：接警后应当首先做什么？")
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.current_version.number == 2
    detail = trainer_client.get(response["Location"])
    content = detail.content.decode()
    assert "Saved as version 2. Papers already drawn keep version 1" in content
    assert reverse("exams:bank_version", args=[question.pk, 1]) in content
    assert reverse("exams:bank_version", args=[question.pk, 2]) in content


def test_the_edit_page_warns_when_the_version_is_in_papers(trainer_client, make_question):
    question = make_question()
    question_mark_drawn(version_ids=[question.current_version_id])
    content = trainer_client.get(reverse("exams:bank_edit", args=[question.pk])).content.decode()
    assert "Version 1 has been drawn into papers" in content


def test_saving_without_changes_says_nothing_changed(trainer_client, make_question):
    question = make_question(QuestionType.MULTIPLE)
    response = post_edit(trainer_client, question)
    assert response.status_code == 302
    assert "Nothing was changed." in trainer_client.get(response["Location"]).content.decode()


def test_a_retired_question_cannot_be_opened_for_editing(trainer_client, make_question):
    question = make_question(status=QuestionStatus.RETIRED)
    response = trainer_client.get(reverse("exams:bank_edit", args=[question.pk]), follow=True)
    assert "A retired question cannot be edited" in response.content.decode()


# --- detail, versions, status ---------------------------------------------------------------------------


def test_an_earlier_version_stays_viewable(trainer_client, make_question, trainer):
    question = make_question(QuestionType.SINGLE, stem="<p>第一版题干</p>")
    question_mark_drawn(version_ids=[question.current_version_id])
    post_edit(trainer_client, question, stem="第二版题干")
    old = trainer_client.get(reverse("exams:bank_version", args=[question.pk, 1]))
    content = old.content.decode()
    assert "第一版题干" in content
    assert "This is an earlier version" in content
    current = trainer_client.get(reverse("exams:bank_detail", args=[question.pk])).content.decode()
    assert "第二版题干" in current


def test_retire_and_reactivate_from_the_detail_page(trainer_client, make_question):
    question = make_question()
    url = reverse("exams:bank_status", args=[question.pk])
    trainer_client.post(url, {"action": "retire"})
    question.refresh_from_db()
    assert question.status == QuestionStatus.RETIRED
    assert Question.objects.filter(pk=question.pk).exists()
    trainer_client.post(url, {"action": "activate"})
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACTIVE


def test_status_change_needs_post(trainer_client, make_question):
    question = make_question()
    assert trainer_client.get(reverse("exams:bank_status", args=[question.pk])).status_code == 405


def test_detail_page_shows_tags_current_version_with_key_and_history(trainer_client, make_question, knowledge_tree):
    question = make_question(
        QuestionType.SINGLE,
        knowledge_point_ids=[knowledge_tree["证据固定"].pk],
        explanation="解析：受案后应当立即登记。",
        audiences=["auxiliary"],
    )
    response = trainer_client.get(reverse("exams:bank_detail", args=[question.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "接处警 › 现场处置 › 证据固定" in content
    assert "解析：受案后应当立即登记。" in content
    assert "Auxiliary officers" in content
    assert reverse("exams:bank_version", args=[question.pk, 1]) in content
