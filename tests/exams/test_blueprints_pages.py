"""Trainer pages: blueprint list, editor with formsets and live availability, preview by seed,
drawing for print, and the three PDFs."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from exams.models import Blueprint, Paper, QuestionType
from exams.services import blueprint_create
from tests.exams.papers_support import knowledge_tree, make_bank, one_section_spec, rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    # The platform is Chinese unless the user picks English in the switcher (a cookie).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _editor_data(**overrides) -> dict:
    data = {
        "title": "基本级执法资格考试",
        "tier": "basic",
        "audience": "",
        "description": "",
        "status": "active",
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "max_overlap_percent": "",
        "multiple_scoring": "all_or_nothing",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "0",
        "sections-0-title": "单选题",
        "sections-0-instructions": "每题2分。",
        "sections-1-title": "判断题",
        "sections-1-instructions": "",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-0-section": "1",
        "rules-0-question_type": "single",
        "rules-0-knowledge_point": "",
        "rules-0-difficulty_min": "1",
        "rules-0-difficulty_max": "5",
        "rules-0-tier": "",
        "rules-0-audience": "",
        "rules-0-count": "4",
        "rules-0-points": "2",
        "rules-0-multiple_scoring": "",
        "rules-1-section": "2",
        "rules-1-question_type": "true_false",
        "rules-1-knowledge_point": "",
        "rules-1-difficulty_min": "1",
        "rules-1-difficulty_max": "5",
        "rules-1-tier": "",
        "rules-1-audience": "",
        "rules-1-count": "3",
        "rules-1-points": "1",
        "rules-1-multiple_scoring": "",
        "fixed-TOTAL_FORMS": "0",
        "fixed-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_blueprint_pages_are_for_trainers_only(client, officer, outsider, trainer):
    client.force_login(officer)
    assert client.get(reverse("exams:blueprint_list")).status_code == 403
    client.force_login(trainer)
    assert client.get(reverse("exams:blueprint_list")).status_code == 200


def test_a_trainer_creates_a_blueprint_with_two_sections(client, trainer):
    make_bank(6)
    make_bank(5, QuestionType.TRUE_FALSE)
    client.force_login(trainer)

    response = client.post(reverse("exams:blueprint_create"), _editor_data())

    blueprint = Blueprint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exams:blueprint_detail", args=[blueprint.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "单选题" in detail and "判断题" in detail
    assert blueprint.author == trainer


def test_saving_an_unmeetable_blueprint_shows_the_shortfall_and_keeps_the_input(client, trainer):
    make_bank(6)
    make_bank(2, QuestionType.TRUE_FALSE)
    client.force_login(trainer)

    response = client.post(reverse("exams:blueprint_create"), _editor_data())

    assert response.status_code == 400
    page = response.content.decode()
    assert "Section 2, rule 1: needs 3 questions, only 2 match." in page
    assert 'value="基本级执法资格考试"' in page
    assert not Blueprint.objects.exists()


def test_a_rule_naming_a_missing_section_is_explained(client, trainer):
    make_bank(6)
    client.force_login(trainer)

    response = client.post(reverse("exams:blueprint_create"), _editor_data(**{"rules-1-section": "5"}))

    assert "Rule row 2 names section 5, which is not on the page." in response.content.decode()


def test_the_edit_page_shows_the_saved_rules(client, trainer):
    points = knowledge_tree()
    make_bank(6, points=[points["现场处置"]])
    blueprint = blueprint_create(
        spec=one_section_spec(rule(count=4, knowledge_point_id=points["接处警"].pk)), actor=trainer
    )
    client.force_login(trainer)

    page = client.get(reverse("exams:blueprint_edit", args=[blueprint.pk])).content.decode()

    assert 'name="rules-0-count" value="4"' in page
    assert f'<option value="{points["接处警"].pk}" selected>' in page
    assert 'name="rules-TOTAL_FORMS" value="3"' in page  # the saved rule and two empty rows


def test_availability_is_counted_live_for_the_editor(client, trainer):
    points = knowledge_tree()
    make_bank(4, points=[points["现场处置"]], tier="intermediate")
    make_bank(3, points=[points["案件办理"]], tier="intermediate")
    client.force_login(trainer)
    url = reverse("exams:blueprint_availability")

    under_point = client.get(
        url,
        {
            "question_type": "single",
            "knowledge_point": points["接处警"].pk,
            "tier": "",
            "blueprint_tier": "intermediate",
        },
    )
    other_tier = client.get(url, {"question_type": "single", "tier": "basic", "blueprint_tier": "intermediate"})
    nonsense = client.get(url, {"question_type": "essay"})

    assert under_point.json() == {"available": 4}
    assert other_tier.json() == {"available": 0}
    assert nonsense.status_code == 400


def test_preview_picks_a_seed_and_shows_the_paper_with_answers_without_storing_it(client, trainer):
    make_bank(6)
    blueprint = blueprint_create(spec=one_section_spec(rule(count=3)), actor=trainer)
    client.force_login(trainer)

    redirect = client.get(reverse("exams:blueprint_preview", args=[blueprint.pk]))
    assert redirect.status_code == 302 and "?seed=" in redirect["Location"]
    first = client.get(redirect["Location"]).content.decode()
    again = client.get(redirect["Location"]).content.decode()

    assert "接到报警后" in first and "解析" in first
    assert re.findall(r"单选题\d+", first) == re.findall(r"单选题\d+", again)
    assert len(re.findall(r"单选题\d+", first)) == 3
    assert not Paper.objects.exists()


def test_drawing_for_print_stores_a_paper_and_offers_three_pdfs(client, trainer):
    make_bank(6)
    blueprint = blueprint_create(spec=one_section_spec(rule(count=3)), actor=trainer)
    client.force_login(trainer)

    response = client.post(reverse("exams:blueprint_draw", args=[blueprint.pk]), {"seed": "123", "context": "A卷"})

    paper = Paper.objects.get()
    assert response["Location"] == reverse("exams:paper_detail", args=[paper.pk])
    assert (paper.seed, paper.context, paper.created_by) == (123, "A卷", trainer)
    detail = client.get(response["Location"]).content.decode()
    assert "Today's bank gives exactly this paper for its seed." in detail
    for name in ("exams:paper_pdf", "exams:paper_key_pdf", "exams:paper_sheet_pdf"):
        pdf = client.get(reverse(name, args=[paper.pk]))
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_draw_the_bank_cannot_serve_is_explained_on_the_blueprint_page(client, trainer):
    questions = make_bank(3)
    blueprint = blueprint_create(spec=one_section_spec(rule(count=3)), actor=trainer)
    from exams.services import question_set_status

    question_set_status(questions=questions[:1], status="retired", actor=trainer)
    client.force_login(trainer)

    response = client.post(reverse("exams:blueprint_draw", args=[blueprint.pk]), {"seed": "1"}, follow=True)

    page = response.content.decode()
    assert "Section 1, rule 1: needs 3 questions, only 2 match." in page
    assert not Paper.objects.exists()
