"""Fixtures for study-material tests: the migrated course index, media files, and a lesson that
uses every block type."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from courses.models import Audience, CourseIndexPage, CoursePage, KnowledgePoint, LessonPage, Tier


@pytest.fixture
def course_index(db) -> CourseIndexPage:
    """The 课程中心 page the data migration created at /courses/."""
    return CourseIndexPage.objects.get()


@pytest.fixture
def image(db):
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 36), (26, 75, 140)).save(buffer, format="PNG")
    return get_image_model().objects.create(title="现场示意图", file=ImageFile(buffer, name="scene.png"))


@pytest.fixture
def document(db):
    return get_document_model().objects.create(
        title="受案登记表（样表）", file=ContentFile(b"%PDF-1.4\n% demo\n", name="register.pdf")
    )


@pytest.fixture
def video(db):
    return get_document_model().objects.create(
        title="执法记录仪使用演示", file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="bodycam.mp4")
    )


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_course(index, title: str, **fields) -> CoursePage:
    fields.setdefault("summary", f"{title}的课程简介。")
    fields.setdefault("audiences", [Audience.ALL])
    fields.setdefault("tier", Tier.BASIC)
    course = index.add_child(instance=CoursePage(title=title, **fields))
    return publish(course)


def make_lesson(course, title: str, body=None, *, live: bool = True, **fields) -> LessonPage:
    body = body if body is not None else [{"type": "rich_text", "value": f"<p>{title}的正文。</p>"}]
    lesson = course.add_child(instance=LessonPage(title=title, body=body, live=False, **fields))
    return publish(lesson) if live else lesson


def full_body(*, image, document, video) -> list[dict]:
    """Raw StreamField data with one block of every type."""
    return [
        {"type": "rich_text", "value": "<p>办理<b>轻伤害案件</b>应当依法、全面、及时收集证据。</p>"},
        {
            "type": "legal_provision",
            "value": {
                "law_name": "中华人民共和国治安管理处罚法",
                "article": "第四十三条",
                "text": "殴打他人的，或者故意伤害他人身体的，处五日以上十日以下拘留，并处二百元以上五百元以下罚款。",
                "note": "",
            },
        },
        {
            "type": "checklist",
            "value": {
                "title": "受案登记自查清单",
                "intro": "",
                "items": [
                    {
                        "text": "当场制作受案登记表",
                        "legal_basis": "《公安机关办理刑事案件程序规定》第一百七十四条",
                        "required": True,
                        "evidence": "受案登记表",
                    },
                    {"text": "开具受案回执", "legal_basis": "", "required": True, "evidence": "受案回执存根"},
                    {"text": "告知当事人调解途径", "legal_basis": "", "required": False, "evidence": ""},
                ],
            },
        },
        {
            "type": "procedure",
            "value": {
                "title": "伤情鉴定流程",
                "steps": [
                    {"action": "开具鉴定委托书", "responsible": "办案民警", "time_limit": "受案后及时", "details": ""},
                    {"action": "送达鉴定意见", "responsible": "办案民警", "time_limit": "收到后五日内", "details": ""},
                ],
            },
        },
        {
            "type": "case_study",
            "value": {
                "title": "邻里纠纷致轻伤案",
                "facts": "甲乙因琐事发生争执。",
                "analysis": "<p>应先行固定现场证据。</p>",
                "lessons_learned": "及时委托鉴定。",
            },
        },
        {"type": "callout", "value": {"level": "warning", "title": "注意", "text": "严禁以调解代替立案。"}},
        {"type": "image", "value": {"image": image.pk, "alt_text": "", "caption": "现场方位示意"}},
        {"type": "document", "value": {"document": document.pk, "description": "打印后填写"}},
        {"type": "video", "value": {"video": video.pk, "poster": None, "caption": "演示视频", "transcript": ""}},
    ]


@pytest.fixture
def knowledge_tree(db) -> dict[str, KnowledgePoint]:
    """接处警 › 现场处置 › 证据固定, 接处警 › 受案登记, and 案件办理 (a separate root)."""
    response = KnowledgePoint.add_root(name="接处警")
    scene = response.add_child(name="现场处置")
    evidence = KnowledgePoint.objects.get(pk=scene.pk).add_child(name="证据固定")
    register = KnowledgePoint.objects.get(pk=response.pk).add_child(name="受案登记")
    cases = KnowledgePoint.add_root(name="案件办理")
    return {"response": response, "scene": scene, "evidence": evidence, "register": register, "cases": cases}


# --- study: assignments, progress, discussions ----------------------------------------------------


@pytest.fixture
def study_course(course_index) -> tuple[CoursePage, list[LessonPage]]:
    """A live course with three live lessons of one minute's reading each."""
    course = make_course(course_index, "伤害案件办理清单", slug="injury-cases")
    lessons = [make_lesson(course, title, min_read_seconds=60) for title in ("受案登记", "伤情鉴定", "调解与立案")]
    return course, lessons


def assign(course, *, by, due_date=None, note: str = "", **audience):
    """Assign through the service; ``audience`` takes AudienceSpec's fields (tuples or lists)."""
    import datetime

    from django.utils import timezone

    from courses.services import assignment_create
    from people.models.audience import AudienceSpec

    due_date = due_date or timezone.localdate() + datetime.timedelta(days=14)
    spec = AudienceSpec(**{key: tuple(value) for key, value in audience.items()})
    return assignment_create(actor=by, course=course, due_date=due_date, audience=spec, note=note)


def learn(officer, lesson) -> None:
    """Open the lesson long enough ago and mark it learned."""
    import datetime

    from django.utils import timezone

    from courses.services import lesson_mark_learned, lesson_open

    now = timezone.now()
    lesson_open(officer=officer, lesson=lesson, now=now - datetime.timedelta(seconds=lesson.min_read_seconds + 1))
    lesson_mark_learned(officer=officer, lesson=lesson, now=now)
