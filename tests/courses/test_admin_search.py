"""Wagtail's own page search (``Page.objects.search``, the admin's page search and the explorer's
search) finds pages by Chinese words inside Chinese text, like ``/courses/search/`` does."""

from __future__ import annotations

from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Page

from tests.courses.conftest import make_course, make_lesson


def _body(text: str) -> list[dict]:
    return [{"type": "rich_text", "value": f"<p>{text}</p>"}]


def _injury_case_lesson(course_index):
    course = make_course(course_index, "案件办理")
    lesson = make_lesson(course, "受案与立案", _body("对于轻伤害案件，办案民警应当及时开具鉴定委托书。"))
    make_lesson(course, "接警登记", _body("接警后应当及时出警。"))
    return lesson


def test_page_search_finds_the_injury_case_lesson_by_a_two_character_word(course_index):
    lesson = _injury_case_lesson(course_index)

    found = list(Page.objects.search("伤害"))

    assert [page.pk for page in found] == [lesson.pk]


def test_page_search_finds_words_inside_titles_and_ranks_title_hits_first(course_index):
    course = make_course(course_index, "伤害案件办理清单", summary="办理伤害案件的要点。")
    lesson = make_lesson(course, "伤情鉴定", _body("轻伤害案件应当及时委托鉴定。"))

    found = [page.pk for page in Page.objects.search("鉴定")]
    ranked = [page.pk for page in Page.objects.search("伤害")]

    assert found == [lesson.pk]  # 鉴定 is inside the title 伤情鉴定 and the text
    assert ranked == [course.pk, lesson.pk]  # the course has 伤害 in its title


def test_page_search_does_not_match_the_stored_block_structure(course_index):
    _injury_case_lesson(course_index)

    assert list(Page.objects.search("rich_text")) == []
    assert list(Page.objects.search("type")) == []


def test_page_search_finds_a_draft_by_its_title(course_index, trainer):
    course = make_course(course_index, "电子组卷规范")
    draft = make_lesson(course, "卷宗扫描要求", live=False)

    assert [page.pk for page in Page.objects.search("扫描")] == [draft.pk]


def test_trainer_finds_the_injury_case_lesson_in_the_admin_page_search(client, course_index, trainer):
    lesson = _injury_case_lesson(course_index)
    client.force_login(trainer)

    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "伤害"})

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[lesson.pk]) in html
    assert "接警登记" not in html


def test_trainer_finds_the_injury_case_lesson_searching_the_explorer(client, course_index, trainer):
    lesson = _injury_case_lesson(course_index)
    client.force_login(trainer)

    response = client.get(reverse("wagtailadmin_explore", args=[course_index.pk]), {"q": "伤害"})

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[lesson.pk]) in html
    assert "接警登记" not in html


def test_image_search_finds_a_word_inside_a_chinese_title(image):
    assert list(get_image_model().objects.search("示意")) == [image]
