"""Writes to the question bank: create, edit (with versions), status changes, re-tagging."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import KnowledgePoint
from courses.models.choices import Audience, Tier
from exams.models import Question, QuestionKnowledgePoint, QuestionStatus, QuestionType, QuestionVersion
from exams.models.questions import OPTION_KEYS
from exams.text import clean_html, count_blank_marks, normalize_stem, plain_text
from portal.services import audit_log

ERRORS = {
    "stem_empty": _("The stem is empty."),
    "type_unknown": _("Unknown question type."),
    "options_too_few": _("A choice question needs at least two options."),
    "options_too_many": _("At most eight options (A–H)."),
    "option_empty": _("Option %(key)s is empty."),
    "answer_not_an_option": _("The answer must be one of the options (%(keys)s)."),
    "single_one_answer": _("A single-choice question has exactly one correct option."),
    "multiple_two_answers": _("A multiple-choice question has at least two correct options."),
    "true_false_answer": _("The answer of a true/false question is true or false."),
    "blanks_missing": _("Give the accepted answers of every blank."),
    "blank_empty": _("Blank %(number)s has no accepted answer."),
    "difficulty_range": _("Difficulty is from 1 to 5."),
    "tier_unknown": _("Unknown tier."),
    "audience_unknown": _("Unknown audience: %(value)s."),
    "retired_edit": _("A retired question cannot be edited; reactivate it first."),
    "blank_count": _(
        "The stem marks %(marks)s blanks but answers are given for %(answers)s; give one line of accepted "
        "answers per blank."
    ),
    "type_in_use": _("The type of a question already drawn into a paper cannot change; create a new question instead."),
    "status_unknown": _("Unknown status."),
}


@dataclass
class QuestionContent:
    """Everything a trainer (or an import) states about a question."""

    type: str
    stem: str
    options: list[dict] = field(default_factory=list)
    answer: object = None
    explanation: str = ""
    legal_basis: str = ""
    reference_answer: str = ""
    rubric: str = ""
    difficulty: int = 3
    tier: str = Tier.BASIC
    audiences: list[str] = field(default_factory=list)
    knowledge_point_ids: list[int] = field(default_factory=list)

    VERSIONED = ("stem", "options", "answer", "explanation", "legal_basis", "reference_answer", "rubric")
    CATALOGUE = ("type", "difficulty", "tier", "audiences")

    @classmethod
    def from_question(cls, question: Question) -> QuestionContent:
        version = question.current_version
        return cls(
            type=question.type,
            difficulty=question.difficulty,
            tier=question.tier,
            audiences=list(question.audiences),
            knowledge_point_ids=sorted(link.knowledge_point_id for link in question.knowledge_point_links.all()),
            **{name: getattr(version, name) for name in cls.VERSIONED},
        )

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def question_validate(content: QuestionContent) -> dict[str, list[str]]:
    """Field → messages. Empty when the content is a valid question. Normalises in place
    (sorted multiple-choice keys, trimmed options)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, code: str, **params) -> None:
        errors.setdefault(name, []).append(str(ERRORS[code]) % params if params else str(ERRORS[code]))

    if content.type not in QuestionType.values:
        add("type", "type_unknown")
        return errors
    content.stem = clean_html(content.stem)
    if not plain_text(content.stem) and "<img" not in content.stem:
        add("stem", "stem_empty")
    try:
        content.difficulty = int(content.difficulty)
    except (TypeError, ValueError):
        content.difficulty = 0
    if not (1 <= content.difficulty <= 5):
        add("difficulty", "difficulty_range")
    if content.tier not in Tier.values:
        add("tier", "tier_unknown")
    for value in content.audiences:
        if value not in Audience.values:
            add("audiences", "audience_unknown", value=value)

    if content.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        options = [
            {"key": OPTION_KEYS[i], "text": clean_html(o.get("text") if isinstance(o, dict) else o)}
            for i, o in enumerate(content.options[:8])
        ]
        if len(content.options) > 8:
            add("options", "options_too_many")
        if len(options) < 2:
            add("options", "options_too_few")
        for option in options:
            if not plain_text(option["text"]) and "<img" not in option["text"]:
                add("options", "option_empty", key=option["key"])
        content.options = options
        keys = [o["key"] for o in options]
        chosen = _option_keys(content.answer)
        if any(k not in keys for k in chosen):
            add("answer", "answer_not_an_option", keys="".join(keys))
        elif content.type == QuestionType.SINGLE:
            if len(chosen) != 1:
                add("answer", "single_one_answer")
            else:
                content.answer = chosen[0]
        elif len(chosen) < 2:
            add("answer", "multiple_two_answers")
        else:
            content.answer = chosen
    else:
        content.options = []

    if content.type == QuestionType.TRUE_FALSE and not isinstance(content.answer, bool):
        add("answer", "true_false_answer")
    if content.type == QuestionType.FILL_BLANK:
        blanks = content.answer if isinstance(content.answer, list) else []
        if not blanks:
            add("answer", "blanks_missing")
        marks = count_blank_marks(content.stem)
        if blanks and marks and marks != len(blanks):
            add("answer", "blank_count", marks=marks, answers=len(blanks))
        cleaned = []
        for number, accepted in enumerate(blanks, start=1):
            values = [str(v).strip() for v in (accepted if isinstance(accepted, list) else [accepted])]
            values = [v for v in values if v]
            if not values:
                add("answer", "blank_empty", number=number)
            cleaned.append(values)
        content.answer = cleaned
    if content.type == QuestionType.SHORT_ANSWER:
        content.answer = None
    return errors


_KEY_LIST = re.compile(r"^[\sA-Ha-h,，、;；/|]*$")


def _option_keys(answer) -> list[str]:
    """Option keys of a choice answer, upper case, sorted, distinct. Accepts "B", ["A", "C"] and the
    spellings trainers and spreadsheets use for several keys: "AC", "A,C", "A、C"."""
    if answer is None or answer == "":
        return []
    if isinstance(answer, str):
        values = list(re.sub(r"[^A-Ha-h]", "", answer)) if _KEY_LIST.match(answer) else [answer]
    elif isinstance(answer, list | tuple | set):
        values = list(answer)
    else:
        values = [answer]
    return sorted({str(value).strip().upper() for value in values if str(value).strip()})


def _raise_if_invalid(content: QuestionContent) -> None:
    errors = question_validate(content)
    if errors:
        raise ValidationError(errors)


def _set_knowledge_points(question: Question, ids: Iterable[int]) -> None:
    wanted = set(ids)
    existing = set(question.knowledge_point_links.values_list("knowledge_point_id", flat=True))
    if wanted - existing:
        found = set(KnowledgePoint.objects.filter(pk__in=wanted - existing).values_list("pk", flat=True))
        QuestionKnowledgePoint.objects.bulk_create(
            [QuestionKnowledgePoint(question=question, knowledge_point_id=pk) for pk in sorted(found)]
        )
    if existing - wanted:
        question.knowledge_point_links.filter(knowledge_point_id__in=existing - wanted).delete()


def question_create(
    *, content: QuestionContent, actor, status: str = QuestionStatus.ACTIVE, audit: bool = True
) -> Question:
    _raise_if_invalid(content)
    if status not in QuestionStatus.values:
        raise ValidationError({"status": [str(ERRORS["status_unknown"])]})
    with transaction.atomic():
        question = Question.objects.create(
            type=content.type,
            status=status,
            difficulty=content.difficulty,
            tier=content.tier,
            audiences=content.audiences,
            normalized_stem=normalize_stem(content.stem),
            author=actor if getattr(actor, "is_authenticated", False) else None,
        )
        version = QuestionVersion.objects.create(
            question=question,
            number=1,
            created_by=question.author,
            **{name: getattr(content, name) for name in QuestionContent.VERSIONED},
        )
        question.current_version = version
        question.save(update_fields=["current_version"])
        _set_knowledge_points(question, content.knowledge_point_ids)
        if audit:
            audit_log(actor=actor, action="exams.question.created", target=question, data={"type": question.type})
    return question


def question_update(*, question: Question, content: QuestionContent, actor) -> Question:
    """Apply an edit. Content changes to a version already drawn into a paper create a new
    version; otherwise the current version is corrected in place. Catalogue fields (difficulty,
    tier, audiences, knowledge points) never need a version: papers do not depend on them."""
    _raise_if_invalid(content)
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.status == QuestionStatus.RETIRED:
            raise ValidationError({"status": [str(ERRORS["retired_edit"])]})
        # Lock the version too: question_mark_drawn may be flipping in_use in a concurrent paper
        # draw; after the lock we see its committed value and never edit a drawn version in place.
        current = QuestionVersion.objects.select_for_update().get(pk=question.current_version_id)
        if content.type != question.type and question.versions.filter(in_use=True).exists():
            raise ValidationError({"type": [str(ERRORS["type_in_use"])]})
        new_content = {name: getattr(content, name) for name in QuestionContent.VERSIONED}
        content_changed = any(getattr(current, name) != value for name, value in new_content.items())
        new_version = None
        if content_changed and current.in_use:
            new_version = QuestionVersion.objects.create(
                question=question,
                number=current.number + 1,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                **new_content,
            )
            question.current_version = new_version
        elif content_changed:
            for name, value in new_content.items():
                setattr(current, name, value)
            current.save(update_fields=list(new_content))
        question.type = content.type
        question.difficulty = content.difficulty
        question.tier = content.tier
        question.audiences = content.audiences
        question.normalized_stem = normalize_stem(content.stem)
        question.updated_at = timezone.now()
        question.save(
            update_fields=[
                "current_version",
                "type",
                "difficulty",
                "tier",
                "audiences",
                "normalized_stem",
                "updated_at",
            ]
        )
        _set_knowledge_points(question, content.knowledge_point_ids)
        audit_log(
            actor=actor,
            action="exams.question.updated",
            target=question,
            data={"new_version": new_version.number if new_version else None, "content_changed": content_changed},
        )
    return question


def question_set_status(*, questions: Sequence[Question] | Iterable[int], status: str, actor) -> int:
    """Activate, return to draft or retire (retiring never deletes). Returns how many changed."""
    if status not in QuestionStatus.values:
        raise ValidationError({"status": [str(ERRORS["status_unknown"])]})
    ids = [q.pk if isinstance(q, Question) else int(q) for q in questions]
    with transaction.atomic():
        changed = list(
            Question.objects.select_for_update().filter(pk__in=ids).exclude(status=status).values_list("pk", flat=True)
        )
        Question.objects.filter(pk__in=changed).update(status=status, updated_at=timezone.now())
        if changed:
            audit_log(actor=actor, action="exams.question.status_changed", data={"ids": changed, "status": status})
    return len(changed)


def question_retag(
    *,
    questions: Iterable[int],
    actor,
    add_knowledge_point_ids: Iterable[int] = (),
    remove_knowledge_point_ids: Iterable[int] = (),
    difficulty: int | None = None,
    tier: str | None = None,
) -> int:
    """Bulk re-tag: add/remove knowledge points, set difficulty or tier. Catalogue fields only, so no
    new version. Returns how many questions were re-tagged (unknown ids are ignored)."""
    errors: dict[str, list[str]] = {}
    if difficulty is not None and not (isinstance(difficulty, int) and 1 <= difficulty <= 5):
        errors["difficulty"] = [str(ERRORS["difficulty_range"])]
    if tier is not None and tier not in Tier.values:
        errors["tier"] = [str(ERRORS["tier_unknown"])]
    if errors:
        raise ValidationError(errors)
    wanted = {int(pk) for pk in questions}
    add_ids = set(KnowledgePoint.objects.filter(pk__in=set(add_knowledge_point_ids)).values_list("pk", flat=True))
    remove_ids = {int(pk) for pk in remove_knowledge_point_ids}
    with transaction.atomic():
        ids = sorted(Question.objects.select_for_update().filter(pk__in=wanted).values_list("pk", flat=True))
        updates = {}
        if difficulty is not None:
            updates["difficulty"] = difficulty
        if tier is not None:
            updates["tier"] = tier
        Question.objects.filter(pk__in=ids).update(**updates, updated_at=timezone.now())
        if remove_ids:
            QuestionKnowledgePoint.objects.filter(question_id__in=ids, knowledge_point_id__in=remove_ids).delete()
        if add_ids:
            existing = set(
                QuestionKnowledgePoint.objects.filter(question_id__in=ids, knowledge_point_id__in=add_ids).values_list(
                    "question_id", "knowledge_point_id"
                )
            )
            QuestionKnowledgePoint.objects.bulk_create(
                [
                    QuestionKnowledgePoint(question_id=q, knowledge_point_id=k)
                    for q in ids
                    for k in sorted(add_ids)
                    if (q, k) not in existing
                ]
            )
        audit_log(
            actor=actor,
            action="exams.question.retagged",
            data={"ids": ids, "add": sorted(add_ids), "remove": sorted(remove_ids), **updates},
        )
    return len(ids)


def question_mark_drawn(*, version_ids: Iterable[int]) -> None:
    """Called when a paper is stored: its versions become immutable and usage counts grow."""
    version_ids = list(version_ids)
    with transaction.atomic(savepoint=False):
        QuestionVersion.objects.filter(pk__in=version_ids, in_use=False).update(in_use=True)
        Question.objects.filter(versions__pk__in=version_ids).update(times_drawn=F("times_drawn") + 1)
