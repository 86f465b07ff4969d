"""How long a certificate PDF takes to render in a warm process, and how many certificates a
batch issues per second.

In a throwaway database (SQLite in the temp folder by default; PostgreSQL when DATABASE_URL is set
— a ``test_…`` database is created and dropped) the script makes a small branch, grants one
officer 基本级执法资格 and renders that certificate (after three warm-up renders) ``--renders``
times: officer data, QR code (segno, inline SVG), template, WeasyPrint layout and PDF with the Noto
Serif CJK subset. Then it makes a qualification exam that ``--batch`` officers passed and runs the
batch task (``certificate_batch_run``: grant, certificate number, PDF, zip) once for real and once
again (the idempotent rerun issues nothing and only renders the archive again).

Usage: python bench/certificate_pdf.py [--renders 30] [--batch 50]
Target (issue 6): p50 ≤ 300 ms per certificate PDF.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from certification.models import Certificate, CertificateBatch, QualificationExam, QualificationType  # noqa: E402
from certification.pdf import certificate_content, certificate_pdf  # noqa: E402
from certification.services.certificates import certificate_batch_run  # noqa: E402
from certification.services.qualifications import qualification_grant  # noqa: E402
from exams.models import Attempt, AttemptState, Blueprint, Exam, ExamKind, ExamStatus  # noqa: E402
from people.models import Role, Unit, User  # noqa: E402
from people.models.units import UnitKind  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]


def build_branch(officers: int) -> tuple[User, list[User]]:
    branch = Unit.add_root(name="西湖分局", kind=UnitKind.BRANCH)
    legal = Unit.objects.get(pk=branch.pk).add_child(name="法制大队", kind=UnitKind.BRIGADE)
    station = Unit.objects.get(pk=branch.pk).add_child(name="北山派出所", kind=UnitKind.STATION)
    leader = User.objects.create_user("300010", "x", name="赵磊", unit=legal, is_legal_brigade=True)
    leader.groups.add(Group.objects.get_or_create(name=Role.LEGAL_LEADER)[0])
    people = [
        User(
            police_number=f"2{n:05d}",
            name=SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)],
            unit=station,
            password="!",
        )
        for n in range(officers)
    ]
    User.objects.bulk_create(people)
    return leader, list(User.objects.filter(unit=station).order_by("police_number"))


def passed_exam(officers: list[User]) -> Exam:
    now = timezone.now()
    blueprint = Blueprint.objects.create(title="基本级执法资格（基准）")
    exam = Exam.objects.create(
        title="基本级执法资格考试（基准）",
        kind=ExamKind.QUALIFICATION,
        blueprint=blueprint,
        opens_at=now - datetime.timedelta(hours=3),
        closes_at=now - datetime.timedelta(hours=1),
        duration_minutes=60,
        status=ExamStatus.CLOSED,
    )
    Attempt.objects.bulk_create(
        Attempt(
            exam=exam,
            officer=officer,
            state=AttemptState.GRADED,
            started_at=now - datetime.timedelta(hours=2),
            submitted_at=now - datetime.timedelta(hours=1, minutes=30),
            graded_at=now - datetime.timedelta(hours=1, minutes=30),
            score=90,
            passed=True,
        )
        for officer in officers
    )
    QualificationExam.objects.create(exam=exam, qualification_type=QualificationType.objects.get(code="basic"))
    return exam


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    creation = connection.creation
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        leader, officers = build_branch(args.batch + 1)
        print(f"database: {connection.vendor}")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

        record = qualification_grant(
            officer=officers[0],
            qualification_type=QualificationType.objects.get(code="basic"),
            source="manual",
            actor=leader,
            reason="基准",
        )
        certificate = Certificate.objects.select_related(
            "qualification__officer__unit", "qualification__qualification_type"
        ).get(qualification=record)
        for _ in range(3):
            certificate_pdf(certificate)  # warm: fonts found, templates compiled
        content, total, size = [], [], 0
        for _ in range(args.renders):
            began = time.perf_counter()
            certificate_content(certificate)
            content.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            size = len(certificate_pdf(certificate))
            total.append((time.perf_counter() - began) * 1000)
        print(
            f"certificate PDF ({args.renders} renders, {size / 1024:.0f} KB): "
            f"p50 {statistics.median(total):.0f} ms, p95 {p95(total):.0f} ms, "
            f"min {min(total):.0f} ms  (data + QR + issuer: p50 {statistics.median(content):.1f} ms)"
        )

        exam = passed_exam(officers[1:])
        for label in ("batch", "rerun"):
            before = Certificate.objects.count()
            batch = CertificateBatch.objects.create(exam=exam, requested_by=leader)
            began = time.perf_counter()
            done = certificate_batch_run(batch_id=batch.pk)
            elapsed = time.perf_counter() - began
            batch.refresh_from_db()
            issued = Certificate.objects.count() - before
            print(
                f"{label}: {done} passers, {issued} certificates issued, {elapsed:.1f} s "
                f"→ {done / elapsed:.1f} certificates/s ({batch.status}, archive {batch.archive.size / 1024:.0f} KB)"
            )
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
