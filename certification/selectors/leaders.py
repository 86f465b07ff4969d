"""Reads for middle leaders: the yearly one-third coverage of the annual concentrated test (from
``exams.selectors.sampling.middle_leader_coverage``) with each tested leader's counted result,
reminder talks and organisational-measures flags in the reader's scope, and file entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from certification.models import CertificationPolicy, OrganisationalFlag, ReminderTalk
from certification.selectors.file import FileEntry
from exams.models import Attempt, Exam, ExamKind
from exams.selectors.results import exam_results
from exams.selectors.sampling import MiddleLeaderCoverage, middle_leader_coverage
from people.models import TRAINING_STAFF, Role, Unit, User
from people.selectors import can_view_officer, has_role, officers_in_audience, unit_full_paths

# Who sees every leader's coverage, talks and flags: HR and the legal brigade.
LEADER_STAFF_ROLES = (Role.HR, *TRAINING_STAFF)


def is_leader_staff(user) -> bool:
    return has_role(user, *LEADER_STAFF_ROLES)


# --- coverage --------------------------------------------------------------------------------------


@dataclass
class UnitCoverage:
    label: str
    total: int = 0
    tested: int = 0
    untested: list[User] = field(default_factory=list)


@dataclass(frozen=True)
class LeaderResult:
    """A middle leader's counted result in one of the year's random tests."""

    officer: User
    exam: Exam
    attempt: Attempt
    low: bool  # passed, but below the policy's low score

    @property
    def failed(self) -> bool:
        return not self.attempt.passed


@dataclass
class LeaderCoverage:
    year: int
    rule: MiddleLeaderCoverage
    by_unit: list[UnitCoverage]
    results: list[LeaderResult]
    low_score: Decimal
    tested_ids: set[int]


def _top_unit_label(officer: User, top_units: dict[str, Unit], labels: dict[int, str]) -> str:
    """The unit directly below the branch the officer serves in (or their own unit above that)."""
    if officer.unit_id is None:
        return _("No unit")
    unit = top_units.get(officer.unit.path[: 2 * Unit.steplen]) or officer.unit
    return labels.get(unit.pk, unit.name)


def year_random_exams(year: int) -> list[Exam]:
    return list(Exam.objects.filter(kind=ExamKind.RANDOM, opens_at__year=year).order_by("opens_at", "pk"))


def leader_results(year: int, *, low_score: Decimal) -> list[LeaderResult]:
    """Middle leaders' counted results in the random tests opening in ``year``, by test then unit."""
    results = []
    for exam in year_random_exams(year):
        for row in exam_results(exam):
            if row.counted is None or not row.officer.is_middle_leader:
                continue
            score = row.counted.score
            low = bool(row.counted.passed) and score is not None and score < low_score
            results.append(LeaderResult(officer=row.officer, exam=exam, attempt=row.counted, low=low))
    return results


def leader_coverage(year: int) -> LeaderCoverage:
    """The one-third rule for ``year`` with its counts per unit (each unit directly below the
    branch, with its subtree) and the tested leaders' counted results."""
    rule = middle_leader_coverage(year)
    untested_ids = {officer.pk for officer in rule.untested}
    leaders = list(
        officers_in_audience()
        .filter(is_middle_leader=True)
        .select_related("unit")
        .order_by("unit__path", "police_number")
    )
    top_units = {unit.path: unit for unit in Unit.objects.filter(depth__lte=2)}
    labels = unit_full_paths()
    units: dict[str, UnitCoverage] = {}
    for officer in leaders:
        label = _top_unit_label(officer, top_units, labels)
        row = units.setdefault(label, UnitCoverage(label=label))
        row.total += 1
        if officer.pk in untested_ids:
            row.untested.append(officer)
        else:
            row.tested += 1
    low_score = CertificationPolicy.current().leader_low_score
    return LeaderCoverage(
        year=year,
        rule=rule,
        by_unit=sorted(units.values(), key=lambda row: row.label),
        results=leader_results(year, low_score=low_score),
        low_score=low_score,
        tested_ids={officer.pk for officer in leaders} - untested_ids,
    )


def coverage_dataframes(coverage: LeaderCoverage) -> dict[str, object]:
    """{sheet name: DataFrame} for the xlsx download, headers in the reader's language."""
    import pandas as pd

    labels = unit_full_paths()
    rule = coverage.rule
    summary = pd.DataFrame(
        [[coverage.year, rule.total, rule.tested, rule.required, _("Met") if rule.met else _("Not met")]],
        columns=[_("Year"), _("Middle leaders"), _("Tested"), _("Required (one third)"), _("Result")],
    )
    by_unit = pd.DataFrame(
        [[row.label, row.total, row.tested, len(row.untested)] for row in coverage.by_unit],
        columns=[_("Unit"), _("Middle leaders"), _("Tested"), _("Not tested")],
    )
    untested = pd.DataFrame(
        [[officer.police_number, officer.name, labels.get(officer.unit_id, "")] for officer in rule.untested],
        columns=[_("Police number"), _("Name"), _("Unit")],
    )
    results = pd.DataFrame(
        [
            [
                result.officer.police_number,
                result.officer.name,
                labels.get(result.officer.unit_id, ""),
                result.exam.title,
                float(result.attempt.score) if result.attempt.score is not None else None,
                pgettext("test result", "Failed")
                if result.failed
                else (_("Passed, low score") if result.low else _("Passed")),
            ]
            for result in coverage.results
        ],
        columns=[_("Police number"), _("Name"), _("Unit"), _("Test"), _("Score"), _("Result")],
    )
    return {
        _("Summary"): summary,
        _("By unit"): by_unit,
        _("Not tested"): untested,
        _("Results"): results,
    }


# --- talks and flags -------------------------------------------------------------------------------


def _talks() -> QuerySet[ReminderTalk]:
    return ReminderTalk.objects.select_related("officer__unit", "talked_by", "attempt__exam")


def _flags() -> QuerySet[OrganisationalFlag]:
    return OrganisationalFlag.objects.select_related("officer__unit", "resolved_by", "talk", "attempt__exam")


def get_talk_for_user(user, pk: int) -> ReminderTalk:
    """The talk if ``user`` may see its leader (themself, their unit subtree, or everyone); else 404."""
    talk = _talks().filter(pk=pk).first()
    if talk is None or not can_view_officer(user, talk.officer):
        raise Http404
    return talk


def get_flag_for_user(user, pk: int) -> OrganisationalFlag:
    flag = _flags().filter(pk=pk).first()
    if flag is None or not can_view_officer(user, flag.officer):
        raise Http404
    return flag


@dataclass(frozen=True)
class TalkFilters:
    year: int | None = None
    state: str = ""

    def as_data(self) -> dict:
        return {"year": self.year, "state": self.state}


def talk_filters_from(params) -> TalkFilters:
    try:
        year = int(params.get("year") or 0) or None
    except ValueError:
        year = None
    if year is not None and not 2000 <= year <= timezone.localdate().year + 1:
        year = None
    state = params.get("state", "")
    return TalkFilters(year=year, state=state if state in {"pending", "held", "open", "resolved"} else "")


def talk_list(filters: TalkFilters) -> list[ReminderTalk]:
    """Every talk, those still to be held first, then newest year."""
    talks = _talks()
    if filters.year:
        talks = talks.filter(year=filters.year)
    if filters.state == "pending":
        talks = talks.filter(talk_date__isnull=True)
    elif filters.state == "held":
        talks = talks.filter(talk_date__isnull=False)
    elif filters.state in {"open", "resolved"}:
        return []
    return sorted(talks, key=lambda talk: (talk.talk_date is not None, -talk.year, -talk.created_at.timestamp()))


def flag_list(filters: TalkFilters) -> list[OrganisationalFlag]:
    """Every flag, open ones first."""
    flags = _flags()
    if filters.year:
        flags = flags.filter(year=filters.year)
    if filters.state == "open":
        flags = flags.filter(resolved_at__isnull=True)
    elif filters.state == "resolved":
        flags = flags.filter(resolved_at__isnull=False)
    elif filters.state in {"pending", "held"}:
        return []
    return sorted(flags, key=lambda flag: (flag.resolved_at is not None, -flag.year, -flag.created_at.timestamp()))


def talk_years() -> list[int]:
    years = set(ReminderTalk.objects.values_list("year", flat=True)) | {timezone.localdate().year}
    return sorted(years, reverse=True)


def talks_dataframes(talks: list[ReminderTalk], flags: list[OrganisationalFlag]) -> dict[str, object]:
    import pandas as pd

    labels = unit_full_paths()
    talk_frame = pd.DataFrame(
        [
            [
                talk.officer.police_number,
                talk.officer.name,
                labels.get(talk.officer.unit_id, ""),
                talk.year,
                talk.display_reason,
                _("Held") if talk.talk_date else _("To be held"),
                talk.talk_date.isoformat() if talk.talk_date else "",
                talk.talked_by.name if talk.talked_by_id else "",
                talk.summary,
                talk.follow_up,
            ]
            for talk in talks
        ],
        columns=[
            _("Police number"),
            _("Name"),
            _("Unit"),
            _("Year"),
            _("Reason"),
            _("State"),
            _("Date of the talk"),
            _("Talk by"),
            _("Summary"),
            _("Follow-up"),
        ],
    )
    flag_frame = pd.DataFrame(
        [
            [
                flag.officer.police_number,
                flag.officer.name,
                labels.get(flag.officer.unit_id, ""),
                flag.year,
                flag.display_reason,
                _("Resolved") if flag.resolved_at else _("Open"),
                flag.resolution,
                flag.resolved_by.name if flag.resolved_by_id else "",
                timezone.localtime(flag.resolved_at).strftime("%Y-%m-%d") if flag.resolved_at else "",
            ]
            for flag in flags
        ],
        columns=[
            _("Police number"),
            _("Name"),
            _("Unit"),
            _("Year"),
            _("Reason"),
            _("State"),
            _("Measures taken"),
            _("Resolved by"),
            _("Resolved on"),
        ],
    )
    return {_("Reminder talks"): talk_frame, _("Organisational measures"): flag_frame}


@dataclass
class MyTalks:
    own_talks: list[ReminderTalk]
    own_flags: list[OrganisationalFlag]
    unit_talks: list[ReminderTalk]
    unit_flags: list[OrganisationalFlag]


def my_talks(user) -> MyTalks:
    """A leader's own talks and flags; for a unit leader also those of the leaders in their unit
    subtree. Nobody else has this page (404): the legal brigade and HR use the full list."""
    own_talks = list(_talks().filter(officer=user))
    own_flags = list(_flags().filter(officer=user))
    is_unit_leader = has_role(user, Role.UNIT_LEADER) and user.unit_id is not None
    if not (user.is_middle_leader or own_talks or own_flags or is_unit_leader):
        raise Http404
    unit_talks: list[ReminderTalk] = []
    unit_flags: list[OrganisationalFlag] = []
    if is_unit_leader:
        subtree = {"officer__unit__path__startswith": user.unit.path}
        unit_talks = list(_talks().filter(**subtree).exclude(officer=user))
        unit_flags = list(_flags().filter(**subtree).exclude(officer=user))
    return MyTalks(own_talks=own_talks, own_flags=own_flags, unit_talks=unit_talks, unit_flags=unit_flags)


# --- the officer's file ----------------------------------------------------------------------------


def file_entries(officer) -> list[FileEntry]:
    """Reminder talks (held or still to be held) and organisational-measures flags."""
    entries = []
    for talk in _talks().filter(officer=officer):
        if talk.talk_date:
            status = _("Held")
            detail = _("%(reason)s Talk by %(by)s on %(day)s.") % {
                "reason": talk.display_reason,
                "by": talk.talked_by.name if talk.talked_by_id else "—",
                "day": talk.talk_date.isoformat(),
            }
        else:
            status = _("To be held")
            detail = talk.display_reason
        entries.append(
            FileEntry(
                date=talk.talk_date or timezone.localtime(talk.created_at).date(),
                kind="talk",
                kind_label=_("Reminder talk"),
                title=_("Reminder talk (%(year)s)") % {"year": talk.year},
                detail=detail,
                status=status,
                url=reverse("certification:leader_talk_detail", args=[talk.pk]),
            )
        )
    for flag in _flags().filter(officer=officer):
        entries.append(
            FileEntry(
                date=timezone.localtime(flag.created_at).date(),
                kind="talk_flag",
                kind_label=_("Organisational measures"),
                title=_("Flagged for organisational measures (%(year)s)") % {"year": flag.year},
                detail=flag.resolution or flag.display_reason,
                status=_("Resolved") if flag.resolved_at else _("Open"),
                url=reverse("certification:leader_flag_detail", args=[flag.pk]),
            )
        )
    return entries
