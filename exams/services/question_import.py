"""Importing question banks (xlsx, Moodle XML, GIFT) and creating questions in bulk.

``questions_import`` is the one path used by ``manage.py import_questions``, the trainer page and
the benchmark:

1. the format's parser (``exams.transfer``) reads the file into ``ParsedQuestion`` records, or
   refuses the whole file with one sentence (``TransferFileError``);
2. every record is checked — knowledge-point paths resolved, content validated with
   ``question_validate``, 编号 matched — reading the database in a few bulk queries;
3. if any question is rejected nothing is written (atomic, all or nothing); a dry run stops here
   too, with the counts a real run would give;
4. otherwise, in one transaction: missing knowledge points are created (only when asked), embedded
   images stored, new questions created with ``questions_bulk_create`` and changed ones updated
   with ``question_update`` (which makes a new version when the old one is in use).

Knowledge points named in a file must exist unless ``create_knowledge_points`` is given — for every
format alike, Moodle categories included: a typo must not grow the tree silently. Questions of a type
the bank does not have (Moodle matching, numerical, cloze …; GIFT matching and numerical) are
rejected, so by default the file is not imported; ``skip_unsupported`` imports the rest and reports
them as skipped. Descriptions (text that is not a question) are always skipped with a warning.
Near-duplicates — a new question whose normalised stem equals that of a question in the bank or
earlier in the file — are imported with a warning.

Which question a record updates. Every export writes the question's ``uid`` (xlsx 标识, Moodle
``idnumber``, GIFT ``// [id:…]``), the same in every installation; xlsx also writes 编号, the number
in this bank, which means nothing elsewhere (another installation has its own question 17):

- a record with a ``uid`` updates the question with that uid; if this bank has none, it is a new
  question that keeps the uid — so a bank moved to another installation arrives whole, and importing
  the file there again updates rather than duplicates. Its 编号 is not looked at: it may well name an
  unrelated question of this bank;
- a record without ``uid`` but with 编号 (a workbook from before identifiers, or typed by hand)
  updates that question; a number this bank does not have adds a new question, with a warning;
- anything else is a new question.

An export → import round trip changes nothing: matched records are compared with their question,
stems and options by what their HTML amounts to (``canonical_html``), and only differences are
written. Into an emptied bank (or another installation) it recreates every question with the same
content (tests/exams/test_transfer_round_trip.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import KnowledgePoint
from courses.models.choices import Tier
from courses.services.knowledge import knowledge_point_create
from exams.models import Question, QuestionKnowledgePoint, QuestionStatus, QuestionVersion
from exams.services.questions import (
    ERRORS as QUESTION_ERRORS,
)
from exams.services.questions import (
    QuestionContent,
    question_set_status,
    question_update,
    question_validate,
)
from exams.text import normalize_stem
from exams.transfer.common import (
    MAX_FILE_SIZE,
    ImportIssue,
    ParsedQuestion,
    ParseOutcome,
    TransferFileError,
    TransferFormat,
    format_from_filename,
    join_path,
)
from exams.transfer.html import canonical_html
from exams.transfer.media import library_urls, replace_tokens, store_embedded_files
from portal.imports import upload_bytes
from portal.services import audit_log

BATCH = 1000
PLAIN_FIELDS = ("explanation", "legal_basis", "reference_answer", "rubric")

# question_validate's field names → how each format names them in messages
FIELD_LABELS = {
    TransferFormat.XLSX: {
        "type": "题型",
        "stem": "题干",
        "options": "选项",
        "answer": "答案",
        "difficulty": "难度",
        "tier": "级别",
        "audiences": "适用对象",
        "knowledge_points": "知识点",
        "question_id": "编号",
        "uid": "标识",
        "status": "状态",
    },
}


# Moodle XML and GIFT have no columns: fields are named in words.
FIELD_NAMES = {
    "type": gettext_lazy("type"),
    "stem": gettext_lazy("stem"),
    "options": gettext_lazy("options"),
    "answer": gettext_lazy("answer"),
    "explanation": gettext_lazy("explanation"),
    "rubric": gettext_lazy("grading rubric"),
    "difficulty": gettext_lazy("difficulty"),
    "tier": gettext_lazy("tier"),
    "audiences": gettext_lazy("audiences"),
    "knowledge_points": gettext_lazy("knowledge points"),
    "tags": gettext_lazy("tags"),
    "status": gettext_lazy("status"),
    "uid": gettext_lazy("identifier"),
    "question_id": gettext_lazy("number"),
}


def _label(file_format: str, name: str) -> str:
    return str(FIELD_LABELS.get(file_format, FIELD_NAMES).get(name, name))


@dataclass
class QuestionImportResult:
    format: str
    filename: str
    dry_run: bool
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    knowledge_points_created: list[str] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def counts(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "knowledge_points_created": list(self.knowledge_points_created),
        }


# --- Bulk creation ----------------------------------------------------------------------------


def questions_bulk_create(
    *,
    items: Sequence[tuple[QuestionContent, str]],
    actor,
    audit: bool = True,
    validated: bool = False,
    uids: Sequence[uuid.UUID | None] | None = None,
) -> list[int]:
    """Create many questions, each ``(content, status)``, with a handful of queries per thousand:
    the same rows ``question_create`` writes (question, version 1, knowledge-point links). Contents
    are validated (and normalised) with ``question_validate`` first — unless the caller just did so
    (``validated=True``); any invalid one raises ``ValidationError`` and nothing is written.
    ``uids`` (parallel to ``items``) keeps the identifiers an import brings; None gets a new one.
    Returns the new ids in input order."""
    for index, (content, status) in enumerate(items):
        errors = {} if validated else question_validate(content)
        if status not in QuestionStatus.values:
            errors["status"] = [str(QUESTION_ERRORS["status_unknown"])]
        if errors:
            raise ValidationError({f"{index}.{name}": messages for name, messages in errors.items()})
    author = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    ids: list[int] = []
    with transaction.atomic():
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            batch_uids = list(uids[start : start + BATCH]) if uids is not None else [None] * len(batch)
            questions = Question.objects.bulk_create(
                [
                    Question(
                        uid=uid or uuid.uuid4(),
                        type=content.type,
                        status=status,
                        difficulty=content.difficulty,
                        tier=content.tier,
                        audiences=content.audiences,
                        normalized_stem=normalize_stem(content.stem),
                        author=author,
                        created_at=now,
                        updated_at=now,
                    )
                    for (content, status), uid in zip(batch, batch_uids, strict=True)
                ]
            )
            batch_ids = [question.pk for question in questions]
            QuestionVersion.objects.bulk_create(
                [
                    QuestionVersion(
                        question_id=pk,
                        number=1,
                        created_by=author,
                        created_at=now,
                        **{name: getattr(content, name) for name in QuestionContent.VERSIONED},
                    )
                    for pk, (content, _status) in zip(batch_ids, batch, strict=True)
                ]
            )
            # One UPDATE for the batch instead of one save() per question.
            Question.objects.filter(pk__in=batch_ids).update(
                current_version=Subquery(
                    QuestionVersion.objects.filter(question=OuterRef("pk"), number=1).values("pk")[:1]
                )
            )
            QuestionKnowledgePoint.objects.bulk_create(
                [
                    QuestionKnowledgePoint(question_id=pk, knowledge_point_id=point)
                    for pk, (content, _status) in zip(batch_ids, batch, strict=True)
                    for point in sorted(set(content.knowledge_point_ids))
                ]
            )
            ids += batch_ids
        if audit and ids:
            audit_log(actor=actor, action="exams.question.bulk_created", data={"count": len(ids), "ids": ids})
    return ids


# --- Knowledge points -------------------------------------------------------------------------


class KnowledgeIndex:
    """Every knowledge point by its path of names (and, for one-name values, by code or by a
    name that occurs once in the tree). Loaded with one query."""

    def __init__(self):
        rows = list(KnowledgePoint.objects.values_list("pk", "path", "name", "code"))
        name_by_path = {path: name for _pk, path, name, _code in rows}
        step = KnowledgePoint.steplen
        self.by_names: dict[tuple[str, ...], int] = {}
        self.by_code: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, path, name, code in rows:
            names = tuple(name_by_path.get(path[: step * depth], "?") for depth in range(1, len(path) // step + 1))
            self.by_names[names] = pk
            self.by_name.setdefault(name, []).append(pk)
            if code:
                self.by_code.setdefault(code, []).append(pk)
        self.full_names = {pk: names for names, pk in self.by_names.items()}

    def resolve(self, names: tuple[str, ...]) -> tuple[int | None, str]:
        """(pk, "") when found; (None, message) otherwise (unknown or ambiguous)."""
        if names in self.by_names:
            return self.by_names[names], ""
        if len(names) == 1:
            for candidates in (self.by_code.get(names[0], []), self.by_name.get(names[0], [])):
                if len(candidates) == 1:
                    return candidates[0], ""
                if len(candidates) > 1:
                    paths = "、".join(join_path(self.full_names[pk]) for pk in candidates[:5])
                    return None, _("“%(name)s” names several knowledge points (%(paths)s); write the whole path.") % {
                        "name": names[0],
                        "paths": paths,
                    }
        return None, ""


def _create_knowledge_points(paths: Sequence[tuple[str, ...]], *, actor) -> dict[tuple[str, ...], int]:
    index = KnowledgeIndex()
    created: dict[tuple[str, ...], int] = {}
    for path in sorted(set(paths), key=len):
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix in index.by_names or prefix in created:
                continue
            parent_pk = (index.by_names.get(prefix[:-1]) or created.get(prefix[:-1])) if depth > 1 else None
            parent = KnowledgePoint.objects.get(pk=parent_pk) if parent_pk else None
            point = knowledge_point_create(actor=actor, name=prefix[-1], parent=parent)
            created[prefix] = point.pk
    return {**index.by_names, **created}


# --- Comparing with the bank ------------------------------------------------------------------


def _plain(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _same_options(old: list[dict], new: list[dict]) -> bool:
    return len(old or []) == len(new or []) and all(
        a.get("key") == b.get("key")
        and (a.get("text") == b.get("text") or canonical_html(a.get("text", "")) == canonical_html(b.get("text", "")))
        for a, b in zip(old or [], new or [], strict=True)
    )


def _keep_equivalent_values(old: QuestionContent, new: QuestionContent) -> None:
    """Where the file says what the bank already says in other bytes, keep the bank's bytes: no
    spurious new versions."""
    if old.stem == new.stem or canonical_html(old.stem) == canonical_html(new.stem):
        new.stem = old.stem
    if _same_options(old.options, new.options):
        new.options = old.options
    for name in PLAIN_FIELDS:
        if _plain(getattr(old, name)) == _plain(getattr(new, name)):
            setattr(new, name, getattr(old, name))


def _differs(old: QuestionContent, new: QuestionContent) -> bool:
    return any(
        getattr(old, name) != getattr(new, name) for name in (*QuestionContent.VERSIONED, *QuestionContent.CATALOGUE)
    ) or (sorted(old.knowledge_point_ids) != sorted(new.knowledge_point_ids))


# --- The import -------------------------------------------------------------------------------


def _parse(data: bytes, file_format: str) -> ParseOutcome:
    from exams.transfer.gift import parse_gift
    from exams.transfer.moodle import parse_moodle_xml
    from exams.transfer.xlsx import parse_xlsx

    parsers = {
        TransferFormat.XLSX: parse_xlsx,
        TransferFormat.MOODLE_XML: parse_moodle_xml,
        TransferFormat.GIFT: parse_gift,
    }
    return parsers[file_format](data)


def _use_library_files(items: Sequence[ParsedQuestion]) -> None:
    """Files the library already holds are referenced by their URL from the start (not stored
    again), so that comparing with the bank sees an unchanged image as unchanged."""
    urls = library_urls(file for item in items for file in item.files.values())
    if not urls:
        return
    for item in items:
        if not item.files.keys() & urls.keys():
            continue
        item.stem = replace_tokens(item.stem, urls)
        item.options = [replace_tokens(option, urls) for option in item.options]
        for name in PLAIN_FIELDS:
            if getattr(item, name):
                setattr(item, name, replace_tokens(getattr(item, name), urls))
        item.files = {token: file for token, file in item.files.items() if token not in urls}


def _questions_by(field_name: str, values: set) -> dict:
    """The bank's questions whose ``field_name`` is one of ``values``, ready for comparison."""
    found: dict = {}
    ordered = sorted(values, key=str)
    for start in range(0, len(ordered), BATCH):
        for question in (
            Question.objects.filter(**{f"{field_name}__in": ordered[start : start + BATCH]})
            .select_related("current_version")
            .prefetch_related("knowledge_point_links")
        ):
            found[getattr(question, field_name)] = question
    return found


@dataclass
class _Planned:
    item: ParsedQuestion
    content: QuestionContent
    status: str
    existing: Question | None = None
    status_change: bool = False
    content_change: bool = False


def questions_import(
    *,
    file: IO[bytes] | bytes,
    filename: str,
    actor,
    file_format: str | None = None,
    dry_run: bool = False,
    create_knowledge_points: bool = False,
    skip_unsupported: bool = False,
) -> QuestionImportResult:
    """Import a question file. Raises ``TransferFileError`` when the file as a whole is unreadable;
    otherwise returns the result, whose ``errors`` (if any) mean nothing was written."""
    from exams.transfer.xlsx import HeaderError

    file_format = file_format or format_from_filename(filename)
    if file_format not in TransferFormat.values:
        raise TransferFileError(
            _("Cannot tell the format of “%(name)s” from its extension; choose xlsx, moodle-xml or gift.")
            % {"name": PurePath(filename or "").name}
        )
    data = upload_bytes(file, max_bytes=MAX_FILE_SIZE)
    result = QuestionImportResult(format=file_format, filename=PurePath(filename or "").name, dry_run=dry_run)
    try:
        outcome = _parse(data, file_format)
    except HeaderError as exc:
        result.errors = exc.issues
        return result
    result.warnings += outcome.notices
    if not outcome.questions:
        raise TransferFileError(_("The file holds no questions."))

    _use_library_files(outcome.questions)
    index = KnowledgeIndex()
    existing_by_uid = _questions_by("uid", {item.uid for item in outcome.questions if item.uid})
    existing_by_id = _questions_by(
        "pk", {item.question_id for item in outcome.questions if item.question_id and not item.uid}
    )

    def matched(item: ParsedQuestion) -> Question | None:
        if item.uid:
            return existing_by_uid.get(item.uid)
        return existing_by_id.get(item.question_id) if item.question_id else None

    stems_in_bank: dict[str, int] = {}
    new_stems = {normalize_stem(item.stem) for item in outcome.questions if item.stem and not matched(item)} - {""}
    new_stems_list = sorted(new_stems)
    for start in range(0, len(new_stems_list), BATCH):
        for stem, pk in Question.objects.filter(normalized_stem__in=new_stems_list[start : start + BATCH]).values_list(
            "normalized_stem", "pk"
        ):
            stems_in_bank.setdefault(stem, pk)

    planned: list[_Planned] = []
    missing_paths: dict[tuple[str, ...], None] = {}
    unresolved: list[tuple[_Planned, list[tuple[str, ...]]]] = []
    seen_questions: dict[int, str] = {}
    seen_uids: dict[uuid.UUID, str] = {}
    seen_stems: dict[str, str] = {}
    for item in outcome.questions:
        where = str(item.position)
        errors: list[tuple[str, str]] = list(item.errors)
        if item.unsupported:
            issues = [ImportIssue(where, message, _label(file_format, name)) for name, message in errors]
            if skip_unsupported:
                result.warnings += [
                    ImportIssue(issue.position, _("Skipped: %(reason)s") % {"reason": issue.message}, issue.field)
                    for issue in issues
                ]
                result.skipped += 1
            else:
                result.errors += issues
            continue

        existing = matched(item)
        if item.uid:
            if item.uid in seen_uids:
                errors.append(("uid", _("The same identifier is also at %(where)s.") % {"where": seen_uids[item.uid]}))
            seen_uids.setdefault(item.uid, where)
        elif item.question_id and existing is None:
            item.warn(
                "question_id",
                _("There is no question %(id)d in this bank; the row is added as a new question.")
                % {"id": item.question_id},
            )
        if existing is not None:
            if existing.pk in seen_questions:
                errors.append(
                    (
                        "question_id",
                        _("Question %(id)d is also at %(where)s.")
                        % {"id": existing.pk, "where": seen_questions[existing.pk]},
                    )
                )
            seen_questions.setdefault(existing.pk, where)

        base = QuestionContent.from_question(existing) if existing is not None else None
        content = QuestionContent(
            type=item.type or (base.type if base else ""),
            stem=item.stem,
            options=[{"key": "", "text": text} for text in item.options],
            answer=item.answer,
            difficulty=item.difficulty if item.difficulty is not None else (base.difficulty if base else 3),
            tier=item.tier or (base.tier if base else Tier.BASIC),
            audiences=item.audiences if item.audiences is not None else (base.audiences if base else []),
        )
        for name in PLAIN_FIELDS:
            value = getattr(item, name)
            setattr(content, name, _plain(value) if value is not None else (getattr(base, name) if base else ""))
        if item.type:
            # A field the parser already found wrong gets no second message from validation.
            reported = {_label(file_format, name) for name, _message in item.errors}
            for name, messages in question_validate(content).items():
                if _label(file_format, name) not in reported:
                    errors += [(name, message) for message in messages]

        paths = item.knowledge_paths if item.knowledge_paths is not None else None
        point_ids: list[int] = []
        pending: list[tuple[str, ...]] = []
        if paths is None:
            point_ids = list(base.knowledge_point_ids) if base else []
        for names in paths or []:
            pk, problem = index.resolve(names)
            if pk is not None:
                point_ids.append(pk)
            elif problem:
                errors.append(("knowledge_points", problem))
            elif create_knowledge_points:
                pending.append(names)
                missing_paths[names] = None
            else:
                errors.append(
                    (
                        "knowledge_points",
                        _(
                            "The knowledge point “%(path)s” does not exist; add it to the tree first, or import "
                            "with “create missing knowledge points”."
                        )
                        % {"path": join_path(names)},
                    )
                )
        content.knowledge_point_ids = sorted(set(point_ids))

        status = item.status or (existing.status if existing is not None else QuestionStatus.ACTIVE)
        plan = _Planned(item=item, content=content, status=status, existing=existing)
        if existing is not None and not errors:
            _keep_equivalent_values(base, content)
            plan.content_change = bool(pending) or _differs(base, content)
            plan.status_change = status != existing.status
            if plan.content_change and existing.status == QuestionStatus.RETIRED and status == QuestionStatus.RETIRED:
                errors.append(("status", str(QUESTION_ERRORS["retired_edit"])))

        result.errors += [ImportIssue(where, message, _label(file_format, name)) for name, message in errors]
        result.warnings += [ImportIssue(where, message, _label(file_format, name)) for name, message in item.warnings]
        if errors:
            continue

        stem_key = normalize_stem(content.stem)
        if existing is None and stem_key:
            if stem_key in stems_in_bank:
                result.warnings.append(
                    ImportIssue(
                        where,
                        _("Near-duplicate: question %(id)d in the bank has the same stem.")
                        % {"id": stems_in_bank[stem_key]},
                        _label(file_format, "stem"),
                    )
                )
            elif stem_key in seen_stems:
                result.warnings.append(
                    ImportIssue(
                        where,
                        _("Near-duplicate: same stem as %(where)s.") % {"where": seen_stems[stem_key]},
                        _label(file_format, "stem"),
                    )
                )
        if stem_key:
            seen_stems.setdefault(stem_key, where)
        planned.append(plan)
        if pending:
            unresolved.append((plan, pending))

    result.knowledge_points_created = [join_path(path) for path in missing_paths]
    for plan in planned:
        if plan.existing is None:
            result.created += 1
        elif plan.content_change or plan.status_change:
            result.updated += 1
        else:
            result.unchanged += 1
    if result.errors or dry_run or not (result.created or result.updated):
        return result  # a file that changes nothing writes nothing, not even an audit entry

    with transaction.atomic():
        if unresolved:
            by_names = _create_knowledge_points(list(missing_paths), actor=actor)
            for plan, pending in unresolved:
                plan.content.knowledge_point_ids = sorted(
                    {*plan.content.knowledge_point_ids, *(by_names[names] for names in pending)}
                )
        writing = [plan for plan in planned if plan.existing is None or plan.content_change]
        files = [file for plan in writing for file in plan.item.files.values()]
        if files:
            urls = store_embedded_files(files, actor=actor)
            for plan in writing:
                plan.content.stem = replace_tokens(plan.content.stem, urls)
                for option in plan.content.options:
                    option["text"] = replace_tokens(option["text"], urls)
                for name in PLAIN_FIELDS:
                    setattr(plan.content, name, replace_tokens(getattr(plan.content, name), urls))
        new = [plan for plan in planned if plan.existing is None]
        result.created_ids = (
            questions_bulk_create(
                items=[(plan.content, plan.status) for plan in new],
                uids=[plan.item.uid for plan in new],
                actor=actor,
                audit=False,
                validated=True,
            )
            if new
            else []
        )
        for plan in planned:
            if plan.existing is None or not (plan.content_change or plan.status_change):
                continue
            leaving_retired = plan.status_change and plan.existing.status == QuestionStatus.RETIRED
            if leaving_retired:
                question_set_status(questions=[plan.existing.pk], status=plan.status, actor=actor)
            if plan.content_change:
                question_update(question=plan.existing, content=plan.content, actor=actor)
            if plan.status_change and not leaving_retired:
                question_set_status(questions=[plan.existing.pk], status=plan.status, actor=actor)
        audit_log(
            actor=actor,
            action="exams.question.imported",
            data={
                "format": file_format,
                "file": result.filename,
                **result.counts(),
                "created_ids": result.created_ids,
            },
        )
    return result
