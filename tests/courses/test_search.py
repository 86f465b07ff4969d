"""Chinese search. Runs on SQLite here; the same queries run on PostgreSQL (plain LIKE, no
backend-specific SQL), which the lead checks with DATABASE_URL set."""

from __future__ import annotations

from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from courses.models import SearchDocument
from courses.selectors import course_search
from courses.services import search_documents_rebuild
from tests.courses.conftest import make_course, make_lesson


def _body(text: str) -> list[dict]:
    return [{"type": "rich_text", "value": f"<p>{text}</p>"}]


def _titles(documents) -> list[str]:
    return [document.title for document in documents]


def test_searching_shanghai_finds_a_lesson_containing_qing_shanghai_anjian(client, officer, course_index):
    course = make_course(course_index, "案件办理")
    make_lesson(course, "受案与立案", _body("对于轻伤害案件，办案民警应当及时开具鉴定委托书。"))
    make_lesson(course, "接警登记", _body("接警后应当及时出警。"))
    client.force_login(officer)

    response = client.get(course_index.url + "search/", {"q": "伤害"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "受案与立案" in html
    assert "接警登记" not in html
    assert "<mark>伤害</mark>" in html


def test_searching_dianzi_zujuan_finds_the_e_case_file_course(client, officer, course_index):
    course = make_course(course_index, "电子组卷规范", summary="案卷材料的扫描、编目和网上流转要求。")
    make_lesson(course, "卷宗编目", _body("按照诉讼文书、证据材料顺序编排目录。"))
    make_course(course_index, "接处警规范")
    client.force_login(officer)

    response = client.get(course_index.url + "search/", {"q": "电子组卷"})

    html = response.content.decode()
    assert "电子组卷规范" in html
    assert "接处警规范" not in html
    documents, _terms = course_search(user=officer, query="电子组卷")
    assert _titles(documents)[0] == "电子组卷规范"


def test_every_term_must_match_and_title_hits_rank_first(officer, course_index):
    course = make_course(course_index, "伤害案件办理清单")
    make_lesson(course, "现场勘查", _body("伤害案件现场勘查要点：提取血迹、凶器。"))
    make_lesson(course, "伤情鉴定", _body("伤害案件伤情鉴定的委托与送达。"))
    make_lesson(course, "调解", _body("伤害案件的调解条件。"))

    documents, terms = course_search(user=officer, query="  伤害   鉴定 ")

    assert terms == ["伤害", "鉴定"]
    assert _titles(documents) == ["伤情鉴定"]
    ranked, _ = course_search(user=officer, query="伤害")
    assert _titles(ranked)[0] == "伤害案件办理清单"  # the title hit comes before text-only hits


def test_search_ignores_case_and_full_width_forms(officer, course_index):
    course = make_course(course_index, "信息化操作")
    make_lesson(course, "警综平台", _body("在PGIS地图上标注警情位置。"))

    documents, _ = course_search(user=officer, query="ｐｇｉｓ")

    assert _titles(documents) == ["警综平台"]


def test_unpublished_lessons_and_lessons_of_unpublished_courses_are_not_found(officer, course_index):
    course = make_course(course_index, "电子组卷规范")
    lesson = make_lesson(course, "卷宗扫描", _body("电子组卷的扫描分辨率要求。"))
    make_lesson(course, "草稿课时", _body("电子组卷草稿内容。"), live=False)
    assert _titles(course_search(user=officer, query="扫描")[0]) == ["卷宗扫描"]

    lesson.unpublish()
    assert _titles(course_search(user=officer, query="扫描")[0]) == []
    assert not SearchDocument.objects.filter(page=lesson).exists()

    other = make_lesson(course, "卷宗装订", _body("电子组卷完成后的纸质卷装订。"))
    course.unpublish()
    assert other.pk not in [d.page_id for d in course_search(user=officer, query="装订")[0]]


def test_pages_restricted_to_other_groups_are_not_found(officer, trainer, course_index):
    course = make_course(course_index, "法制员内部资料")
    make_lesson(course, "考评细则", _body("法制员季度考评的个人项目与单位项目。"))
    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="trainer")])

    assert _titles(course_search(user=officer, query="考评")[0]) == []
    assert _titles(course_search(user=trainer, query="考评")[0]) == ["考评细则"]


def test_empty_query_finds_nothing_and_shows_the_form(client, officer, course_index):
    make_course(course_index, "接处警规范")
    client.force_login(officer)

    response = client.get(course_index.url + "search/", {"q": "   "})

    assert response.status_code == 200
    assert course_search(user=officer, query="   ")[0].count() == 0


def test_rebuild_recreates_the_index_from_live_pages(officer, course_index):
    course = make_course(course_index, "接处警规范")
    make_lesson(course, "接警", _body("接警员应当问清报警人姓名和联系方式。"))
    SearchDocument.objects.all().delete()

    assert search_documents_rebuild() == 2
    assert _titles(course_search(user=officer, query="报警人")[0]) == ["接警"]


def test_moving_a_lesson_moves_its_search_row_to_the_new_course(officer, course_index):
    first = make_course(course_index, "接处警规范")
    second = make_course(course_index, "案件办理")
    lesson = make_lesson(first, "笔录制作", _body("询问笔录应当交被询问人核对。"))

    lesson.move(second, pos="last-child")

    assert SearchDocument.objects.get(page=lesson).course_id == second.pk


def test_overlong_query_gets_a_clear_message(client, officer, course_index):
    client.force_login(officer)

    response = client.get(course_index.search_url, {"q": "伤害" * 60})

    assert response.status_code == 200
    error = response.context["search_form"].errors["q"][0]
    assert "100" in error
    assert error in response.content.decode()
    assert response.context["results"] == []


def test_lesson_published_by_the_scheduler_becomes_searchable(officer, course_index):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone
    from wagtail.models import Revision

    from courses.models import LessonPage

    course = make_course(course_index, "接处警规范")
    lesson = course.add_child(
        instance=LessonPage(title="夜间出警", body=_body("夜间出警应当两人以上同行。"), live=False)
    )
    lesson.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = lesson.save_revision()
    revision.publish()  # scheduled, not live yet
    assert _titles(course_search(user=officer, query="夜间")[0]) == []

    # Let the scheduled time pass: both the approval and the revision's own go-live time.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision = Revision.objects.get(pk=revision.pk)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled", verbosity=0)

    assert _titles(course_search(user=officer, query="夜间")[0]) == ["夜间出警"]
