"""Middle leaders: the one-third coverage of the annual concentrated test, reminder talks raised by
results, flags for organisational measures on a second failure, recording talks, and who sees them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.models import OrganisationalFlag, ReminderTalk
from certification.selectors.leaders import file_entries, leader_coverage
from certification.services.leaders import (
    LeaderTalkError,
    leader_result_hook,
    organisational_flag_resolve,
    reminder_talk_create,
    reminder_talk_record,
)
from exams.models import Attempt, ExamKind
from portal.models import AuditEntry, Notification
from tests.certification.leaders_support import graded, mark_tested, middle_leader, random_exam, sampled
from tests.exams.delivery_support import objective_blueprint

pytestmark = pytest.mark.django_db


def this_year() -> int:
    return timezone.localtime(timezone.now()).year


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- coverage ----------------------------------------------------------------------------------------


def test_coverage_is_met_when_a_third_of_the_middle_leaders_sat_a_drawn_test(station, other_unit):
    leaders = [middle_leader(station, "610001"), middle_leader(station, "610002"), middle_leader(other_unit, "610003")]
    exam = random_exam(*leaders)
    sampled(exam, leaders[0], leaders[2])
    graded(exam, leaders[0], score=65)  # sat: counted as soon as submitted

    coverage = leader_coverage(this_year())

    assert (coverage.rule.total, coverage.rule.tested, coverage.rule.required, coverage.rule.met) == (3, 1, 1, True)
    assert {officer.police_number for officer in coverage.rule.untested} == {"610002", "610003"}
    units = {row.label.split("/")[-1]: row for row in coverage.by_unit}
    assert (units["北山派出所"].total, units["北山派出所"].tested) == (2, 1)
    assert (units["治安大队"].total, units["治安大队"].tested) == (1, 0)
    [result] = coverage.results
    assert result.officer == leaders[0] and not result.failed and result.low  # 65 passes, below 70


def test_coverage_is_not_met_below_a_third(station):
    leaders = [middle_leader(station, f"62000{number}") for number in range(1, 5)]
    exam = random_exam(*leaders)
    plan = sampled(exam, *leaders[:2])
    graded(exam, leaders[0], score=40)
    mark_tested(plan)  # nobody else marked: the second drawn leader did not sit

    coverage = leader_coverage(this_year())

    assert (coverage.rule.total, coverage.rule.tested, coverage.rule.required, coverage.rule.met) == (4, 1, 2, False)
    assert [result.failed for result in coverage.results] == [True]


def test_coverage_page_and_export_for_hr_only(client, hr, officer, station):
    leader = middle_leader(station, "630001")
    exam = random_exam(leader)
    sampled(exam, leader)
    graded(exam, leader, score=30)

    english(client, hr)
    page = client.get(reverse("certification:leader_coverage"))
    assert page.status_code == 200
    assert b'data-met="yes"' in page.content and b'data-result="failed"' in page.content

    export = client.get(reverse("certification:leader_coverage_xlsx"), {"year": this_year()})
    assert export.status_code == 200
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 4
    entry = AuditEntry.objects.get(action="certification.leader_coverage.exported")
    assert entry.data["met"] is True and entry.data["results"] == 1

    client.force_login(officer)
    assert client.get(reverse("certification:leader_coverage")).status_code == 403


# --- the result hook ---------------------------------------------------------------------------------


def test_a_failed_random_test_raises_a_talk_and_tells_hr_and_legal_leaders(
    station, hr, legal_leader, trainer, django_capture_on_commit_callbacks
):
    leader = middle_leader(station, "640001")
    attempt = graded(random_exam(leader), leader, score=40)

    with django_capture_on_commit_callbacks(execute=True):
        leader_result_hook(attempt=attempt)

    talk = ReminderTalk.objects.get(officer=leader)
    assert talk.attempt == attempt and talk.year == this_year() and talk.talk_date is None
    assert "40" in talk.reason
    recipients = set(Notification.objects.filter(kind="certification.talk").values_list("recipient", flat=True))
    assert recipients == {hr.pk, legal_leader.pk}
    assert not OrganisationalFlag.objects.exists()


def test_a_pass_below_the_low_score_raises_a_talk(station):
    leader = middle_leader(station, "640002")
    attempt = graded(random_exam(leader), leader, score=65)
    assert attempt.passed

    leader_result_hook(attempt=attempt)

    assert ReminderTalk.objects.filter(officer=leader, attempt=attempt).exists()


def test_no_talk_for_a_good_pass_a_non_leader_or_another_kind_of_exam(station, officer):
    blueprint = objective_blueprint()
    leader = middle_leader(station, "640003")
    random_test = random_exam(leader, officer, blueprint=blueprint)
    formal = random_exam(leader, blueprint=blueprint, kind=ExamKind.FORMAL, title="月考")

    leader_result_hook(attempt=graded(random_test, leader, score=80))
    leader_result_hook(attempt=graded(random_test, officer, score=20))
    leader_result_hook(attempt=graded(formal, leader, score=20))

    assert not ReminderTalk.objects.exists() and not OrganisationalFlag.objects.exists()


def test_the_hook_is_idempotent_and_a_regrade_to_a_pass_keeps_the_talk(station, hr, django_capture_on_commit_callbacks):
    leader = middle_leader(station, "640004")
    attempt = graded(random_exam(leader), leader, score=40)

    with django_capture_on_commit_callbacks(execute=True):
        leader_result_hook(attempt=attempt)
        leader_result_hook(attempt=attempt)
    assert ReminderTalk.objects.filter(officer=leader).count() == 1
    assert not OrganisationalFlag.objects.exists()
    assert AuditEntry.objects.filter(action="certification.talk.raised").count() == 1
    assert Notification.objects.filter(recipient=hr).count() == 1

    Attempt.objects.filter(pk=attempt.pk).update(score=85, passed=True)
    attempt.refresh_from_db()
    leader_result_hook(attempt=attempt)
    assert ReminderTalk.objects.filter(officer=leader).count() == 1


def test_failing_again_after_an_earlier_years_talk_raises_a_flag_for_hr(
    station, hr, legal_leader, django_capture_on_commit_callbacks
):
    leader = middle_leader(station, "650001")
    earlier = ReminderTalk.objects.create(officer=leader, year=this_year() - 1, reason="去年成绩偏低")
    attempt = graded(random_exam(leader), leader, score=30)

    with django_capture_on_commit_callbacks(execute=True):
        leader_result_hook(attempt=attempt)
        leader_result_hook(attempt=attempt)

    flag = OrganisationalFlag.objects.get(officer=leader)
    assert flag.talk == earlier and flag.attempt == attempt and flag.resolved_at is None
    assert ReminderTalk.objects.filter(officer=leader).count() == 1  # no second talk
    assert list(Notification.objects.filter(kind="certification.talk").values_list("recipient", flat=True)) == [hr.pk]


def test_a_second_failure_in_the_same_year_flags_and_names_the_first_talk(station):
    blueprint = objective_blueprint()
    leader = middle_leader(station, "650002")
    first = graded(random_exam(leader, blueprint=blueprint, title="第一次"), leader, score=50, submitted_ago=60)
    second = graded(random_exam(leader, blueprint=blueprint, title="第二次"), leader, score=62)

    leader_result_hook(attempt=first)
    leader_result_hook(attempt=second)
    leader_result_hook(attempt=first)  # a regrade of the first changes nothing

    talk = ReminderTalk.objects.get(officer=leader)
    assert talk.attempt == first
    flag = OrganisationalFlag.objects.get(officer=leader)
    assert flag.talk == talk and flag.attempt == second


# --- recording talks and flags -----------------------------------------------------------------------


@pytest.fixture
def talk(station):
    leader = middle_leader(station, "660001")
    return ReminderTalk.objects.create(officer=leader, year=this_year(), reason="测试不合格")


def test_recording_a_talk_validates_the_date_the_speaker_and_the_role(talk, legal_leader, trainer):
    today = timezone.localdate()
    good = {"talked_by": legal_leader, "summary": "已谈话", "follow_up": "", "today": today}
    with pytest.raises(LeaderTalkError):
        reminder_talk_record(talk=talk, talk_date=today + datetime.timedelta(days=1), actor=legal_leader, **good)
    with pytest.raises(LeaderTalkError):
        reminder_talk_record(talk=talk, talk_date=today, actor=trainer, **good)
    with pytest.raises(LeaderTalkError):
        reminder_talk_record(talk=talk, talk_date=today, actor=legal_leader, **{**good, "summary": "  "})
    with pytest.raises(LeaderTalkError):
        reminder_talk_record(talk=talk, talk_date=today, actor=legal_leader, **{**good, "talked_by": talk.officer})
    talk.refresh_from_db()
    assert talk.talk_date is None

    reminder_talk_record(talk=talk, talk_date=today, actor=legal_leader, **good)
    talk.refresh_from_db()
    assert talk.talk_date == today and talk.talked_by == legal_leader
    assert AuditEntry.objects.filter(action="certification.talk.recorded", target_id=str(talk.pk)).exists()


def test_hr_records_a_talk_on_its_page_and_the_leader_cannot(client, talk, hr):
    url = reverse("certification:leader_talk_detail", args=[talk.pk])
    day = timezone.localdate().isoformat()
    data = {"talk_date": day, "talked_by": hr.police_number, "summary": "谈话内容", "follow_up": "跟踪"}

    client.force_login(talk.officer)
    assert client.get(url).status_code == 200
    client.post(url, data)
    talk.refresh_from_db()
    assert talk.talk_date is None

    client.force_login(hr)
    response = client.post(url, data)
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.talk_date.isoformat() == day and talk.summary == "谈话内容"


def test_a_flag_is_resolved_once(talk, hr):
    flag = OrganisationalFlag.objects.create(officer=talk.officer, year=talk.year, talk=talk, reason="再次不合格")
    organisational_flag_resolve(flag=flag, resolution="调整分管工作", actor=hr)
    with pytest.raises(LeaderTalkError):
        organisational_flag_resolve(flag=flag, resolution="另一个处理", actor=hr)
    flag.refresh_from_db()
    assert flag.resolution == "调整分管工作" and flag.resolved_by == hr


def test_a_talk_is_added_by_hand_once_with_a_reason(client, station, hr):
    leader = middle_leader(station, "670001")
    with pytest.raises(LeaderTalkError):
        reminder_talk_create(officer=leader, year=this_year(), reason=" ", actor=hr)

    client.force_login(hr)
    url = reverse("certification:leader_talk_create")
    token = client.get(url).context["form"].initial["token"]
    data = {"token": token, "officer": leader.police_number, "year": this_year(), "reason": "年度测试成绩偏低"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # double submit
    assert ReminderTalk.objects.filter(officer=leader).count() == 1


# --- who sees what -----------------------------------------------------------------------------------


def test_a_leader_sees_only_their_own_talks(client, station, other_unit):
    mine = ReminderTalk.objects.create(officer=middle_leader(station, "680001"), year=this_year(), reason="我的")
    theirs = ReminderTalk.objects.create(officer=middle_leader(other_unit, "680002"), year=this_year(), reason="他的")
    flag = OrganisationalFlag.objects.create(officer=theirs.officer, year=this_year(), talk=theirs, reason="再次")

    client.force_login(mine.officer)
    page = client.get(reverse("certification:my_talks"))
    assert page.status_code == 200
    assert list(page.context["mine"].own_talks) == [mine] and not page.context["mine"].unit_talks
    assert client.get(reverse("certification:leader_talk_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("certification:leader_flag_detail", args=[flag.pk])).status_code == 404
    assert client.get(reverse("certification:leader_talks")).status_code == 403


def test_a_unit_leader_sees_their_subtree_read_only_and_others_get_404(
    client, unit_leader, squad, other_unit, officer, hr
):
    below = ReminderTalk.objects.create(officer=middle_leader(squad, "690001"), year=this_year(), reason="下属")
    elsewhere = ReminderTalk.objects.create(officer=middle_leader(other_unit, "690002"), year=this_year(), reason="外")

    client.force_login(unit_leader)
    page = client.get(reverse("certification:my_talks"))
    assert list(page.context["mine"].unit_talks) == [below]
    detail = client.get(reverse("certification:leader_talk_detail", args=[below.pk]))
    assert detail.status_code == 200 and detail.context["form"] is None
    assert client.get(reverse("certification:leader_talk_detail", args=[elsewhere.pk])).status_code == 404

    client.force_login(officer)  # neither a leader nor a unit leader
    assert client.get(reverse("certification:my_talks")).status_code == 404

    client.force_login(hr)
    listing = client.get(reverse("certification:leader_talks"))
    assert {talk.pk for talk in listing.context["talks"]} == {below.pk, elsewhere.pk}
    export = client.get(reverse("certification:leader_talks_xlsx"))
    assert export.status_code == 200
    assert AuditEntry.objects.get(action="certification.leader_talks.exported").data["talks"] == 2


def test_talks_list_puts_talks_to_be_held_first_and_filters_by_state(client, talk, hr, legal_leader):
    held = ReminderTalk.objects.create(
        officer=talk.officer, year=this_year(), reason="已谈", talk_date=timezone.localdate(), talked_by=legal_leader
    )
    client.force_login(hr)
    listing = client.get(reverse("certification:leader_talks"))
    assert [item.pk for item in listing.context["talks"]] == [talk.pk, held.pk]
    pending = client.get(reverse("certification:leader_talks"), {"state": "pending"})
    assert [item.pk for item in pending.context["talks"]] == [talk.pk]


def test_file_entries_show_talks_and_flags(talk, legal_leader):
    reminder_talk_record(
        talk=talk,
        talk_date=timezone.localdate(),
        talked_by=legal_leader,
        summary="谈了",
        follow_up="",
        actor=legal_leader,
    )
    OrganisationalFlag.objects.create(officer=talk.officer, year=talk.year, talk=talk, reason="再次")
    kinds = sorted(entry.kind for entry in file_entries(talk.officer))
    assert kinds == ["talk", "talk_flag"]


# --- demo --------------------------------------------------------------------------------------------


def test_the_demo_raises_talks_and_a_flag_from_the_random_test_and_a_rerun_changes_nothing():
    from certification.demo import leaders
    from exams.demo import blueprints, delivery, grading, questions, sampling
    from portal.demo import DemoContext
    from portal.demo import accounts as demo_accounts
    from portal.demo import people as demo_people
    from portal.demo import units as demo_units

    ctx = DemoContext()
    for builder in (demo_units, demo_accounts, demo_people, questions, blueprints, delivery, sampling, grading):
        builder.build(ctx)
    leaders.build(ctx)

    from_test = ReminderTalk.objects.filter(attempt__isnull=False)
    assert from_test.count() >= 1
    assert from_test.filter(talk_date__isnull=False).count() == 1
    assert from_test.filter(talk_date__isnull=True).exists()
    flag = OrganisationalFlag.objects.get()
    assert flag.talk.year == flag.year - 1 and flag.talk.attempt is None
    assert all(talk.officer.is_middle_leader for talk in ReminderTalk.objects.all())

    again = DemoContext()
    leaders.build(again)
    assert not again.changed
    assert OrganisationalFlag.objects.count() == 1


def test_hr_resolves_a_flag_on_its_page_and_a_second_post_changes_nothing(client, talk, hr):
    flag = OrganisationalFlag.objects.create(officer=talk.officer, year=talk.year, talk=talk, reason="再次不合格")
    url = reverse("certification:leader_flag_detail", args=[flag.pk])
    english(client, hr)
    assert client.get(url).status_code == 200
    assert client.post(url, {"resolution": "调整分管工作"}).status_code == 302
    assert client.post(url, {"resolution": "重复提交"}).status_code == 302
    flag.refresh_from_db()
    assert flag.resolution == "调整分管工作" and flag.resolved_by == hr


def test_without_a_random_test_the_demo_writes_the_stories_on_the_first_middle_leaders():
    from certification.demo import leaders
    from portal.demo import DemoContext
    from portal.demo import accounts as demo_accounts
    from portal.demo import people as demo_people
    from portal.demo import units as demo_units

    ctx = DemoContext()
    for builder in (demo_units, demo_accounts, demo_people):
        builder.build(ctx)
    leaders.build(ctx)

    this = ReminderTalk.objects.filter(year=ctx.today.year)
    assert this.count() == 2 and this.filter(talk_date__isnull=False).count() == 1
    flag = OrganisationalFlag.objects.get()
    assert flag.talk.year == ctx.today.year - 1

    again = DemoContext()
    leaders.build(again)
    assert not again.changed
