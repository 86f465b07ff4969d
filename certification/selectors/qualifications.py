"""Reads of qualification records, certificates and qualification exams.

Scope follows ``people.selectors``: an officer sees their own records, a unit leader their unit
subtree, HR and the legal brigade everyone. A record outside the reader's scope is a 404, never a
403 that would reveal it exists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    Certificate,
    CertificateBatch,
    Qualification,
    QualificationExam,
    QualificationStatus,
    QualificationType,
)
from exams.models import Attempt, Exam, ExamKind
from people.models import Role, Unit, User
from people.selectors import can_view_officer, has_role, officers_visible_to, unit_full_paths, units_visible_to

# Who sees the qualification list of others (HR, the legal brigade, unit leaders for their units).
LIST_ROLES = (Role.HR, Role.TRAINER, Role.LEGAL_LEADER, Role.UNIT_LEADER, Role.ADMIN)
# Who approves, rejects, grants by hand, suspends, revokes and reinstates.
LEADER_ROLES = (Role.LEGAL_LEADER, Role.ADMIN)
# Who may record reviewed evidence (法律职业资格, 公职律师) for an officer other than themselves.
EVIDENCE_ROLES = (Role.HR, Role.TRAINER, Role.LEGAL_LEADER, Role.ADMIN)


def is_qualification_leader(user) -> bool:
    return has_role(user, *LEADER_ROLES)


def holds_valid_qualification(officer, qualification_type: QualificationType, day: datetime.date | None = None) -> bool:
    """Whether ``officer`` holds ``qualification_type`` valid on ``day`` (today by default):
    status valid, granted by then and not past its expiry. Suspended, revoked, expired and proposed
    records do not count."""
    day = day or timezone.localdate()
    return (
        Qualification.objects.filter(
            officer=officer, qualification_type=qualification_type, status=QualificationStatus.VALID
        )
        .filter(Q(granted_on__isnull=True) | Q(granted_on__lte=day))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .exists()
    )


def qualifications_awaiting_approval_count(user) -> int:
    """Proposals a legal-brigade leader should decide (a nav badge); 0 for everyone else."""
    if not is_qualification_leader(user):
        return 0
    return Qualification.objects.filter(status=QualificationStatus.PROPOSED).count()


def qualifications_visible_to(user) -> QuerySet[Qualification]:
    return Qualification.objects.filter(officer__in=officers_visible_to(user)).select_related(
        "officer", "officer__unit", "qualification_type"
    )


def get_qualification_for_user(user, pk: int) -> Qualification:
    """The record if ``user`` may see its officer (self, unit subtree, or everyone); else 404."""
    record = (
        Qualification.objects.select_related("officer", "officer__unit", "qualification_type", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if record is None or not can_view_officer(user, record.officer):
        raise Http404
    return record


def get_certificate_for_user(user, pk: int) -> Certificate:
    certificate = (
        Certificate.objects.select_related(
            "qualification",
            "qualification__officer",
            "qualification__officer__unit",
            "qualification__qualification_type",
        )
        .filter(pk=pk)
        .first()
    )
    if certificate is None or not can_view_officer(user, certificate.qualification.officer):
        raise Http404
    return certificate


@dataclass(frozen=True)
class QualificationFilters:
    qualification_type: QualificationType | None = None
    status: str = ""
    unit: Unit | None = None
    expiring_within: int | None = None  # days; only valid records expiring in that window
    query: str = ""  # name or police number

    def as_data(self) -> dict:
        return {
            "type": self.qualification_type.code if self.qualification_type else "",
            "status": self.status,
            "unit": self.unit.full_path if self.unit else "",
            "expiring_within": self.expiring_within,
            "query": self.query,
        }


def qualification_filters_from(user, params) -> QualificationFilters:
    """Filters from a query string; values that are unknown or outside the user's scope are
    ignored rather than failing the page."""
    qualification_type = None
    if (raw := params.get("type", "")).isdigit():
        qualification_type = QualificationType.objects.filter(pk=int(raw)).first()
    status = params.get("status", "")
    if status not in QualificationStatus.values:
        status = ""
    unit = None
    if (raw := params.get("unit", "")).isdigit():
        unit = units_visible_to(user).filter(pk=int(raw)).first()
    expiring = None
    if (raw := params.get("expiring", "")).isdigit() and 0 < int(raw) <= 3650:
        expiring = int(raw)
    return QualificationFilters(
        qualification_type=qualification_type,
        status=status,
        unit=unit,
        expiring_within=expiring,
        query=params.get("q", "").strip()[:50],
    )


def qualification_list(user, filters: QualificationFilters, *, today: datetime.date | None = None):
    """The records ``user`` may see, filtered, ordered by unit, officer and type."""
    today = today or timezone.localdate()
    records = qualifications_visible_to(user)
    if filters.qualification_type is not None:
        records = records.filter(qualification_type=filters.qualification_type)
    if filters.status:
        records = records.filter(status=filters.status)
    if filters.unit is not None:
        records = records.filter(officer__unit__path__startswith=filters.unit.path)
    if filters.expiring_within is not None:
        records = records.filter(
            status=QualificationStatus.VALID,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=filters.expiring_within),
        )
    if filters.query:
        records = records.filter(Q(officer__name__icontains=filters.query) | Q(officer__police_number=filters.query))
    current = Certificate.objects.filter(qualification=OuterRef("pk"), superseded_at__isnull=True)
    return records.annotate(has_certificate=Exists(current)).order_by(
        "officer__unit__path", "officer__police_number", "qualification_type__order"
    )


def qualifications_dataframe(records):
    """The filtered list as a DataFrame for the xlsx download (headers in the reader's language)."""
    import pandas as pd

    numbers = dict(
        Certificate.objects.filter(qualification__in=records, superseded_at__isnull=True).values_list(
            "qualification_id", "number"
        )
    )
    # Every unit's full path in one query (``Unit.full_path`` reads the ancestors: a query per record).
    paths = unit_full_paths()
    rows = [
        {
            _("Name"): record.officer.name,
            _("Police number"): record.officer.police_number,
            _("Unit"): paths.get(record.officer.unit_id, ""),
            _("Qualification"): record.qualification_type.name,
            _("Status"): record.get_status_display(),
            _("Granted on"): record.granted_on,
            _("Valid until"): record.expires_on,
            _("Source"): record.get_source_display(),
            _("Certificate number"): numbers.get(record.pk, ""),
        }
        # Streamed: at province scale the list is 500,000 records, too many to hold as instances.
        for record in records.iterator(chunk_size=2000)
    ]
    columns = [
        _("Name"),
        _("Police number"),
        _("Unit"),
        _("Qualification"),
        _("Status"),
        _("Granted on"),
        _("Valid until"),
        _("Source"),
        _("Certificate number"),
    ]
    return pd.DataFrame(rows, columns=columns)


def officer_qualifications(officer) -> list[Qualification]:
    """An officer's records with their certificates, current first."""
    return list(
        Qualification.objects.filter(officer=officer)
        .select_related("qualification_type")
        .prefetch_related("certificates")
        .order_by("qualification_type__order", "pk")
    )


def current_certificate(record: Qualification) -> Certificate | None:
    return record.certificates.filter(superseded_at__isnull=True).first()


def types_for_evidence() -> QuerySet[QualificationType]:
    return QualificationType.objects.filter(active=True, obtained_by="evidence")


# --- qualification exams --------------------------------------------------------------------------


def exam_passing_attempts(exam: Exam) -> list[Attempt]:
    """Each passer's latest passing attempt at ``exam`` (graded or released), by police number."""
    latest: dict[int, Attempt] = {}
    attempts = (
        Attempt.objects.filter(exam=exam, passed=True, state__in=["graded", "released"])
        .select_related("officer", "officer__unit")
        .order_by("officer__police_number", "number")
    )
    for attempt in attempts:
        latest[attempt.officer_id] = attempt
    return list(latest.values())


@dataclass
class QualificationExamRow:
    exam: Exam
    link: QualificationExam | None
    passers: int
    certified: int
    batch: CertificateBatch | None


def qualification_exam_rows() -> list[QualificationExamRow]:
    """Every qualification exam (newest window first), the qualification it grants, how many passed
    and how many of those hold a current certificate from it, and its latest certificate batch."""
    exams = list(
        Exam.objects.filter(kind=ExamKind.QUALIFICATION, practice_for__isnull=True)
        .select_related("qualification_link", "qualification_link__qualification_type")
        .annotate(
            passers=Count(
                "attempts__officer",
                filter=Q(attempts__passed=True, attempts__state__in=["graded", "released"]),
                distinct=True,
            )
        )
        .order_by("-opens_at", "-pk")
    )
    certified = dict(
        Certificate.objects.filter(
            superseded_at__isnull=True,
            qualification__status=QualificationStatus.VALID,
            qualification__source_attempt__exam__in=exams,
        )
        .values("qualification__source_attempt__exam")
        .annotate(n=Count("pk"))
        .values_list("qualification__source_attempt__exam", "n")
    )
    batches: dict[int, CertificateBatch] = {}
    for batch in CertificateBatch.objects.filter(exam__in=exams).order_by("created_at", "pk"):
        batches[batch.exam_id] = batch
    rows = []
    for exam in exams:
        link = getattr(exam, "qualification_link", None)
        rows.append(
            QualificationExamRow(
                exam=exam,
                link=link,
                passers=exam.passers,
                certified=certified.get(exam.pk, 0),
                batch=batches.get(exam.pk),
            )
        )
    return rows


def officer_by_police_number(user, police_number: str) -> User | None:
    """An officer ``user`` may see, by police number; None when unknown or out of scope."""
    return officers_visible_to(user).filter(police_number=police_number.strip()).select_related("unit").first()


# --- public verification ------------------------------------------------------------------------


def masked_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*, 欧阳小明 → 欧**明: enough to match a printout, not to identify."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class VerifiedState:
    VALID = "valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REPLACED = "replaced"
    NOT_VALID = "not_valid"


@dataclass(frozen=True)
class Verification:
    """What the public page may show about a certificate — nothing that identifies the officer."""

    number: str
    state: str
    qualification: str
    granted_on: datetime.date | None
    valid_until: datetime.date | None
    holder: str
    replaced_at: datetime.datetime | None = None


def certificate_verification(number: str, *, today: datetime.date | None = None) -> Verification | None:
    """The public answer for a certificate number; None when no certificate has it."""
    today = today or timezone.localdate()
    certificates = Certificate.objects.select_related(
        "qualification", "qualification__officer", "qualification__qualification_type"
    )
    number = number.strip()
    # Typed by hand from a printout: accept lower case for the (upper-case) prefix.
    certificate = certificates.filter(number=number).first() or certificates.filter(number=number.upper()).first()
    if certificate is None:
        return None
    record = certificate.qualification
    if certificate.superseded_at is not None:
        state = VerifiedState.REPLACED
    elif record.status == QualificationStatus.SUSPENDED:
        state = VerifiedState.SUSPENDED
    elif record.status == QualificationStatus.REVOKED:
        state = VerifiedState.REVOKED
    elif record.status == QualificationStatus.EXPIRED or (
        certificate.valid_until is not None and certificate.valid_until < today
    ):
        state = VerifiedState.EXPIRED
    elif record.status == QualificationStatus.VALID:
        state = VerifiedState.VALID
    else:
        state = VerifiedState.NOT_VALID
    return Verification(
        number=certificate.number,
        state=state,
        qualification=record.qualification_type.name,
        granted_on=record.granted_on if state != VerifiedState.REPLACED else certificate.issued_on,
        valid_until=certificate.valid_until,
        holder=masked_name(record.officer.name),
        replaced_at=certificate.superseded_at,
    )
