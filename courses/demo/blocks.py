"""Small constructors for lesson StreamField data (raw JSON form), so demo content reads as content."""

from __future__ import annotations

import uuid


def _list_items(values: list[dict]) -> list[dict]:
    """ListBlock data in Wagtail's current form: each item carries a stable id."""
    return [{"type": "item", "value": value, "id": str(uuid.uuid4())} for value in values]


def text(html: str) -> dict:
    return {"type": "rich_text", "value": html}


def provision(law_name: str, article: str, body: str, note: str = "") -> dict:
    return {"type": "legal_provision", "value": {"law_name": law_name, "article": article, "text": body, "note": note}}


def checklist(title: str, items: list[tuple[str, str, bool, str]], intro: str = "") -> dict:
    """items: (what must be done, legal basis, required?, evidence that proves it)."""
    return {
        "type": "checklist",
        "value": {
            "title": title,
            "intro": intro,
            "items": _list_items(
                [
                    {"text": what, "legal_basis": basis, "required": required, "evidence": evidence}
                    for what, basis, required, evidence in items
                ]
            ),
        },
    }


def procedure(title: str, steps: list[tuple[str, str, str, str]]) -> dict:
    """steps: (step, responsible, time limit, details)."""
    return {
        "type": "procedure",
        "value": {
            "title": title,
            "steps": _list_items(
                [
                    {"action": action, "responsible": who, "time_limit": limit, "details": details}
                    for action, who, limit, details in steps
                ]
            ),
        },
    }


def case_study(title: str, facts: str, analysis_html: str, lessons: str) -> dict:
    return {
        "type": "case_study",
        "value": {"title": title, "facts": facts, "analysis": analysis_html, "lessons_learned": lessons},
    }


def callout(level: str, title: str, body: str) -> dict:
    return {"type": "callout", "value": {"level": level, "title": title, "text": body}}


def image(image_id: int, caption: str, alt_text: str = "") -> dict:
    return {"type": "image", "value": {"image": image_id, "alt_text": alt_text, "caption": caption}}


def document(document_id: int, description: str) -> dict:
    return {"type": "document", "value": {"document": document_id, "description": description}}


def video(video_id: int, caption: str, *, poster_id: int | None = None, transcript: str = "") -> dict:
    return {
        "type": "video",
        "value": {"video": video_id, "poster": poster_id, "caption": caption, "transcript": transcript},
    }
