"""Trainers write study material in the Wagtail admin; what they submit waits for the leader."""

from __future__ import annotations

from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.models import Audience, CoursePage, LessonPage, Tier
from tests.courses.conftest import make_course


def _list(values: list[dict]) -> dict:
    data = {str(i): {"value": value, "deleted": "", "order": str(i), "id": ""} for i, value in enumerate(values)}
    data["count"] = str(len(values))
    return data


def _lesson_form(knowledge_point_ids: list[int]) -> dict:
    return nested_form_data(
        {
            "title": "轻伤害案件受案要点",
            "slug": "minor-injury-intake",
            "summary": "",
            "body": streamfield(
                [
                    ("rich_text", rich_text("<p>办理轻伤害案件时，受案环节要按刑事案件标准取证。</p>")),
                    (
                        "checklist",
                        {
                            "title": "受案自查",
                            "intro": "",
                            "items": _list(
                                [
                                    {
                                        "text": "制作受案登记表",
                                        "legal_basis": "",
                                        "required": "on",
                                        "evidence": "受案登记表",
                                    },
                                    {"text": "开具受案回执", "legal_basis": "", "required": "on", "evidence": ""},
                                ]
                            ),
                        },
                    ),
                ]
            ),
            "min_read_seconds": "180",
            "comments": inline_formset([]),
        }
    ) | {"knowledge_points": [str(pk) for pk in knowledge_point_ids], "action-submit": "1"}


def test_trainer_writes_a_lesson_with_a_checklist_and_submits_it(client, course_index, trainer, knowledge_tree):
    course = make_course(course_index, "伤害案件办理清单")
    client.force_login(trainer)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", course.pk]),
        _lesson_form([knowledge_tree["register"].pk]),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    lesson = LessonPage.objects.get(slug="minor-injury-intake")
    assert not lesson.live
    state = WorkflowState.objects.get(object_id=str(lesson.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "法制大队审核"
    draft = lesson.get_latest_revision_as_object()
    checklist = next(block for block in draft.body if block.block_type == "checklist")
    assert [item["text"] for item in checklist.value["items"]] == ["制作受案登记表", "开具受案回执"]
    assert list(draft.knowledge_points.all()) == [knowledge_tree["register"]]


def test_trainer_edits_course_audience_and_tier_in_the_admin(client, course_index, trainer):
    course = make_course(course_index, "辅警信息化操作", audiences=[Audience.ALL])
    client.force_login(trainer)
    edit_url = reverse("wagtailadmin_pages:edit", args=[course.pk])
    assert 'value="auxiliary"' in client.get(edit_url).content.decode()

    response = client.post(
        edit_url,
        nested_form_data(
            {
                "title": course.title,
                "slug": course.slug,
                "summary": "面向辅警的信息化操作课程。",
                "tier": Tier.INTERMEDIATE,
                "estimated_minutes": "40",
                "comments": inline_formset([]),
            }
        )
        | {"audiences": [Audience.AUXILIARY, Audience.NEW_OFFICER]},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    draft = CoursePage.objects.get(pk=course.pk).get_latest_revision_as_object()
    assert draft.audiences == [Audience.NEW_OFFICER, Audience.AUXILIARY]
    assert draft.tier == Tier.INTERMEDIATE


def test_course_without_an_audience_cannot_be_submitted(client, course_index, trainer):
    """Drafts may be incomplete (Wagtail defers required fields); submitting for approval may not."""
    course = make_course(course_index, "接处警规范")
    client.force_login(trainer)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        nested_form_data(
            {
                "title": course.title,
                "slug": course.slug,
                "summary": course.summary,
                "tier": Tier.BASIC,
                "estimated_minutes": "30",
                "comments": inline_formset([]),
            }
        )
        | {"action-submit": "1"},
    )

    assert response.status_code == 200
    assert "audiences" in response.context["form"].errors
    assert not WorkflowState.objects.filter(object_id=str(course.pk)).exists()
