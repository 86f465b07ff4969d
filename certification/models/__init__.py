from .cases import CaseQualityRecord, CaseQualityShare, CaseRecordSource, ShareRole
from .pathway import (
    LogStatus,
    MentorBinding,
    Pathway,
    PathwayPhase,
    PathwayTransition,
    ShadowingLogEntry,
    WorkType,
)
from .policy import CertificationPolicy
from .qualifications import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    ObtainedBy,
    Qualification,
    QualificationEvent,
    QualificationExam,
    QualificationSource,
    QualificationStatus,
    QualificationType,
)

__all__ = [
    "CaseQualityRecord",
    "CaseQualityShare",
    "CaseRecordSource",
    "ShareRole",
    "LogStatus",
    "MentorBinding",
    "Pathway",
    "PathwayPhase",
    "PathwayTransition",
    "ShadowingLogEntry",
    "WorkType",
    "CertificationPolicy",
    "BatchStatus",
    "Certificate",
    "CertificateBatch",
    "ObtainedBy",
    "Qualification",
    "QualificationEvent",
    "QualificationExam",
    "QualificationSource",
    "QualificationStatus",
    "QualificationType",
]
