"""People endpoints of the JSON API: the unit tree and bulk personnel upsert for other systems."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status
from pydantic import ConfigDict

from people.models import Unit
from people.selectors import unit_full_paths
from people.services import PersonnelRecord, column_label_field, personnel_import
from portal.api_auth import AUTH_ERRORS, BODY_ERRORS, ValidationErrorOut, api_key_auth
from portal.api_errors import batch_body_limit
from portal.models import ApiScope

router = Router(tags=["people"])

MAX_ROWS_PER_REQUEST = 20_000


class UnitOut(Schema):
    id: int
    name: str
    path: str = Field(description="Names from the top unit down, joined by '/'.")
    parent_id: int | None
    kind: str
    code: str
    is_active: bool


class PersonnelRowIn(Schema):
    """One officer. police_number, name, unit_path and category are required in every row (the
    required columns of the xlsx template, people.personnel_columns). Another field left out keeps
    the stored value; null or "" clears it (flags: false, status: active). Values follow the xlsx
    template: categories 民警/辅警 (or officer/auxiliary), statuses 在职/借调/休假/离职 (or
    active/seconded/on_leave/left), dates YYYY-MM-DD."""

    model_config = ConfigDict(extra="forbid")

    police_number: str | int
    name: str
    unit_path: str = Field(..., description="e.g. 西湖分局/北山派出所/一中队")
    category: str = Field(..., description="民警 or 辅警 (officer or auxiliary).")
    position: str | None = None
    is_middle_leader: bool | str | None = None
    is_legal_officer: bool | str | None = None
    is_legal_brigade: bool | str | None = None
    is_new_officer: bool | str | None = None
    birth_date: str | None = Field(None, description="YYYY-MM-DD")
    service_start_date: str | None = Field(None, description="YYYY-MM-DD")
    status: str | None = None
    phone: str | int | None = None


class PersonnelImportIn(Schema):
    rows: list[PersonnelRowIn] = Field(..., min_length=1, max_length=MAX_ROWS_PER_REQUEST)
    dry_run: bool = Field(False, description="Validate and count, write nothing.")
    create_units: bool = Field(False, description="Create units named in unit_path that do not exist.")


class PersonnelImportOut(Schema):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    status_changes: int
    units_created: list[str]


@router.get(
    "/units",
    auth=api_key_auth(ApiScope.PEOPLE_READ),
    response={200: list[UnitOut], **AUTH_ERRORS},
    summary="List units",
)
@paginate(PageNumberPagination, page_size=100)
def unit_list(request: HttpRequest):
    """Every unit in tree order (parents before children), 100 per page. Scope: people:read."""
    paths = unit_full_paths()
    parent_by_tree_path: dict[str, int] = {}
    rows = []
    for unit in Unit.objects.order_by("path"):
        parent_by_tree_path[unit.path] = unit.pk
        rows.append(
            {
                "id": unit.pk,
                "name": unit.name,
                "path": paths[unit.pk],
                "parent_id": parent_by_tree_path.get(unit.path[: -Unit.steplen]),
                "kind": unit.kind,
                "code": unit.code,
                "is_active": unit.is_active,
            }
        )
    return rows


@router.post(
    "/personnel",
    auth=api_key_auth(ApiScope.PEOPLE_WRITE),
    response={200: PersonnelImportOut, **AUTH_ERRORS, **BODY_ERRORS, 422: ValidationErrorOut},
    summary="Create or update officers",
)
@batch_body_limit(MAX_ROWS_PER_REQUEST)
def personnel_upsert(request: HttpRequest, payload: PersonnelImportIn):
    """Upsert officers by police number, with the same checks as the xlsx import. Scope: people:write.

    All rows are applied or none: any problem answers 422 with every problem found, each with
    ``row`` (index in ``rows`` + 1), ``column`` (the field name) and ``message``.
    """
    records = [
        PersonnelRecord(row=index, values=row.model_dump(exclude_unset=True))
        for index, row in enumerate(payload.rows, start=1)
    ]
    result = personnel_import(
        records=records,
        actor=request.auth,
        source=f"API: {request.auth.name}",
        dry_run=payload.dry_run,
        create_units=payload.create_units,
        column_label=column_label_field,
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
