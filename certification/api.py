"""Certification endpoints of the JSON API: case-quality records pushed by the case-handling system."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from certification.models import CaseRecordSource
from certification.services.cases import CaseInput, case_records_import, column_field
from portal.api_auth import AUTH_ERRORS, BODY_ERRORS, ValidationErrorOut, api_key_auth
from portal.api_errors import batch_body_limit
from portal.models import ApiScope

router = Router(tags=["certification"])

MAX_ROWS_PER_REQUEST = 5_000


class CaseRecordIn(Schema):
    """One case's assessment (执法质量考评). A known case number updates its record."""

    model_config = ConfigDict(extra="forbid")

    case_number: str | int
    police_number: str | int = Field(..., description="The handling officer's police number.")
    case_date: str | datetime.date = Field(..., description="YYYY-MM-DD")
    case_title: str | None = None
    score: float | str | None = Field(None, description="0–100; null when the case is assessed by deductions only.")
    deductions: float | str | None = Field(None, description="Points deducted, 0–100.")
    issue_categories: list[str] | str | None = Field(None, description="A list, or one string separated by 、")
    serious: bool | str | None = Field(None, description="A serious problem (严重问题); true/false or 是/否.")
    commendation: str | None = None
    note: str | None = None


class CaseRecordsIn(Schema):
    rows: list[CaseRecordIn] = Field(..., min_length=1, max_length=MAX_ROWS_PER_REQUEST)
    dry_run: bool = Field(False, description="Validate and count, write nothing.")


class CaseRecordsOut(Schema):
    dry_run: bool
    created: int
    updated: int
    unchanged: int


@router.post(
    "/case-quality/",
    auth=api_key_auth(ApiScope.CASES_WRITE),
    response={200: CaseRecordsOut, **AUTH_ERRORS, **BODY_ERRORS, 422: ValidationErrorOut},
    summary="Create or update case-quality records",
)
@batch_body_limit(MAX_ROWS_PER_REQUEST)
def case_quality_upsert(request: HttpRequest, payload: CaseRecordsIn):
    """Upsert case-quality records by case number, with the same checks as the xlsx import.
    Scope: cases:write.

    All rows are applied or none: any problem answers 422 with every problem found, each with
    ``row`` (index in ``rows`` + 1), ``column`` (the field name) and ``message``.
    """
    records = [
        CaseInput(row=index, values=row.model_dump(exclude_unset=True))
        for index, row in enumerate(payload.rows, start=1)
    ]
    result = case_records_import(
        records=records,
        actor=request.auth,
        source=CaseRecordSource.API,
        origin=f"API: {request.auth.name}",
        dry_run=payload.dry_run,
        label=column_field,
    )
    if result.errors:
        return Status(
            422,
            {
                "detail": gettext("%(count)d problem(s) found; nothing was written.") % {"count": len(result.errors)},
                "errors": [error.as_dict() for error in result.errors],
            },
        )
    return Status(200, {"dry_run": result.dry_run, **result.counts()})
