"""Which questions an export holds, flattened for the writers (xlsx, Moodle XML, GIFT)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet

from courses.models import KnowledgePoint
from courses.models.fields import ChoiceSetField
from courses.selectors.knowledge import knowledge_point_subtree
from exams.models import Question
from exams.transfer.common import TransferFormat
from exams.transfer.gift import questions_to_gift
from exams.transfer.moodle import questions_to_moodle_xml
from exams.transfer.xlsx import XLSX_CONTENT_TYPE, ExportRow, questions_to_xlsx

CHUNK = 2000


@dataclass
class ExportFilter:
    """Empty lists mean "any". ``knowledge_point`` includes its whole subtree."""

    statuses: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    difficulties: list[int] = field(default_factory=list)
    knowledge_point: KnowledgePoint | None = None
    ids: list[int] = field(default_factory=list)


def questions_for_export(filters: ExportFilter | None = None) -> QuerySet[Question]:
    filters = filters or ExportFilter()
    questions = Question.objects.filter(current_version__isnull=False)
    if filters.statuses:
        questions = questions.filter(status__in=filters.statuses)
    if filters.types:
        questions = questions.filter(type__in=filters.types)
    if filters.tiers:
        questions = questions.filter(tier__in=filters.tiers)
    if filters.difficulties:
        questions = questions.filter(difficulty__in=filters.difficulties)
    for audience in filters.audiences:
        questions = questions.filter(audiences__contains=ChoiceSetField.contains_lookup(audience))
    if filters.knowledge_point is not None:
        points = knowledge_point_subtree(filters.knowledge_point)
        questions = questions.filter(knowledge_point_links__knowledge_point__in=points).distinct()
    if filters.ids:
        questions = questions.filter(pk__in=filters.ids)
    return questions.order_by("pk")


def knowledge_point_names() -> dict[int, tuple[str, ...]]:
    """Every point's path of names, from one query (the tree is small next to the bank)."""
    points = list(KnowledgePoint.objects.values_list("pk", "path", "name"))
    name_by_path = {path: name for _pk, path, name in points}
    step = KnowledgePoint.steplen
    return {
        pk: tuple(name_by_path.get(path[: step * depth], "?") for depth in range(1, len(path) // step + 1))
        for pk, path, _name in points
    }


def export_rows(questions: QuerySet[Question]) -> Iterator[ExportRow]:
    """Rows in id order, loaded in chunks (three queries per chunk)."""
    names = knowledge_point_names()
    ids = list(questions.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = (
            Question.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("current_version")
            .prefetch_related("knowledge_point_links")
            .order_by("pk")
        )
        for question in chunk:
            version = question.current_version
            paths = sorted(names[link.knowledge_point_id] for link in question.knowledge_point_links.all())
            yield ExportRow(
                id=question.pk,
                uid=question.uid,
                type=question.type,
                status=question.status,
                difficulty=question.difficulty,
                tier=question.tier,
                audiences=list(question.audiences),
                paths=paths,
                stem=version.stem,
                options=list(version.options or []),
                answer=version.answer,
                explanation=version.explanation,
                legal_basis=version.legal_basis,
                reference_answer=version.reference_answer,
                rubric=version.rubric,
            )


EXPORT_CONTENT_TYPES = {
    TransferFormat.XLSX: XLSX_CONTENT_TYPE,
    TransferFormat.MOODLE_XML: "application/xml",
    TransferFormat.GIFT: "text/plain; charset=utf-8",
}
EXPORT_EXTENSIONS = {TransferFormat.XLSX: "xlsx", TransferFormat.MOODLE_XML: "xml", TransferFormat.GIFT: "gift"}


def questions_export(*, questions: QuerySet[Question] | Iterable[Question], export_format: str) -> bytes:
    """The file's bytes in ``export_format`` (xlsx, moodle-xml or gift)."""
    if not isinstance(questions, QuerySet):
        questions = Question.objects.filter(pk__in=[q.pk for q in questions])
    rows = export_rows(questions)
    if export_format == TransferFormat.MOODLE_XML:
        return questions_to_moodle_xml(rows)
    if export_format == TransferFormat.XLSX:
        return questions_to_xlsx(rows)
    if export_format == TransferFormat.GIFT:
        return questions_to_gift(rows)
    raise ValueError(f"Cannot export to {export_format!r}")
