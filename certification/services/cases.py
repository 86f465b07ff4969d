"""Case-quality records (执法质量考评): one upsert for the form, the xlsx import and the API, and
the shares that say whom a record counts for.

The case number is the key: a record saved again with a known number updates it (the audit entry
shows before and after). After every save the shares are recomputed: the handling officer always
(weight ``policy.mentee_weight`` for a case dated in their phase 3, else 1) and — only for a case
dated inside the handler's phase-3 window while a mentor was bound — the mentor, with
``policy.mentor_weight`` ("责任、荣誉"捆绑). Cases before phase 3 or after its end get no mentor share.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    CaseQualityRecord,
    CaseQualityShare,
    CaseRecordSource,
    CertificationPolicy,
    MentorBinding,
    Pathway,
    ShareRole,
)
from certification.selectors.pathway import phase3_window
from people.models import User
from portal.services import audit_log

MAX_SCORE = Decimal("100")
CATEGORY_SEPARATORS = re.compile(r"[、,，;；/\n]+")
_CASE_NUMBER = re.compile(r"^[0-9A-Za-z_\-()（）〔〕\[\]]+$")


class CaseRecordError(Exception):
    """Invalid case-quality values; the message is one sentence for the user."""


def _user_or_none(actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


# --- Shares -----------------------------------------------------------------------------------


def _binding_on(mentee_id: int, day: datetime.date) -> MentorBinding | None:
    return (
        MentorBinding.objects.filter(mentee_id=mentee_id, started_on__lte=day)
        .exclude(ended_on__isnull=False, ended_on__lte=day)
        .order_by("-started_on", "-pk")
        .first()
    )


def _wanted_shares(record: CaseQualityRecord, policy: CertificationPolicy, window) -> list[dict[str, Any]]:
    in_phase3 = (
        window is not None and window[0] <= record.case_date and (window[1] is None or record.case_date < window[1])
    )
    shares = [
        {
            "officer_id": record.officer_id,
            "role": ShareRole.HANDLER,
            "weight": policy.mentee_weight if in_phase3 else Decimal("1.00"),
            "binding": None,
        }
    ]
    if in_phase3:
        binding = _binding_on(record.officer_id, record.case_date)
        if binding is not None:
            shares.append(
                {
                    "officer_id": binding.mentor_id,
                    "role": ShareRole.MENTOR,
                    "weight": policy.mentor_weight,
                    "binding": binding,
                }
            )
    return shares


def case_shares_recompute(*, record: CaseQualityRecord, policy: CertificationPolicy | None = None, window=...) -> None:
    """Replace the record's shares by those its handler's pathway and bindings call for."""
    policy = policy or CertificationPolicy.current()
    if window is ...:
        pathway = Pathway.objects.filter(officer_id=record.officer_id).first()
        window = phase3_window(pathway) if pathway else None
    wanted = _wanted_shares(record, policy, window)
    existing = {(share.officer_id, share.role): share for share in record.shares.all()}
    keep = set()
    for values in wanted:
        key = (values["officer_id"], values["role"])
        keep.add(key)
        share = existing.get(key)
        if share is None:
            CaseQualityShare.objects.create(record=record, **values)
        elif share.weight != values["weight"] or share.binding_id != getattr(values["binding"], "pk", None):
            share.weight, share.binding = values["weight"], values["binding"]
            share.save(update_fields=["weight", "binding"])
    stale = [share.pk for key, share in existing.items() if key not in keep]
    if stale:
        CaseQualityShare.objects.filter(pk__in=stale).delete()


def case_shares_recompute_for_officer(*, officer_id: int) -> None:
    """Recompute every record the officer handled (after a phase move or a binding change)."""
    policy = CertificationPolicy.current()
    pathway = Pathway.objects.filter(officer_id=officer_id).first()
    window = phase3_window(pathway) if pathway else None
    for record in CaseQualityRecord.objects.filter(officer_id=officer_id).prefetch_related("shares"):
        case_shares_recompute(record=record, policy=policy, window=window)


# --- Cleaning ---------------------------------------------------------------------------------


def _decimal(value, *, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CaseRecordError(_("%(label)s must be a number.") % {"label": label}) from None
    if not number.is_finite():
        raise CaseRecordError(_("%(label)s must be a number.") % {"label": label})
    return number.quantize(Decimal("0.01"))


def clean_categories(value) -> list[str]:
    if value is None:
        return []
    parts = CATEGORY_SEPARATORS.split(value) if isinstance(value, str) else [str(part) for part in value]
    seen: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in seen:
            seen.append(part[:50])
    return seen


def _clean_case_number(value) -> str:
    case_number = _text(value)
    if not case_number:
        raise CaseRecordError(_("The case number is required."))
    if len(case_number) > 60 or not _CASE_NUMBER.match(case_number):
        raise CaseRecordError(
            _("“%(value)s” is not a valid case number: letters, digits, '-', '_' and brackets, at most 60.")
            % {"value": case_number}
        )
    return case_number


def _clean_case_date(value, today: datetime.date) -> datetime.date:
    if value is None or value == "":
        raise CaseRecordError(_("The case date is required."))
    day = _parse_date(value)
    if day > today:
        raise CaseRecordError(_("The case date is in the future."))
    return day


def _clean_score(value) -> Decimal | None:
    if value is None or _text(value) == "":
        return None
    score = _decimal(value, label=_("Score"))
    if not Decimal("0") <= score <= MAX_SCORE:
        raise CaseRecordError(_("The score must be between 0 and 100."))
    return score


def _clean_deductions(value) -> Decimal:
    if value is None or _text(value) == "":
        return Decimal("0.00")
    deductions = _decimal(value, label=_("Deductions"))
    if not Decimal("0") <= deductions <= MAX_SCORE:
        raise CaseRecordError(_("Deductions must be between 0 and 100."))
    return deductions


def _clean_limited(value, *, limit: int | None) -> str:
    text = _text(value)
    if limit is not None and len(text) > limit:
        raise CaseRecordError(_("At most %(limit)d characters.") % {"limit": limit})
    return text


# field → cleaner(value, today); the form, the import and the API share them.
_CLEANERS: dict[str, Callable[[Any, datetime.date], Any]] = {
    "case_number": lambda value, today: _clean_case_number(value),
    "case_date": _clean_case_date,
    "case_title": lambda value, today: _clean_limited(value, limit=200),
    "score": lambda value, today: _clean_score(value),
    "deductions": lambda value, today: _clean_deductions(value),
    "issue_categories": lambda value, today: clean_categories(value),
    "commendation": lambda value, today: _clean_limited(value, limit=300),
    "note": lambda value, today: _clean_limited(value, limit=None),
}


def _clean(today: datetime.date, **raw) -> dict[str, Any]:
    return {name: cleaner(raw.get(name), today) for name, cleaner in _CLEANERS.items()}


# --- Save -------------------------------------------------------------------------------------


def _snapshot(record: CaseQualityRecord) -> dict[str, Any]:
    return {
        "officer": record.officer.police_number if record.officer_id else None,
        "case_date": record.case_date.isoformat() if record.case_date else None,
        "case_title": record.case_title,
        "score": None if record.score is None else str(record.score),
        "deductions": str(record.deductions),
        "issue_categories": list(record.issue_categories),
        "serious": record.serious,
        "commendation": record.commendation,
        "note": record.note,
    }


def case_record_save(
    *,
    officer: User,
    case_number: str,
    case_date: datetime.date,
    score=None,
    deductions=0,
    issue_categories: Iterable[str] | str = (),
    serious: bool = False,
    commendation: str = "",
    note: str = "",
    case_title: str = "",
    source: str = CaseRecordSource.FORM,
    actor,
    today: datetime.date | None = None,
) -> tuple[CaseQualityRecord, str]:
    """Create or update the record of ``case_number``; returns it with "created", "updated" or
    "unchanged". Raises CaseRecordError for invalid values."""
    today = today or timezone.localdate()
    values = _clean(
        today,
        case_number=case_number,
        case_date=case_date,
        score=score,
        deductions=deductions,
        issue_categories=issue_categories,
        commendation=commendation,
        note=note,
        case_title=case_title,
    )
    values["serious"] = bool(serious)
    with transaction.atomic():
        record = (
            CaseQualityRecord.objects.select_for_update(of=("self",))
            .select_related("officer")
            .filter(case_number=values["case_number"])
            .first()
        )
        if record is None:
            record = CaseQualityRecord.objects.create(
                officer=officer, source=source, entered_by=_user_or_none(actor), **values
            )
            outcome = "created"
            audit_log(
                actor=actor,
                action="certification.case.created",
                target=record,
                data={"source": source, "after": _snapshot(record)},
            )
        else:
            before = _snapshot(record)
            record.officer = officer
            for name, value in values.items():
                setattr(record, name, value)
            after = _snapshot(record)
            if before == after:
                outcome = "unchanged"
            else:
                outcome = "updated"
                record.source = source
                record.entered_by = _user_or_none(actor)
                record.updated_at = timezone.now()
                record.save()
                audit_log(
                    actor=actor,
                    action="certification.case.updated",
                    target=record,
                    data={"source": source, "before": before, "after": after},
                )
        if outcome != "unchanged":
            case_shares_recompute(record=record)
    return record, outcome


# --- Bulk (xlsx import and API) -----------------------------------------------------------------


@dataclass(frozen=True)
class CaseRowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class CaseInput:
    """One raw record: its row number (Excel's, or index + 1 in an API body) and values by field."""

    row: int
    values: dict[str, Any]


@dataclass
class CaseImportResult:
    dry_run: bool
    errors: list[CaseRowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


# field → (xlsx header, required)
CASE_FIELDS: dict[str, tuple[str, bool]] = {
    "case_number": ("案件编号", True),
    "police_number": ("警号", True),
    "case_date": ("案件日期", True),
    "case_title": ("案件名称", False),
    "score": ("得分", False),
    "deductions": ("扣分", False),
    "issue_categories": ("问题类别", False),
    "serious": ("严重问题", False),
    "commendation": ("表彰", False),
    "note": ("备注", False),
}
_TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE_WORDS = {"否", "n", "no", "false", "0", ""}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


def column_header(field_name: str) -> str:
    return CASE_FIELDS[field_name][0]


def column_field(field_name: str) -> str:
    return field_name


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise CaseRecordError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text})


def _parse_flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise CaseRecordError(_("“%(value)s” is not 是 or 否.") % {"value": text})


def _clean_row(
    record: CaseInput, officers: dict[str, User], today: datetime.date, label: Callable[[str], str]
) -> tuple[dict | None, list[CaseRowError]]:
    """Clean one raw record; every problem is named by its column."""
    errors: list[CaseRowError] = []
    values = record.values
    cleaned: dict[str, Any] = {}
    for field_name, (_header, required) in CASE_FIELDS.items():
        raw = values.get(field_name)
        if required and (raw is None or _text(raw) == ""):
            errors.append(CaseRowError(record.row, label(field_name), _("This required value is empty.")))
            continue
        try:
            if field_name == "police_number":
                number = _text(raw)
                cleaned["officer"] = officers.get(number)
                if cleaned["officer"] is None:
                    raise CaseRecordError(_("No officer with police number %(number)s.") % {"number": number})
            elif field_name == "serious":
                cleaned["serious"] = _parse_flag(raw)
            else:
                cleaned[field_name] = _CLEANERS[field_name](raw, today)
        except CaseRecordError as exc:
            errors.append(CaseRowError(record.row, label(field_name), str(exc)))
    return (None, errors) if errors else (cleaned, [])


def case_records_import(
    *,
    records: Sequence[CaseInput],
    actor,
    source: str,
    origin: str,
    allowed_officers=None,
    dry_run: bool = False,
    label: Callable[[str], str] = column_header,
    today: datetime.date | None = None,
) -> CaseImportResult:
    """Validate every record; if all are valid, upsert them in one transaction (nothing is written
    on any error, or on a dry run). ``allowed_officers`` limits whose cases may be written (a legal
    officer's unit); ``origin`` (file name, API key) goes into the audit log."""
    today = today or timezone.localdate()
    result = CaseImportResult(dry_run=dry_run)
    numbers = {_text(record.values.get("police_number")) for record in records}
    pool = allowed_officers if allowed_officers is not None else User.objects.all()
    officers = {officer.police_number: officer for officer in pool.filter(police_number__in=numbers)}
    cleaned_rows: list[dict] = []
    first_row: dict[str, int] = {}
    with transaction.atomic():
        for record in records:
            cleaned, errors = _clean_row(record, officers, today, label)
            if cleaned is not None:
                number = cleaned["case_number"]
                if number in first_row:
                    errors.append(
                        CaseRowError(
                            record.row,
                            label("case_number"),
                            _("Case number %(number)s also appears in row %(row)d.")
                            % {"number": number, "row": first_row[number]},
                        )
                    )
                else:
                    first_row[number] = record.row
            result.errors.extend(errors)
            if cleaned is not None:
                cleaned_rows.append(cleaned)
        if result.errors:
            return result
        for cleaned in cleaned_rows:
            _record, outcome = case_record_save(**cleaned, source=source, actor=actor, today=today)
            setattr(result, outcome, getattr(result, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit_log(
                actor=actor,
                action="certification.case.imported",
                data={"source": source, "origin": origin, **result.counts()},
            )
    return result
