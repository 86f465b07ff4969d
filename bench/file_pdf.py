"""How long one officer's law-enforcement file (执法档案) takes to assemble and render as PDF.

In a throwaway database (SQLite in the temp folder by default; PostgreSQL when DATABASE_URL is set
— a ``test_…`` database is created and dropped) the script gives one officer about ``--entries``
records spread over the sources of the file (lessons, discussions, court hearings, points,
case-quality records, a qualification with its certificate) and measures, after two warm-up
renders, ``--renders`` times: assembling the entries and summary (every provider's queries), and
the WeasyPrint PDF of header and timeline with the Noto Serif CJK subset.

Usage: python bench/file_pdf.py [--entries 200] [--renders 10]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from certification.file_pdf import officer_file_pdf  # noqa: E402
from certification.models import (  # noqa: E402
    AttendanceState,
    CaseQualityRecord,
    CaseQualityShare,
    CourtAttendance,
    PointCategory,
    PointEntry,
    QualificationType,
    ShareRole,
)
from certification.selectors.file import officer_file_entries, officer_file_summary  # noqa: E402
from certification.services.qualifications import qualification_grant  # noqa: E402
from courses.models import DiscussionAttendance, LessonCompletion, StudyDiscussion  # noqa: E402
from people.models import Role, Unit, User  # noqa: E402
from people.models.units import UnitKind  # noqa: E402


def build(entries: int) -> User:
    branch = Unit.add_root(name="西湖分局", kind=UnitKind.BRANCH)
    station = Unit.objects.get(pk=branch.pk).add_child(name="北山派出所", kind=UnitKind.STATION)
    officer = User.objects.create_user(
        "200001",
        "x",
        name="张伟",
        unit=station,
        birth_date=datetime.date(1988, 5, 1),
        service_start_date=datetime.date(2012, 8, 1),
    )
    now = timezone.now()
    # A quarter each for lessons, discussions, court hearings and case records; the points ledger
    # adds one line per year and the qualification two (its grant and its certificate).
    share = max(1, entries // 4)
    LessonCompletion.objects.bulk_create(
        LessonCompletion(
            officer=officer,
            lesson_title=f"执法规范化第{n + 1}讲",
            course_title="执法基础",
            opened_at=now - datetime.timedelta(days=n * 3, minutes=10),
            completed_at=now - datetime.timedelta(days=n * 3),
            read_seconds=600,
        )
        for n in range(share)
    )
    for n in range(share):
        discussion = StudyDiscussion.objects.create(
            topic=f"案例研讨第{n + 1}期",
            starts_at=now - datetime.timedelta(days=n * 7),
            ends_at=now - datetime.timedelta(days=n * 7, hours=-2),
            place="三楼会议室",
        )
        DiscussionAttendance.objects.create(discussion=discussion, officer=officer, method="host")
    today = timezone.localdate()
    CourtAttendance.objects.bulk_create(
        CourtAttendance(
            officer=officer,
            date=today - datetime.timedelta(days=n * 5),
            court="西湖区人民法院",
            case=f"某某盗窃案{n + 1}",
            state=AttendanceState.VERIFIED,
        )
        for n in range(share)
    )
    PointEntry.objects.bulk_create(
        PointEntry(
            officer=officer,
            year=today.year,
            category=PointCategory.COURT,
            points=Decimal("1.5"),
            description="庭审旁听",
            occurred_on=today,
        )
        for n in range(10)
    )
    for n in range(max(0, entries - 3 * share - 3)):
        record = CaseQualityRecord.objects.create(
            case_number=f"A{n:05d}",
            officer=officer,
            case_date=today - datetime.timedelta(days=n * 6),
            case_title="李某诈骗案",
            score=90,
        )
        CaseQualityShare.objects.create(record=record, officer=officer, role=ShareRole.HANDLER, weight=Decimal("1"))
    legal = Unit.objects.get(pk=branch.pk).add_child(name="法制大队", kind=UnitKind.BRIGADE)
    leader = User.objects.create_user("300010", "x", name="赵磊", unit=legal, is_legal_brigade=True)
    leader.groups.add(Group.objects.get_or_create(name=Role.LEGAL_LEADER)[0])
    qualification_grant(
        officer=officer,
        qualification_type=QualificationType.objects.get(code="basic"),
        source="manual",
        actor=leader,
        reason="基准",
    )
    return officer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--renders", type=int, default=10)
    args = parser.parse_args()

    creation = connection.creation
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        officer = build(args.entries)
        print(f"database: {connection.vendor}")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        for _ in range(2):
            officer_file_pdf(officer_file_summary(officer), officer_file_entries(officer))
        gather, render, size, count, queries = [], [], 0, 0, 0
        for _ in range(args.renders):
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                entries = officer_file_entries(officer)
                summary = officer_file_summary(officer)
            gather.append((time.perf_counter() - began) * 1000)
            queries, count = len(captured), len(entries)
            began = time.perf_counter()
            size = len(officer_file_pdf(summary, entries))
            render.append((time.perf_counter() - began) * 1000)
        print(
            f"officer file PDF ({count} entries, {args.renders} renders, {size / 1024:.0f} KB): "
            f"render p50 {statistics.median(render):.0f} ms, max {max(render):.0f} ms; "
            f"entries + summary p50 {statistics.median(gather):.1f} ms in {queries} queries"
        )
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
