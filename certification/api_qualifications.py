"""Qualification endpoints of the JSON API: other police systems (personnel, duty rostering) read
who holds which qualification, and an officer's file summary, without screen-scraping HR pages.

Scope ``qualifications:read``. A key reads every officer: it stands for a whole system, not a user,
so there is no unit scope to apply here.
"""

# No ``from __future__ import annotations`` here: ninja must resolve ``Query[QualificationFilters]``
# as a real type, not a string.
import datetime
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from certification.models import (
    Certificate,
    Qualification,
    QualificationStatus,
)
from certification.selectors.file import officer_file_summary
from people.models import User
from people.models.audience import POSITION_FIELDS, Position
from people.selectors import unit_full_paths
from portal.api_auth import AUTH_ERRORS, ErrorOut, ValidationErrorOut, api_key_auth
from portal.models import ApiScope

router = Router(tags=["qualifications"])

MAX_PAGE_SIZE = 500


class QualificationOut(Schema):
    police_number: str
    name: str
    unit_path: str = Field(description="Names from the top unit down, joined by '/'; empty without a unit.")
    type_code: str
    type_name: str
    status: QualificationStatus
    granted_on: datetime.date | None
    expires_on: datetime.date | None
    certificate_number: str | None = Field(description="The current (not replaced) certificate, if one was issued.")


class QualificationFilters(Schema):
    officer: str | None = Field(None, description="An officer's police number.")
    type: str | None = Field(None, description="A qualification type code, e.g. basic.")
    valid_on: datetime.date | None = Field(None, description="YYYY-MM-DD: only records valid on that day.")
    status: QualificationStatus | None = Field(None, description="Only records in this status.")


class ValidQualificationOut(Schema):
    type_code: str
    type_name: str
    granted_on: datetime.date | None
    expires_on: datetime.date | None


class EvaluationOut(Schema):
    year: int
    quarter: int
    total: Decimal
    rank: int | None


class ExamPassedOut(Schema):
    exam_title: str
    score: Decimal | None
    submitted_on: datetime.date | None


class OfficerSummaryOut(Schema):
    police_number: str
    name: str
    unit_path: str
    category: str
    status: str
    positions: list[str] = Field(
        description="Position codes: middle_leader, legal_officer, legal_brigade, new_officer."
    )
    valid_qualifications: list[ValidQualificationOut] = Field(description="Valid today.")
    pathway_phase: str | None = Field(description="The 123 new-officer pathway phase, null without a pathway.")
    points_year: int
    points_total: Decimal = Field(description="Sum of this year's point entries.")
    latest_evaluation: EvaluationOut | None
    exams_passed_this_year: list[ExamPassedOut]


def _valid_on(queryset: QuerySet[Qualification], day: datetime.date) -> QuerySet[Qualification]:
    """Records that count as held on ``day``: status valid, granted by then, not yet expired —
    the same rule as ``Qualification.is_valid_on``. Suspended, revoked, expired, proposed and
    rejected records never count."""
    return queryset.filter(
        Q(status=QualificationStatus.VALID),
        Q(granted_on__isnull=True) | Q(granted_on__lte=day),
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
    )


@router.get(
    "/qualifications/",
    auth=api_key_auth(ApiScope.QUALIFICATIONS_READ),
    response={200: list[QualificationOut], **AUTH_ERRORS, 422: ValidationErrorOut},
    summary="List qualification records",
)
@paginate(PageNumberPagination, page_size=100, max_page_size=MAX_PAGE_SIZE)
def qualification_list(request: HttpRequest, filters: Query[QualificationFilters]):
    """Qualification records ordered by police number then type, 100 per page (``page_size`` up
    to 500; larger values are capped). ``count`` is the total across pages. Scope: qualifications:read."""
    records = Qualification.objects.all()
    if filters.officer:
        records = records.filter(officer__police_number=filters.officer.strip())
    if filters.type:
        records = records.filter(qualification_type__code=filters.type.strip())
    if filters.status:
        records = records.filter(status=filters.status)
    if filters.valid_on:
        records = _valid_on(records, filters.valid_on)
    current_certificate = Certificate.objects.filter(qualification=OuterRef("pk"), superseded_at__isnull=True)
    # Plain values, not model instances: one query per page whatever its size.
    return _QualificationRows(
        records.order_by("officer__police_number", "qualification_type__order", "pk").values(
            "status",
            "granted_on",
            "expires_on",
            police_number=F("officer__police_number"),
            name=F("officer__name"),
            unit_id=F("officer__unit_id"),
            type_code=F("qualification_type__code"),
            type_name=F("qualification_type__name"),
            certificate_number=Subquery(current_certificate.values("number")[:1]),
        )
    )


class _QualificationRows:
    """The values queryset, sliced by the paginator, with each row's unit path filled in from one
    unit-path map (built once per request, only when a page is actually read)."""

    def __init__(self, rows) -> None:
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict]:
        rows = list(self.rows[page])
        paths = unit_full_paths() if rows else {}
        for row in rows:
            row["unit_path"] = paths.get(row.pop("unit_id"), "")
        return rows


@router.get(
    "/officers/{police_number}/summary",
    auth=api_key_auth(ApiScope.QUALIFICATIONS_READ),
    response={200: OfficerSummaryOut, **AUTH_ERRORS, 404: ErrorOut, 422: ValidationErrorOut},
    summary="An officer's file summary",
)
def officer_summary(request: HttpRequest, police_number: str):
    """The header of the officer's law-enforcement file: unit, category, positions, qualifications
    valid today, pathway phase, this year's points, the latest quarterly evaluation and the exams
    passed this year. An unknown police number answers 404. Scope: qualifications:read."""
    officer = User.objects.select_related("unit").filter(police_number=police_number.strip()).first()
    if officer is None:
        return Status(404, {"detail": gettext("No officer has this police number.")})
    summary = officer_file_summary(officer)
    evaluation = summary.evaluation
    return Status(
        200,
        {
            "police_number": officer.police_number,
            "name": officer.name,
            "unit_path": officer.unit.full_path if officer.unit_id else "",
            "category": officer.category,
            "status": officer.status,
            "positions": [position for position in Position if getattr(officer, POSITION_FIELDS[position])],
            "valid_qualifications": [
                {
                    "type_code": record.qualification_type.code,
                    "type_name": record.qualification_type.name,
                    "granted_on": record.granted_on,
                    "expires_on": record.expires_on,
                }
                for record in summary.qualifications
            ],
            "pathway_phase": summary.pathway.phase if summary.pathway else None,
            "points_year": summary.year,
            "points_total": summary.points_total,
            "latest_evaluation": {
                "year": evaluation.scheme.year,
                "quarter": evaluation.quarter,
                "total": evaluation.total,
                "rank": evaluation.rank,
            }
            if evaluation
            else None,
            "exams_passed_this_year": [
                {
                    "exam_title": attempt.exam.title,
                    "score": attempt.score,
                    "submitted_on": timezone.localdate(attempt.submitted_at) if attempt.submitted_at else None,
                }
                for attempt in summary.passed_attempts
            ],
        },
    )
