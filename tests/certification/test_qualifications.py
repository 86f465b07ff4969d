"""Qualification records: grants, renewals, approvals, suspend / revoke / reinstate, expiry and
reminders, the exam result hook, and the pages HR, leaders and officers use."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    Certificate,
    CertificationPolicy,
    Qualification,
    QualificationEvent,
    QualificationSource,
    QualificationStatus,
)
from certification.services.qualifications import (
    QualificationError,
    qualification_approve,
    qualification_from_attempt,
    qualification_reinstate,
    qualification_reject,
    qualification_revoke,
    qualification_suspend,
    qualifications_expire_and_remind,
)
from courses.models.choices import Tier
from portal.models import AuditEntry, Notification
from tests.certification.qualification_support import (
    days_ago,
    english,
    grant,
    qualification_exam,
    qualification_type,
    sit,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = QualificationStatus


def current_certificates(record):
    return Certificate.objects.filter(qualification=record, superseded_at__isnull=True)


# --- grant and renew ------------------------------------------------------------------------------


def test_grant_makes_a_valid_record_with_expiry_certificate_event_and_notice(
    officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = grant(officer, "basic", granted_on=datetime.date(2026, 3, 31))
    assert record.status == S.VALID
    assert record.granted_on == datetime.date(2026, 3, 31)
    assert record.expires_on == datetime.date(2029, 3, 30)  # 36 months, last valid day
    certificate = current_certificates(record).get()
    assert certificate.number.startswith(f"JB{timezone.localdate().year}")
    assert len(certificate.number) == 2 + 4 + 6
    assert certificate.valid_until == record.expires_on
    assert record.events.get().action == "granted"
    assert AuditEntry.objects.filter(action="certification.qualification.granted", target_id=str(record.pk)).exists()
    notice = Notification.objects.get(recipient=officer)
    assert notice.url == reverse("certification:qualification_detail", args=[record.pk])


def test_type_without_validity_never_expires(officer):
    assert grant(officer, "lead_officer").expires_on is None


def test_second_grant_renews_the_same_record_and_replaces_the_certificate(officer):
    first = grant(officer, "basic", granted_on=days_ago(400))
    Qualification.objects.filter(pk=first.pk).update(reminders_sent=[90, 30])
    old = current_certificates(first).get()
    renewed = grant(officer, "basic")
    assert renewed.pk == first.pk
    assert Qualification.objects.filter(officer=officer).count() == 1
    assert renewed.granted_on == timezone.localdate()
    assert renewed.reminders_sent == []
    old.refresh_from_db()
    assert old.superseded_at is not None
    new = current_certificates(renewed).get()
    assert new.number != old.number and int(new.number[-6:]) == int(old.number[-6:]) + 1
    assert list(renewed.events.values_list("action", flat=True)) == ["granted", "renewed"]


def test_certificate_numbers_skip_one_taken_by_a_concurrent_issue(officer, squad_officer, monkeypatch):
    """Two issues computing the same next number: the unique constraint sends the loser to the next."""
    first = current_certificates(grant(officer, "basic")).get()
    from certification.services import certificates

    real_next = certificates.certificate_number_next
    calls = []

    def stale_next(*, prefix, year):
        calls.append(1)
        return first.number if len(calls) == 1 else real_next(prefix=prefix, year=year)

    monkeypatch.setattr(certificates, "certificate_number_next", stale_next)
    second = current_certificates(grant(squad_officer, "basic")).get()
    assert len(calls) == 2
    assert second.number != first.number


# --- approval -------------------------------------------------------------------------------------


def test_type_needing_approval_is_proposed_then_approved_by_a_leader(
    officer, legal_leader, django_capture_on_commit_callbacks
):
    grant(officer, "basic")
    grant(officer, "intermediate")
    with django_capture_on_commit_callbacks(execute=True):
        record = grant(officer, "advanced")
    assert record.status == S.PROPOSED and record.granted_on is None
    assert not current_certificates(record).exists()
    assert Notification.objects.filter(recipient=legal_leader, kind="certification.qualification.proposed").exists()

    with pytest.raises(QualificationError):
        qualification_approve(qualification=record, actor=officer)
    record = qualification_approve(qualification=record, actor=legal_leader)
    assert record.status == S.VALID and record.approved_by == legal_leader
    assert record.granted_on == timezone.localdate()
    assert current_certificates(record).count() == 1
    with pytest.raises(QualificationError) as twice:
        qualification_approve(qualification=record, actor=legal_leader)
    assert twice.value.code == "not_proposed"


def test_renewing_a_valid_approved_qualification_needs_no_new_approval(officer, legal_leader):
    grant(officer, "basic")
    grant(officer, "intermediate")
    record = qualification_approve(qualification=grant(officer, "advanced"), actor=legal_leader)
    assert grant(officer, "advanced").status == S.VALID
    assert record.certificates.count() == 2


def test_reject_needs_a_reason(officer, legal_leader):
    record = grant(officer, "legal_profession", source=QualificationSource.EVIDENCE, evidence_note="A证 2019")
    assert record.status == S.PROPOSED
    with pytest.raises(QualificationError) as missing:
        qualification_reject(qualification=record, actor=legal_leader, reason="  ")
    assert missing.value.code == "reason_required"
    record = qualification_reject(qualification=record, actor=legal_leader, reason="证书编号查无此人")
    assert record.status == S.REJECTED
    assert record.events.last().reason == "证书编号查无此人"


def test_evidence_needs_a_file_or_a_note(officer):
    with pytest.raises(QualificationError) as refused:
        grant(officer, "public_lawyer", source=QualificationSource.EVIDENCE)
    assert refused.value.code == "evidence_required"
    assert not Qualification.objects.exists()


def test_manual_grant_only_by_a_leader_with_a_reason(officer, hr, legal_leader):
    with pytest.raises(QualificationError):
        grant(officer, "lead_officer", source=QualificationSource.MANUAL, actor=hr, reason="调入")
    with pytest.raises(QualificationError):
        grant(officer, "lead_officer", source=QualificationSource.MANUAL, actor=legal_leader)
    record = grant(
        officer, "advanced", source=QualificationSource.MANUAL, actor=legal_leader, reason="外省调入，已取得"
    )
    # The leader's manual grant is itself the approval.
    assert record.status == S.VALID and record.approved_by == legal_leader


# --- suspend, revoke, reinstate -------------------------------------------------------------------


def test_revoke_with_reason_leaves_event_and_audit_entry(officer, legal_leader):
    record = grant(officer, "basic")
    with pytest.raises(QualificationError):
        qualification_revoke(qualification=record, actor=legal_leader, reason="")
    with pytest.raises(QualificationError):
        qualification_revoke(qualification=record, actor=officer, reason="自己撤销")
    assert Qualification.objects.get(pk=record.pk).status == S.VALID

    qualification_revoke(qualification=record, actor=legal_leader, reason="执法过错责任追究")
    record.refresh_from_db()
    assert record.status == S.REVOKED
    event = record.events.last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "revoked",
        S.VALID,
        S.REVOKED,
        legal_leader,
    )
    entry = AuditEntry.objects.get(action="certification.qualification.revoked")
    assert entry.actor == legal_leader and entry.data["reason"] == "执法过错责任追究"


def test_suspend_then_reinstate_restores_the_same_certificate(officer, legal_leader):
    record = grant(officer, "basic")
    certificate = current_certificates(record).get()
    qualification_suspend(qualification=record, actor=legal_leader, reason="停职调查")
    with pytest.raises(QualificationError) as again:
        qualification_suspend(qualification=record, actor=legal_leader, reason="重复")
    assert again.value.code == "not_valid"
    with pytest.raises(QualificationError) as regrant:
        grant(officer, "basic")
    assert regrant.value.code == "suspended"
    record = qualification_reinstate(qualification=record, actor=legal_leader, reason="调查结束")
    assert record.status == S.VALID
    assert current_certificates(record).get() == certificate
    assert list(record.events.values_list("action", flat=True)) == ["granted", "suspended", "reinstated"]
    assert AuditEntry.objects.filter(action__startswith="certification.qualification.").count() == 3


def test_reinstating_past_its_expiry_leaves_it_expired(officer, legal_leader):
    record = grant(officer, "basic", granted_on=days_ago(3 * 366))
    qualification_revoke(qualification=record, actor=legal_leader, reason="违纪")
    assert qualification_reinstate(qualification=record, actor=legal_leader, reason="复议撤销").status == S.EXPIRED


# --- expiry and reminders ---------------------------------------------------------------------------


def test_expiry_marks_past_records_expired_with_an_event(officer):
    record = grant(officer, "basic", granted_on=days_ago(3 * 366))
    assert qualifications_expire_and_remind() == 1
    record.refresh_from_db()
    assert record.status == S.EXPIRED
    event = record.events.last()
    assert (event.action, event.from_status, event.actor) == ("expired", S.VALID, None)
    assert qualifications_expire_and_remind() == 0


def test_reminders_go_out_at_each_policy_day_once(officer, django_capture_on_commit_callbacks):
    record = grant(officer, "basic")
    expires = record.expires_on
    sent = []
    for days_left in (100, 90, 89, 30, 30, 7, 3):
        with django_capture_on_commit_callbacks(execute=True):
            qualifications_expire_and_remind(today=expires - datetime.timedelta(days=days_left))
        sent.append(Notification.objects.filter(kind="certification.qualification.expiring").count())
    assert sent == [0, 1, 1, 2, 2, 3, 3]
    reminder = Notification.objects.filter(kind="certification.qualification.expiring").first()
    assert reminder.recipient == officer
    assert reminder.url == reverse("certification:qualification_detail", args=[record.pk])


def test_a_missed_night_sends_only_the_nearest_reminder(officer, django_capture_on_commit_callbacks):
    record = grant(officer, "basic")
    with django_capture_on_commit_callbacks(execute=True):
        qualifications_expire_and_remind(today=record.expires_on - datetime.timedelta(days=20))
    record.refresh_from_db()
    assert record.reminders_sent == [90, 30]
    assert Notification.objects.filter(kind="certification.qualification.expiring").count() == 1


def test_reminder_days_come_from_the_policy(officer):
    policy = CertificationPolicy.current()
    policy.reminder_days = "60"
    policy.save()
    record = grant(officer, "basic")
    assert qualifications_expire_and_remind(today=record.expires_on - datetime.timedelta(days=80)) == 0
    assert qualifications_expire_and_remind(today=record.expires_on - datetime.timedelta(days=59)) == 1


def test_renewal_resets_reminders_for_the_new_expiry(officer):
    record = grant(officer, "basic", granted_on=days_ago(3 * 365 - 20))
    qualifications_expire_and_remind()
    record.refresh_from_db()
    assert record.reminders_sent
    assert grant(officer, "basic").reminders_sent == []


# --- the exam result hook ---------------------------------------------------------------------------


def test_passing_a_linked_exam_grants_once_and_failing_does_nothing(officer, squad_officer):
    exam = qualification_exam(officer, squad_officer)
    attempt = sit(exam, officer)
    record = qualification_from_attempt(attempt=attempt)
    assert record.status == S.VALID and record.source == QualificationSource.EXAM
    assert record.source_attempt == attempt
    qualification_from_attempt(attempt=attempt)  # regrade: the same attempt grants nothing again
    assert record.certificates.count() == 1
    assert record.events.count() == 1

    failed = sit(exam, squad_officer, correct=False)
    assert qualification_from_attempt(attempt=failed) is None
    assert not Qualification.objects.filter(officer=squad_officer).exists()


def test_a_later_passing_attempt_renews_recertification(officer):
    first_exam = qualification_exam(officer, title="2023年基本级")
    first = qualification_from_attempt(attempt=sit(first_exam, officer))
    Qualification.objects.filter(pk=first.pk).update(granted_on=days_ago(1000))
    second_attempt = sit(qualification_exam(officer, title="2026年基本级"), officer)
    renewed = qualification_from_attempt(attempt=second_attempt)
    assert renewed.pk == first.pk and renewed.source_attempt == second_attempt
    assert renewed.granted_on == timezone.localdate()
    assert renewed.certificates.count() == 2 and current_certificates(renewed).count() == 1


def test_unlinked_exam_grants_nothing(officer):
    exam = qualification_exam(officer, code="")
    assert qualification_from_attempt(attempt=sit(exam, officer)) is None
    assert not Qualification.objects.exists()


def test_passing_while_suspended_leaves_the_record_to_the_leader(officer, legal_leader):
    record = grant(officer, "basic")
    qualification_suspend(qualification=record, actor=legal_leader, reason="调查")
    qualification_from_attempt(attempt=sit(qualification_exam(officer), officer))
    record.refresh_from_db()
    assert record.status == S.SUSPENDED
    assert AuditEntry.objects.filter(action="certification.qualification.not_renewed").exists()


def test_pass_of_an_exam_needing_approval_proposes(officer):
    grant(officer, "basic")
    grant(officer, "intermediate")
    exam = qualification_exam(officer, code="advanced", tier=Tier.ADVANCED)
    record = qualification_from_attempt(attempt=sit(exam, officer))
    assert record.status == S.PROPOSED and record.source_attempt.exam == exam


def test_a_key_correction_that_fails_the_granting_attempt_withdraws_it(officer):
    exam = qualification_exam(officer)
    attempt = sit(exam, officer)
    record = qualification_from_attempt(attempt=attempt)
    attempt.passed = False
    attempt.save(update_fields=["passed"])
    qualification_from_attempt(attempt=attempt)
    record.refresh_from_db()
    assert record.status == S.REVOKED and record.events.last().action == "corrected"


# --- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def records(officer, squad_officer, outsider):
    return {
        "officer": grant(officer, "basic"),
        "squad": grant(squad_officer, "basic", granted_on=days_ago(3 * 365 - 40)),
        "outsider": grant(outsider, "lead_officer"),
    }


def test_unit_leader_lists_only_their_unit_subtree(client, unit_leader, records):
    client.force_login(unit_leader)
    response = client.get(reverse("certification:qualification_list"))
    assert response.status_code == 200
    shown = {record.pk for record in response.context["records"]}
    assert shown == {records["officer"].pk, records["squad"].pk}
    assert client.get(reverse("certification:qualification_detail", args=[records["outsider"].pk])).status_code == 404


def test_list_filters_by_type_status_unit_and_expiry(client, hr, squad, records):
    client.force_login(hr)
    url = reverse("certification:qualification_list")

    def shown(**params):
        return {record.pk for record in client.get(url, params).context["records"]}

    assert shown() == {record.pk for record in records.values()}
    assert shown(type=qualification_type("lead_officer").pk) == {records["outsider"].pk}
    assert shown(unit=squad.pk) == {records["squad"].pk}
    assert shown(expiring=90) == {records["squad"].pk}
    assert shown(expiring=30) == set()
    assert shown(status="revoked") == set()
    assert shown(type="nonsense", status="bogus") == {record.pk for record in records.values()}


def test_plain_officer_cannot_open_the_list_but_sees_own_records(client, officer, records):
    client.force_login(officer)
    assert client.get(reverse("certification:qualification_list")).status_code == 403
    response = client.get(reverse("certification:my_qualifications"))
    assert [record.pk for record in response.context["records"]] == [records["officer"].pk]
    number = current_certificates(records["officer"]).get().number
    assert number in response.content.decode()
    assert client.get(reverse("certification:qualification_detail", args=[records["squad"].pk])).status_code == 404


def test_xlsx_download_of_the_filtered_list_is_audited(client, hr, squad, records):
    import pandas as pd

    english(client)
    client.force_login(hr)
    response = client.get(reverse("certification:qualification_list_xlsx"), {"unit": squad.pk})
    assert response.status_code == 200
    frame = pd.read_excel(io.BytesIO(response.content))
    assert list(frame["Police number"].astype(str)) == ["200003"]
    assert frame["Certificate number"][0] == current_certificates(records["squad"]).get().number
    entry = AuditEntry.objects.get(action="certification.qualifications.exported")
    assert entry.actor == hr and entry.data["rows"] == 1


def test_leader_revokes_from_the_detail_page_and_a_missing_reason_changes_nothing(client, legal_leader, records):
    record = records["officer"]
    client.force_login(legal_leader)
    url = reverse("certification:qualification_revoke", args=[record.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == S.VALID
    client.post(url, {"reason": "违法办案"})
    record.refresh_from_db()
    assert record.status == S.REVOKED
    # A stale second click is refused with a message and changes nothing.
    response = client.post(url, {"reason": "再次"}, follow=True)
    assert QualificationEvent.objects.filter(qualification=record, action="revoked").count() == 1
    assert response.status_code == 200


def test_only_leaders_may_act_on_a_record(client, hr, records):
    client.force_login(hr)
    record = records["officer"]
    response = client.post(reverse("certification:qualification_suspend", args=[record.pk]), {"reason": "x"})
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.status == S.VALID


def test_manual_grant_page_grants_and_a_double_submit_grants_once(client, legal_leader, officer):
    client.force_login(legal_leader)
    url = reverse("certification:qualification_grant")
    token = client.get(url).context["form"].initial["token"]
    data = {
        "token": token,
        "police_number": officer.police_number,
        "qualification_type": qualification_type("lead_officer").pk,
        "reason": "经考核认定",
    }
    response = client.post(url, data)
    record = Qualification.objects.get(officer=officer)
    assert response.status_code == 302 and response.url == reverse(
        "certification:qualification_detail", args=[record.pk]
    )
    assert record.source == QualificationSource.MANUAL and record.approved_by == legal_leader
    client.post(url, data)
    assert record.certificates.count() == 1


def test_grant_page_refuses_an_unknown_officer(client, legal_leader):
    client.force_login(legal_leader)
    url = reverse("certification:qualification_grant")
    token = client.get(url).context["form"].initial["token"]
    response = client.post(
        url,
        {
            "token": token,
            "police_number": "999999",
            "qualification_type": qualification_type("basic").pk,
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert not Qualification.objects.exists()


def test_officer_submits_evidence_and_a_leader_approves_it(client, officer, legal_leader):
    client.force_login(officer)
    url = reverse("certification:qualification_evidence_submit")
    token = client.get(url).context["form"].initial["token"]
    scan = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = client.post(
        url,
        {
            "token": token,
            "qualification_type": qualification_type("legal_profession").pk,
            "evidence": scan,
            "evidence_note": "2019年国家统一法律职业资格考试 A类",
        },
    )
    record = Qualification.objects.get(officer=officer)
    assert response.status_code == 302
    assert record.status == S.PROPOSED and record.source == QualificationSource.EVIDENCE
    assert client.get(reverse("certification:qualification_evidence", args=[record.pk])).status_code == 200

    client.force_login(legal_leader)
    detail = client.get(reverse("certification:qualification_detail", args=[record.pk]))
    assert [action["name"] for action in detail.context["actions"]] == ["approve", "reject"]
    client.post(reverse("certification:qualification_approve", args=[record.pk]), {"reason": ""})
    record.refresh_from_db()
    assert record.status == S.VALID and current_certificates(record).exists()


def test_evidence_file_type_is_checked(client, officer):
    client.force_login(officer)
    url = reverse("certification:qualification_evidence_submit")
    token = client.get(url).context["form"].initial["token"]
    response = client.post(
        url,
        {
            "token": token,
            "qualification_type": qualification_type("public_lawyer").pk,
            "evidence": SimpleUploadedFile("x.exe", b"MZ"),
            "evidence_note": "证书",
        },
    )
    assert response.status_code == 400
    assert not Qualification.objects.exists()


def test_qualification_exams_page_links_an_exam(client, trainer, officer):
    exam = qualification_exam(officer, code="")
    client.force_login(trainer)
    response = client.get(reverse("certification:qualification_exams"))
    assert [row.exam for row in response.context["rows"]] == [exam]
    client.post(
        reverse("certification:qualification_exam_link", args=[exam.pk]),
        {"qualification_type": qualification_type("lead_officer").pk},
    )
    assert exam.qualification_link.qualification_type.code == "lead_officer"
    assert AuditEntry.objects.filter(action="certification.qualification_exam.linked").count() == 1
    client.post(reverse("certification:qualification_exam_link", args=[exam.pk]), {"qualification_type": ""})
    assert not type(exam.qualification_link).objects.filter(exam=exam).exists()


def test_qualification_exams_page_is_for_training_staff(client, hr):
    client.force_login(hr)
    assert client.get(reverse("certification:qualification_exams")).status_code == 403


def test_pages_render_in_english_and_chinese(client, legal_leader, records):
    other = UserFactory(police_number="700001", name="钱多", unit=legal_leader.unit)
    grant(other, "legal_profession", source=QualificationSource.EVIDENCE, evidence_note="A证")
    client.force_login(legal_leader)
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in (
            reverse("certification:qualification_list"),
            reverse("certification:my_qualifications"),
            reverse("certification:qualification_detail", args=[records["officer"].pk]),
            reverse("certification:qualification_grant"),
            reverse("certification:qualification_evidence_submit"),
            reverse("certification:qualification_exams"),
        ):
            assert client.get(url).status_code == 200, url


# --- demo -------------------------------------------------------------------------------------------


def test_demo_builds_every_type_and_status_and_a_rerun_changes_nothing(django_capture_on_commit_callbacks):
    from certification.demo.qualifications import build
    from exams.demo.delivery import QUALIFICATION_TITLE
    from portal.demo import DemoContext, run_builders

    ctx = run_builders(
        DemoContext(), ["portal.demo.units.build", "portal.demo.accounts.build", "portal.demo.people.build"]
    )
    exam = qualification_exam(code="", title=QUALIFICATION_TITLE)
    build(ctx)
    today = timezone.localdate()
    records = Qualification.objects.all()
    assert set(records.values_list("qualification_type__code", flat=True)) == {
        "basic",
        "intermediate",
        "advanced",
        "lead_officer",
        "legal_profession",
        "public_lawyer",
    }
    statuses = set(records.values_list("status", flat=True))
    assert {S.VALID, S.SUSPENDED, S.REVOKED, S.PROPOSED, S.EXPIRED} <= statuses
    valid = records.filter(status=S.VALID)
    assert valid.filter(expires_on__lte=today + datetime.timedelta(days=30)).exists()
    assert valid.filter(
        expires_on__gt=today + datetime.timedelta(days=30), expires_on__lte=today + datetime.timedelta(days=90)
    ).exists()
    assert all(current_certificates(record).exists() for record in valid)
    proposal = records.get(status=S.PROPOSED)
    assert proposal.qualification_type.code == "legal_profession" and proposal.evidence
    assert records.filter(qualification_type__code="legal_profession", status=S.VALID, source="evidence").exists()
    officer001 = records.get(officer=ctx.accounts["officer"], qualification_type__code="basic")
    assert officer001.expires_on <= today + datetime.timedelta(days=90)
    assert exam.qualification_link.qualification_type.code == "basic"

    count, certificates = records.count(), Certificate.objects.count()
    rerun = DemoContext(accounts=ctx.accounts, units=ctx.units)
    build(rerun)
    assert (records.count(), Certificate.objects.count()) == (count, certificates)
    assert not rerun.created_counts and not rerun.updated_counts


def test_leaders_see_how_many_proposals_wait(officer, hr, legal_leader):
    from certification.selectors.qualifications import qualifications_awaiting_approval_count

    grant(officer, "public_lawyer", source=QualificationSource.EVIDENCE, evidence_note="公职律师证")
    assert qualifications_awaiting_approval_count(legal_leader) == 1
    assert qualifications_awaiting_approval_count(hr) == 0
