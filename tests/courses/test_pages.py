from __future__ import annotations

from django.urls import reverse

from courses.models import Audience, Tier
from tests.courses.conftest import full_body, make_course, make_lesson


def test_course_index_is_created_by_migration_at_courses(course_index):
    assert course_index.live
    assert course_index.url == "/courses/"
    assert course_index.get_parent().specific_class.__name__ == "HomePage"


def test_lesson_with_every_block_renders_for_officer(client, officer, course_index, image, document, video):
    course = make_course(course_index, "伤害案件办理清单")
    lesson = make_lesson(course, "受案登记", full_body(image=image, document=document, video=video))
    client.force_login(officer)

    response = client.get(lesson.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "轻伤害案件" in html
    assert "《中华人民共和国治安管理处罚法》" in html and "第四十三条" in html
    assert "当场制作受案登记表" in html and "开具受案回执" in html and "告知当事人调解途径" in html
    assert "受案登记表" in html  # evidence of the first checklist item
    assert "0</span>/<span data-checklist-total>3" in html  # the "x/y done" counter starts at 0/3
    assert "伤情鉴定流程" in html and "收到后五日内" in html
    assert "邻里纠纷致轻伤案" in html and "及时委托鉴定" in html
    assert "严禁以调解代替立案" in html and "callout-warning" in html
    assert 'src="/media/images/' in html or "/images/" in html
    assert document.url in html
    assert f'<source src="{video.url}" type="video/mp4">' in html
    assert "<iframe" not in html  # no external embeds
    assert "courses/checklist.js" in html


def test_checklist_items_keep_their_order_and_required_flags(client, officer, course_index, image, document, video):
    course = make_course(course_index, "伤害案件办理清单")
    lesson = make_lesson(course, "受案登记", full_body(image=image, document=document, video=video))
    client.force_login(officer)

    html = client.get(lesson.url).content.decode()

    first, second, third = (html.index(text) for text in ("当场制作受案登记表", "开具受案回执", "告知当事人调解途径"))
    assert first < second < third
    checklist = html[html.index("受案登记自查清单") : html.index("伤情鉴定流程")]
    assert checklist.count("is-required") == 2
    assert checklist.count("is-optional") == 1


def test_anonymous_visitor_is_sent_to_login_from_lesson_course_index_and_search(client, course_index):
    course = make_course(course_index, "接处警规范")
    lesson = make_lesson(course, "接警登记")

    for url in (lesson.url, course.url, course_index.url, course_index.url + "search/?q=接警"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("portal:login") + "?next=")


def test_course_page_lists_live_lessons_in_order(client, officer, course_index):
    course = make_course(course_index, "电子组卷规范")
    make_lesson(course, "第一课 组卷原则")
    make_lesson(course, "第二课 扫描要求", live=False)
    make_lesson(course, "第三课 卷宗目录")
    client.force_login(officer)

    html = client.get(course.url).content.decode()

    assert html.index("第一课 组卷原则") < html.index("第三课 卷宗目录")
    assert "第二课 扫描要求" not in html


def test_course_index_filters_by_audience_and_tier(client, officer, course_index):
    make_course(course_index, "辅警信息化操作", audiences=[Audience.AUXILIARY], tier=Tier.BASIC)
    make_course(course_index, "中层领导法治思维", audiences=[Audience.MIDDLE_LEADER], tier=Tier.ADVANCED)
    make_course(course_index, "全警执法规范", audiences=[Audience.ALL], tier=Tier.BASIC)
    client.force_login(officer)

    everything = client.get(course_index.url).content.decode()
    auxiliary = client.get(course_index.url, {"audience": Audience.AUXILIARY}).content.decode()
    advanced = client.get(course_index.url, {"tier": Tier.ADVANCED}).content.decode()

    assert all(title in everything for title in ("辅警信息化操作", "中层领导法治思维", "全警执法规范"))
    assert "辅警信息化操作" in auxiliary and "全警执法规范" in auxiliary  # 全警 courses are for everyone
    assert "中层领导法治思维" not in auxiliary
    assert "中层领导法治思维" in advanced and "辅警信息化操作" not in advanced


def test_course_index_ignores_unknown_filter_values(client, officer, course_index):
    make_course(course_index, "接处警规范")
    client.force_login(officer)

    response = client.get(course_index.url, {"audience": "nonsense"})

    assert response.status_code == 200
    assert "接处警规范" in response.content.decode()


def test_audiences_are_stored_portably_and_read_back_in_choice_order(course_index):
    course = make_course(course_index, "法制员业务", audiences=[Audience.LEGAL_OFFICER, Audience.NEW_OFFICER])

    course.refresh_from_db()

    assert course.audiences == [Audience.NEW_OFFICER, Audience.LEGAL_OFFICER]
    assert type(course).objects.filter(audiences__contains=",legal_officer,").exists()


def test_video_block_rejects_a_document_that_is_not_a_video(document, video):
    import pytest
    from django.core.exceptions import ValidationError

    from courses.blocks import VideoDocumentChooserBlock

    block = VideoDocumentChooserBlock()
    assert block.clean(video) == video
    with pytest.raises(ValidationError):
        block.clean(document)


def test_course_slug_search_is_reserved(course_index):
    import pytest
    from django.core.exceptions import ValidationError

    from courses.models import CoursePage

    with pytest.raises(ValidationError):
        course_index.add_child(instance=CoursePage(title="搜索", slug="search", summary="x", audiences=["all"]))
