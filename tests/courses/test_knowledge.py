from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses.models import KnowledgePoint
from courses.selectors import knowledge_point_full_names, knowledge_point_subtree, lessons_for_knowledge_point
from courses.services import knowledge_point_create, knowledge_point_update
from portal.models import AuditEntry
from tests.courses.conftest import make_course, make_lesson


def test_subtree_holds_the_point_and_everything_below_it(knowledge_tree):
    names = [point.name for point in knowledge_point_subtree(knowledge_tree["response"])]

    assert names == ["接处警", "现场处置", "证据固定", "受案登记"]
    assert [p.name for p in knowledge_point_subtree(knowledge_tree["scene"], include_self=False)] == ["证据固定"]
    assert [p.name for p in knowledge_point_subtree(knowledge_tree["cases"].pk)] == ["案件办理"]


def test_full_names_read_from_the_root(knowledge_tree):
    evidence = knowledge_tree["evidence"]

    names = knowledge_point_full_names([evidence, knowledge_tree["cases"]])

    assert names[evidence.pk] == "接处警 › 现场处置 › 证据固定"
    assert names[knowledge_tree["cases"].pk] == "案件办理"
    assert evidence.full_name == names[evidence.pk]


def test_lessons_tagged_below_a_point_are_found_from_the_point(course_index, knowledge_tree):
    course = make_course(course_index, "接处警规范")
    tagged = make_lesson(course, "现场证据固定")
    tagged.knowledge_points.set([knowledge_tree["evidence"]])
    tagged.save_revision().publish()
    make_lesson(course, "未标注课时")

    assert list(lessons_for_knowledge_point(knowledge_tree["response"])) == [tagged]
    assert list(lessons_for_knowledge_point(knowledge_tree["response"], include_subtree=False)) == []


def test_lesson_page_shows_its_knowledge_points(client, officer, course_index, knowledge_tree):
    course = make_course(course_index, "接处警规范")
    lesson = make_lesson(course, "现场证据固定")
    lesson.knowledge_points.set([knowledge_tree["evidence"]])
    lesson.save_revision().publish()
    client.force_login(officer)

    html = client.get(lesson.url).content.decode()

    assert 'title="接处警 › 现场处置 › 证据固定"' in html


def test_create_and_move_keep_the_tree_and_write_audit_entries(trainer, knowledge_tree):
    point = knowledge_point_create(actor=trainer, name="询问笔录", parent=knowledge_tree["evidence"])
    assert point.get_parent() == knowledge_tree["evidence"]

    moved = knowledge_point_update(actor=trainer, point=point, name="询问笔录", parent=knowledge_tree["cases"])

    assert moved.get_parent().pk == knowledge_tree["cases"].pk
    actions = list(AuditEntry.objects.filter(target_id=str(point.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["courses.knowledge_point.created", "courses.knowledge_point.updated"]


def test_a_point_cannot_move_under_its_own_descendant(trainer, knowledge_tree):
    with pytest.raises(ValidationError):
        knowledge_point_update(
            actor=trainer, point=knowledge_tree["response"], name="接处警", parent=knowledge_tree["evidence"]
        )
    assert KnowledgePoint.objects.get(pk=knowledge_tree["response"].pk).is_root()


def test_siblings_cannot_share_a_name(trainer, knowledge_tree):
    with pytest.raises(ValidationError):
        knowledge_point_create(actor=trainer, name="现场处置", parent=knowledge_tree["response"])


def test_trainer_adds_a_knowledge_point_in_the_wagtail_admin(client, trainer, knowledge_tree):
    client.force_login(trainer)

    assert client.get(reverse("courses_knowledge_points:index")).status_code == 200
    response = client.post(
        reverse("courses_knowledge_points:add"),
        {"parent": knowledge_tree["scene"].pk, "name": "现场照相", "code": "", "description": ""},
    )

    assert response.status_code == 302
    point = KnowledgePoint.objects.get(name="现场照相")
    assert point.get_parent().pk == knowledge_tree["scene"].pk


def test_admin_form_explains_a_duplicate_name(client, trainer, knowledge_tree):
    client.force_login(trainer)

    response = client.post(
        reverse("courses_knowledge_points:add"),
        {"parent": knowledge_tree["response"].pk, "name": "现场处置", "code": "", "description": ""},
    )

    assert response.status_code == 200
    assert KnowledgePoint.objects.filter(name="现场处置").count() == 1


def test_admin_moves_a_point_by_changing_its_parent(client, trainer, knowledge_tree):
    client.force_login(trainer)
    point = knowledge_tree["register"]

    response = client.post(
        reverse("courses_knowledge_points:edit", args=[point.pk]),
        {"parent": knowledge_tree["cases"].pk, "name": "受案登记", "code": "SA", "description": ""},
    )

    assert response.status_code == 302
    point = KnowledgePoint.objects.get(pk=point.pk)
    assert point.get_parent().pk == knowledge_tree["cases"].pk
    assert point.code == "SA"


def test_officer_cannot_open_the_knowledge_point_admin(client, officer):
    client.force_login(officer)

    response = client.get(reverse("courses_knowledge_points:index"))

    assert response.status_code == 302
