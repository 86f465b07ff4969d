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
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
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
BATCH = 5_000  # rows per write: memory stays flat however many officers
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
        self.verbosity = options.get("verbosity", 1)
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
            people = self._step("officers", self._officers, officers, stations, rng, today)
            qualification_count = min(int(records * QUALIFICATION_SHARE), officers * QualificationType.objects.count())
            quals, certificates = self._step(
                "qualification records", self._qualifications, people, qualification_count, rng, today
            )
            attempts = self._step("exam attempts", self._attempts, people, records - quals, rng)
            pathways = self._step("pathways", self._pathways, people, rng, today)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh statistics, as autovacuum would gather them soon after: a query planned on the
            # empty tables' figures would be measured in a state no real database stays in. Never
            # inside a transaction (a test's): ANALYZE writes the row counts it sees in place, and
            # they outlive a rollback — every later test would be planned for empty tables.
            self._step("statistics (ANALYZE)", _analyze)
        elapsed = time.perf_counter() - began
        self.stdout.write(
            f"Generated {1 + CITIES + len(stations):,} units, "
            f"{len(people.ids):,} officers, {quals:,} qualification records ({certificates:,} certificates), "
            f"{attempts:,} released exam attempts over {EXAMS} exams, {pathways:,} pathways "
            f"in {elapsed:.1f} s (seed {seed})."
        )

    def _step(self, label: str, function, *args):
        began = time.perf_counter()
        result = function(*args)
        if self.verbosity > 1:
            self.stdout.write(f"  {label}: {time.perf_counter() - began:.1f} s")
        return result

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

    def _officers(self, count: int, units: list[Unit], rng: random.Random, today: datetime.date) -> _Officers:
        # One hash for everyone: hashing 100,000 passwords would take hours, and nobody logs in
        # as a generated officer.
        unusable = make_password(None)
        groups = dict(Group.objects.filter(name__in=[Role.OFFICER, Role.AUXILIARY]).values_list("name", "pk"))
        now = timezone.now()
        officers = _Officers()
        columns = (
            "police_number", "name", "unit_id", "category", "is_middle_leader", "is_legal_officer",
            "is_legal_brigade", "is_new_officer", "birth_date", "service_start_date", "password", "date_joined",
        )  # fmt: skip
        for first in range(1, count + 1, BATCH):
            rows = []
            for n in range(first, min(count, first + BATCH - 1) + 1):
                auxiliary = rng.random() < 0.15
                service_years = rng.randint(0, 35)
                new_officer = not auxiliary and service_years == 0
                started = today - datetime.timedelta(days=service_years * 365 + rng.randint(0, 364))
                rows.append(
                    (
                        f"S{n:06d}",
                        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                        rng.choice(units).pk,
                        Category.AUXILIARY if auxiliary else Category.OFFICER,
                        not auxiliary and rng.random() < 0.08,
                        not auxiliary and rng.random() < 0.05,
                        not auxiliary and rng.random() < 0.02,
                        new_officer,
                        today.replace(year=today.year - 22 - service_years - rng.randint(0, 8), day=1),
                        started,
                        unusable,
                        now,
                    )
                )
            ids = _insert(User, columns, rows)
            officers.ids.extend(ids)
            officers.new_started.update(
                {pk: row[9] for pk, row in zip(ids, rows, strict=True) if row[7]}  # new officers' start dates
            )
            if groups:
                _insert(
                    User.groups.through,
                    ("user_id", "group_id"),
                    [
                        (pk, groups[Role.AUXILIARY if row[3] == Category.AUXILIARY else Role.OFFICER])
                        for pk, row in zip(ids, rows, strict=True)
                    ],
                    returning=False,
                )
        return officers

    # --- qualifications ----------------------------------------------------------------------

    def _qualifications(
        self, officers: _Officers, count: int, rng: random.Random, today: datetime.date
    ) -> tuple[int, int]:
        """``count`` records over distinct (officer, type) pairs, in random order (as they come in
        over the years); valid ones expire over the next validity period (so some fall in
        30 / 60 / 90 days), expired ones ended in the past. Written a batch at a time, each batch's
        certificates right after it."""
        types = list(QualificationType.objects.all())
        if not types or not count:
            return 0, 0
        chosen = rng.sample(range(len(officers.ids) * len(types)), count)  # (officer, type) pairs as numbers
        statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        now = timezone.now()
        columns = (
            "officer_id", "qualification_type_id", "status", "granted_on", "expires_on", "source",
            "created_at", "updated_at",
        )  # fmt: skip
        certificates = 0
        for first in range(0, count, BATCH):
            rows = []
            for pair in chosen[first : first + BATCH]:
                kind = types[pair % len(types)]
                status = rng.choices(statuses, weights)[0]
                months = kind.validity_months
                if status == QualificationStatus.EXPIRED and months:
                    expires = today - datetime.timedelta(days=rng.randint(1, 1000))
                elif months:
                    expires = today + datetime.timedelta(days=rng.randint(0, months * 30))
                else:
                    expires = None
                granted = (
                    add_months(expires, -months)
                    if expires and months
                    else today - datetime.timedelta(rng.randint(0, 3000))
                )
                if status in (QualificationStatus.PROPOSED, QualificationStatus.REJECTED):
                    granted, expires = None, None
                rows.append(
                    (
                        officers.ids[pair // len(types)],
                        kind.pk,
                        status,
                        granted,
                        expires,
                        QualificationSource.EXAM if kind.tier else QualificationSource.EVIDENCE,
                        now,
                        now,
                    )
                )
            ids = _insert(Qualification, columns, rows)
            prefixes = {kind.pk: kind.certificate_prefix for kind in types}
            issued = [
                (pk, f"{prefixes[row[1]]}S{pk:08d}", row[3], row[4], now)
                for pk, row in zip(ids, rows, strict=True)
                if row[3] and row[2] != QualificationStatus.PROPOSED and rng.random() < 0.7
            ]
            _insert(
                Certificate,
                ("qualification_id", "number", "issued_on", "valid_until", "created_at"),
                issued,
                returning=False,
            )
            certificates += len(issued)
        return count, certificates

    # --- exams -------------------------------------------------------------------------------

    def _attempts(self, officers: _Officers, count: int, rng: random.Random) -> int:
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
        per_exam = min(len(officers.ids), -(-count // EXAMS))
        columns = (
            "exam_id", "officer_id", "state", "started_at", "deadline", "submitted_at", "graded_at",
            "released_at", "score", "passed",
        )  # fmt: skip
        written = 0
        for exam in exams:
            sitting = rng.sample(officers.ids, min(per_exam, count - written))
            for first in range(0, len(sitting), BATCH):
                rows = []
                for officer_id in sitting[first : first + BATCH]:
                    started = exam.opens_at + datetime.timedelta(minutes=rng.randint(0, 6 * 24 * 60))
                    score = Decimal(max(0, min(100, round(rng.gauss(74, 12))))).quantize(Decimal("0.01"))
                    rows.append(
                        (
                            exam.pk,
                            officer_id,
                            AttemptState.RELEASED,
                            started,
                            started + datetime.timedelta(minutes=60),
                            started + datetime.timedelta(minutes=rng.randint(15, 60)),
                            started + datetime.timedelta(minutes=61),
                            exam.results_released_at,
                            score,
                            score >= exam.pass_mark,
                        )
                    )
                _insert(Attempt, columns, rows, returning=False)
            written += len(sitting)
        return written

    # --- pathways ----------------------------------------------------------------------------

    def _pathways(self, officers: _Officers, rng: random.Random, today: datetime.date) -> int:
        """New officers are on the 123 pathway, spread over its phases."""
        policy = CertificationPolicy.current()
        phases = [PathwayPhase.PHASE1, PathwayPhase.PHASE2, PathwayPhase.PHASE3, PathwayPhase.COMPLETED]
        now = timezone.now()
        rows = []
        for officer_id, start in officers.new_started.items():
            phase = rng.choice(phases)
            rows.append(
                (
                    officer_id,
                    phase,
                    start,
                    start,
                    add_months(start, policy.phase1_months),
                    add_months(start, policy.phase1_months + policy.phase2_months),
                    add_months(start, policy.phase1_months + policy.phase2_months + policy.phase3_months),
                    today if phase == PathwayPhase.COMPLETED else None,
                    now,
                )
            )
        columns = (
            "officer_id", "phase", "start_date", "phase_started_on", "phase1_due", "phase2_due", "phase3_due",
            "completed_on", "created_at",
        )  # fmt: skip
        for first in range(0, len(rows), BATCH):
            _insert(Pathway, columns, rows[first : first + BATCH], returning=False)
        return len(rows)


@dataclass
class _Officers:
    """What later steps need of the generated officers, without a model instance each."""

    ids: list[int] = field(default_factory=list)
    new_started: dict[int, datetime.date] = field(default_factory=dict)  # new officer id → service start


def _insert(model, columns: tuple[str, ...], rows: list[tuple], *, returning: bool = True) -> list[int]:
    """Write ``rows`` (values of ``columns``, attribute names) into ``model``'s table; the other
    columns get the fields' defaults. Returns the new primary keys, in order, when ``returning``.

    On PostgreSQL the rows go through ``COPY … FROM STDIN`` (psycopg 3), with their primary keys
    taken from the table's sequence beforehand; elsewhere through ``bulk_create``."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])
        if returning and not all(obj.pk for obj in created):
            raise CommandError("This database does not return the keys of inserted rows.")
        return [obj.pk for obj in created] if returning else []
    meta = model._meta
    given = set(columns)
    rest = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    names = ", ".join(
        connection.ops.quote_name(column)
        for column in [meta.pk.column, *(_column(meta, attname) for attname in columns), *(f.column for f in rest)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row, *defaults))
    return ids if returning else []


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _column(meta, attname: str) -> str:
    return next(f.column for f in meta.concrete_fields if f.attname == attname)
