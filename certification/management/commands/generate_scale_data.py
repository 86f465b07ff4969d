"""A province-sized synthetic data set for benchmarks (issue 8): a unit tree, officers,
qualification records with certificates, released exam attempts and new-officer pathways.

Separate from ``seed_demo`` (a small, hand-written story for demonstrations): this is volume, made
with ``bulk_create`` in batches and no per-row services, so 10,000 officers and 100,000 records take
well under a minute. Nothing is audited or notified — it is not real activity.

Safety: the data set is marked by its root unit (code ``SCALE-DATA``). The command refuses
- a database that already holds the marker (a second run would collide on police numbers), and
- a database with more than 1,000 users and no marker — that looks like a real branch —
unless ``--force`` is given. Run it on a throwaway or benchmark database.

Usage: manage.py generate_scale_data --officers 10000 --records 100000 [--seed 1] [--force]
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from certification.models import (
    Certificate,
    CertificationPolicy,
    Pathway,
    PathwayPhase,
    Qualification,
    QualificationSource,
    QualificationStatus,
    QualificationType,
)
from certification.selectors.pathway import add_months
from courses.models.choices import Tier
from exams.models import Attempt, AttemptState, Blueprint, Exam, ExamKind, ExamStatus
from people.models import Category, Role, Unit, User
from people.models.units import UnitKind

MARKER_CODE = "SCALE-DATA"
REAL_DATA_USERS = 1_000
BATCH = 2_000
CITIES = 12
DISTRICTS_PER_CITY = 10
STATIONS_PER_DISTRICT = 3
# Share of the records that are qualification records; the rest are exam attempts.
QUALIFICATION_SHARE = 0.5
EXAMS = 12

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国海峰宇浩东晨阳雪琳"
CITY_NAMES = ["东州", "西陵", "南川", "北原", "青江", "临山", "安平", "长宁", "云溪", "丰城", "明湖", "泰和"]

# (status, weight) of generated qualification records.
STATUS_WEIGHTS = [
    (QualificationStatus.VALID, 72),
    (QualificationStatus.EXPIRED, 12),
    (QualificationStatus.PROPOSED, 5),
    (QualificationStatus.SUSPENDED, 4),
    (QualificationStatus.REVOKED, 3),
    (QualificationStatus.REJECTED, 4),
]


class Command(BaseCommand):
    help = "Generate a province-sized synthetic data set for benchmarks (not for real databases)."

    def add_arguments(self, parser):
        parser.add_argument("--officers", type=int, default=10_000)
        parser.add_argument("--records", type=int, default=100_000, help="Qualification records + exam attempts.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run even if the database looks real.")

    def handle(self, *args, officers: int, records: int, seed: int, force: bool, **options):
        if officers < 1 or records < 0:
            raise CommandError("--officers must be at least 1 and --records at least 0.")
        if Unit.objects.filter(code=MARKER_CODE).exists():
            raise CommandError("This database already holds generated scale data; use a fresh database.")
        users = User.objects.count()
        if users > REAL_DATA_USERS and not force:
            raise CommandError(
                f"The database holds {users:,} users and no generated scale data: it looks real. "
                "Use a benchmark database, or --force if you are sure."
            )
        rng = random.Random(seed)
        today = timezone.localdate()
        began = time.perf_counter()
        with transaction.atomic():
            stations = self._units()
            people = self._officers(officers, stations, rng, today)
            qualification_count = min(int(records * QUALIFICATION_SHARE), officers * QualificationType.objects.count())
            quals, certificates = self._qualifications(people, qualification_count, rng, today)
            attempts = self._attempts(people, records - quals, rng)
            pathways = self._pathways(people, rng, today)
        elapsed = time.perf_counter() - began
        self.stdout.write(
            f"Generated {1 + CITIES + len(stations):,} units, "
            f"{len(people):,} officers, {quals:,} qualification records ({certificates:,} certificates), "
            f"{attempts:,} released exam attempts over {EXAMS} exams, {pathways:,} pathways "
            f"in {elapsed:.1f} s (seed {seed})."
        )

    # --- units -------------------------------------------------------------------------------

    def _units(self) -> list[Unit]:
        """1 province, 12 cities, 10 districts each, 3 stations per district; returns the
        districts and stations (where officers work)."""
        province = Unit.add_root(name="合成省公安厅（基准数据）", kind=UnitKind.OFFICE, code=MARKER_CODE)
        workplaces: list[Unit] = []
        for city_name in CITY_NAMES[:CITIES]:
            city = Unit.objects.get(pk=province.pk).add_child(name=f"{city_name}市公安局", kind=UnitKind.OFFICE)
            for d in range(1, DISTRICTS_PER_CITY + 1):
                district = Unit.objects.get(pk=city.pk).add_child(
                    name=f"{city_name}第{d:02d}分局", kind=UnitKind.BRANCH
                )
                workplaces.append(district)
                for s in range(1, STATIONS_PER_DISTRICT + 1):
                    workplaces.append(
                        Unit.objects.get(pk=district.pk).add_child(name=f"第{s}派出所", kind=UnitKind.STATION)
                    )
        return workplaces

    # --- officers ----------------------------------------------------------------------------

    def _officers(self, count: int, units: list[Unit], rng: random.Random, today: datetime.date) -> list[User]:
        # One hash for everyone: hashing 10,000 passwords would take minutes, and nobody logs in
        # as a generated officer.
        unusable = make_password(None)
        rows = []
        for n in range(1, count + 1):
            auxiliary = rng.random() < 0.15
            service_years = rng.randint(0, 35)
            rows.append(
                User(
                    police_number=f"S{n:06d}",
                    name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    unit=rng.choice(units),
                    category=Category.AUXILIARY if auxiliary else Category.OFFICER,
                    is_middle_leader=not auxiliary and rng.random() < 0.08,
                    is_legal_officer=not auxiliary and rng.random() < 0.05,
                    is_legal_brigade=not auxiliary and rng.random() < 0.02,
                    is_new_officer=not auxiliary and service_years == 0,
                    birth_date=today.replace(year=today.year - 22 - service_years - rng.randint(0, 8), day=1),
                    service_start_date=today - datetime.timedelta(days=service_years * 365 + rng.randint(0, 364)),
                    password=unusable,
                )
            )
        people = User.objects.bulk_create(rows, batch_size=BATCH)
        if not all(person.pk for person in people):  # a backend without RETURNING: read them back
            people = list(User.objects.filter(police_number__startswith="S").order_by("police_number"))
        groups = dict(Group.objects.filter(name__in=[Role.OFFICER, Role.AUXILIARY]).values_list("name", "pk"))
        through = User.groups.through
        memberships = [
            through(
                user_id=person.pk,
                group_id=groups[Role.AUXILIARY if person.category == Category.AUXILIARY else Role.OFFICER],
            )
            for person in people
            if groups
        ]
        through.objects.bulk_create(memberships, batch_size=BATCH)
        return people

    # --- qualifications ----------------------------------------------------------------------

    def _qualifications(
        self, people: list[User], count: int, rng: random.Random, today: datetime.date
    ) -> tuple[int, int]:
        """``count`` records over distinct (officer, type) pairs; valid ones expire over the next
        validity period (so some fall in 30 / 60 / 90 days), expired ones ended in the past."""
        types = list(QualificationType.objects.all())
        if not types or not count:
            return 0, 0
        pairs = [(person, kind) for person in people for kind in types]
        chosen = rng.sample(pairs, count)
        statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        now = timezone.now()
        rows = []
        for person, kind in chosen:
            status = rng.choices(statuses, weights)[0]
            months = kind.validity_months
            if status == QualificationStatus.EXPIRED and months:
                expires = today - datetime.timedelta(days=rng.randint(1, 1000))
            elif months:
                expires = today + datetime.timedelta(days=rng.randint(0, months * 30))
            else:
                expires = None
            granted = (
                add_months(expires, -months) if expires and months else today - datetime.timedelta(rng.randint(0, 3000))
            )
            if status in (QualificationStatus.PROPOSED, QualificationStatus.REJECTED):
                granted, expires = None, None
            rows.append(
                Qualification(
                    officer=person,
                    qualification_type=kind,
                    status=status,
                    granted_on=granted,
                    expires_on=expires,
                    source=QualificationSource.EXAM if kind.tier else QualificationSource.EVIDENCE,
                    created_at=now,
                    updated_at=now,
                )
            )
        records = Qualification.objects.bulk_create(rows, batch_size=BATCH)
        if not all(record.pk for record in records):
            records = list(Qualification.objects.filter(officer__police_number__startswith="S"))
        certificates = [
            Certificate(
                qualification=record,
                number=f"{record.qualification_type.certificate_prefix}S{record.pk:08d}",
                issued_on=record.granted_on,
                valid_until=record.expires_on,
            )
            for record in records
            if record.granted_on and record.status != QualificationStatus.PROPOSED and rng.random() < 0.7
        ]
        Certificate.objects.bulk_create(certificates, batch_size=BATCH)
        return len(records), len(certificates)

    # --- exams -------------------------------------------------------------------------------

    def _attempts(self, people: list[User], count: int, rng: random.Random) -> int:
        """``count`` released attempts spread over a dozen closed exams of this year and last."""
        if count <= 0:
            return 0
        blueprint = Blueprint.objects.create(title="基准数据试卷蓝图（合成）")
        tiers = [Tier.BASIC, Tier.INTERMEDIATE, Tier.ADVANCED]
        exams = []
        for n in range(EXAMS):
            opens = timezone.now() - datetime.timedelta(days=20 + 30 * n)
            exams.append(
                Exam.objects.create(
                    title=f"合成考试 {n + 1:02d}",
                    kind=ExamKind.QUALIFICATION if n % 3 == 0 else ExamKind.FORMAL,
                    tier=tiers[n % 3],
                    blueprint=blueprint,
                    opens_at=opens,
                    closes_at=opens + datetime.timedelta(days=7),
                    duration_minutes=60,
                    status=ExamStatus.CLOSED,
                    results_released_at=opens + datetime.timedelta(days=8),
                )
            )
        per_exam = min(len(people), -(-count // EXAMS))
        rows = []
        for exam in exams:
            for person in rng.sample(people, per_exam):
                if len(rows) == count:
                    break
                started = exam.opens_at + datetime.timedelta(minutes=rng.randint(0, 6 * 24 * 60))
                score = Decimal(max(0, min(100, round(rng.gauss(74, 12))))).quantize(Decimal("0.01"))
                rows.append(
                    Attempt(
                        exam=exam,
                        officer=person,
                        state=AttemptState.RELEASED,
                        started_at=started,
                        deadline=started + datetime.timedelta(minutes=60),
                        submitted_at=started + datetime.timedelta(minutes=rng.randint(15, 60)),
                        graded_at=started + datetime.timedelta(minutes=61),
                        released_at=exam.results_released_at,
                        score=score,
                        passed=score >= exam.pass_mark,
                    )
                )
        Attempt.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    # --- pathways ----------------------------------------------------------------------------

    def _pathways(self, people: list[User], rng: random.Random, today: datetime.date) -> int:
        """New officers are on the 123 pathway, spread over its phases."""
        policy = CertificationPolicy.current()
        phases = [PathwayPhase.PHASE1, PathwayPhase.PHASE2, PathwayPhase.PHASE3, PathwayPhase.COMPLETED]
        rows = []
        for person in people:
            if not person.is_new_officer:
                continue
            start = person.service_start_date
            phase = rng.choice(phases)
            rows.append(
                Pathway(
                    officer=person,
                    phase=phase,
                    start_date=start,
                    phase_started_on=start,
                    phase1_due=add_months(start, policy.phase1_months),
                    phase2_due=add_months(start, policy.phase1_months + policy.phase2_months),
                    phase3_due=add_months(start, policy.phase1_months + policy.phase2_months + policy.phase3_months),
                    completed_on=today if phase == PathwayPhase.COMPLETED else None,
                )
            )
        Pathway.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)
