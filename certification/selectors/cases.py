"""Reads about case-quality records (执法质量考评): who may see and who may enter which."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from certification.models import CaseQualityRecord, MentorBinding
from certification.selectors.pathway import is_legal_brigade_staff
from people.models import Unit, User
from people.selectors import Scope, scope_of, unit_full_paths

# How many records are read per query (with their shares) when a long list is exported.
EXPORT_CHUNK_SIZE = 2000


def can_enter_cases(user) -> bool:
    """Legal officers (法制员) enter their unit's cases; the legal brigade enters anyone's."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_legal_brigade_staff(user) or bool(user.is_legal_officer and user.unit_id)


def case_officers_for_writer(user) -> QuerySet[User]:
    """Officers whose cases ``user`` may enter."""
    if not can_enter_cases(user):
        return User.objects.none()
    if is_legal_brigade_staff(user):
        return User.objects.all()
    return User.objects.filter(unit__path__startswith=user.unit.path)


def case_records_visible_to(user) -> QuerySet[CaseQualityRecord]:
    """An officer sees their own records and those shared with them as mentor; a unit leader or a
    legal officer their unit subtree; HR and the legal brigade everything."""
    if not getattr(user, "is_authenticated", False):
        return CaseQualityRecord.objects.none()
    records = CaseQualityRecord.objects.all()
    if scope_of(user) is Scope.EVERYONE or is_legal_brigade_staff(user):
        return records
    condition = Q(officer=user) | Q(shares__officer=user)
    if (scope_of(user) is Scope.UNIT or user.is_legal_officer) and user.unit_id:
        condition |= Q(officer__unit__path__startswith=user.unit.path)
    return records.filter(condition).distinct()


def case_record_list(
    user,
    *,
    unit: Unit | None = None,
    search: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    serious_only: bool = False,
) -> QuerySet[CaseQualityRecord]:
    records = (
        case_records_visible_to(user).select_related("officer", "officer__unit").prefetch_related("shares__officer")
    )
    if unit is not None:
        records = records.filter(officer__unit__path__startswith=unit.path)
    search = search.strip()
    if search:
        records = records.filter(
            Q(case_number__icontains=search)
            | Q(case_title__icontains=search)
            | Q(officer__name__icontains=search)
            | Q(officer__police_number__icontains=search)
        )
    if date_from:
        records = records.filter(case_date__gte=date_from)
    if date_to:
        records = records.filter(case_date__lte=date_to)
    if serious_only:
        records = records.filter(serious=True)
    return records.order_by("-case_date", "-pk")


def mentee_case_records(mentor) -> QuerySet[CaseQualityRecord]:
    """Case records of the officers currently bound to ``mentor``."""
    mentee_ids = MentorBinding.objects.filter(mentor=mentor, ended_on__isnull=True).values("mentee_id")
    return (
        CaseQualityRecord.objects.filter(officer_id__in=mentee_ids)
        .select_related("officer")
        .prefetch_related("shares")
        .order_by("-case_date", "-pk")
    )


def case_records_dataframe(records: QuerySet[CaseQualityRecord], *, progress: Callable[[int], None] | None = None):
    """The filtered list as a DataFrame for the xlsx download: the screen's columns with the officer
    and the score split into their own cells, plus the unit's full path and where the record came
    from. ``progress`` hears the number of rows read so far (a background export shows it)."""
    import pandas as pd

    unit_paths = unit_full_paths()
    columns = [
        _("Case number"),
        _("Case date"),
        _("Police number"),
        _("Handling officer"),
        _("Unit"),
        _("Case"),
        _("Score"),
        _("Deductions"),
        _("Serious problem"),
        _("Issue categories"),
        _("Commendation"),
        _("Counts for"),
        _("Source"),
    ]
    rows = []
    for done, record in enumerate(records.iterator(chunk_size=EXPORT_CHUNK_SIZE), start=1):
        officer = record.officer
        shares = "; ".join(
            f"{share.officer.name} · {share.get_role_display()} × {share.weight}" for share in record.shares.all()
        )
        values = [
            record.case_number,
            record.case_date,
            officer.police_number,
            officer.name,
            unit_paths.get(officer.unit_id, ""),
            record.case_title,
            record.score,
            record.deductions,
            _("Yes") if record.serious else _("No"),
            "、".join(record.issue_categories or []),
            record.commendation,
            shares,
            record.get_source_display(),
        ]
        rows.append(dict(zip(columns, values, strict=True)))
        if progress is not None and done % 500 == 0:
            progress(done)
    if progress is not None:
        progress(len(rows))
    return pd.DataFrame(rows, columns=columns)
