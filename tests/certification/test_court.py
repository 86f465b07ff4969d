"""Court-hearing attendance (庭审旁听): recording, verification rules, yearly progress and shortfall."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certification.models import AttendanceState, CourtAttendance, PointCategory, PointEntry, PointsSequence
from certification.selectors.court import court_progress, court_shortfall
from certification.services.court import (
    CourtError,
    court_attendance_record,
    court_attendance_reject,
    court_attendance_verify,
)
from portal.models import AuditEntry, Notification
from tests.certification.points_support import attendance, in_sequence, this_year

pytestmark = pytest.mark.django_db


def record(officer, **fields):
    values = {
        "officer": officer,
        "date": timezone.localdate(),
        "court": "西湖区人民法院",
        "case": "李某故意伤害案",
        "role": "observer",
        "note": "",
        "actor": officer,
        **fields,
    }
    return court_attendance_record(**values)


def test_officer_records_own_attendance_with_evidence(officer):
    evidence = SimpleUploadedFile("notice.pdf", b"%PDF-1.4 hearing notice", content_type="application/pdf")
    item = record(officer, evidence=evidence)
    assert item.state == AttendanceState.SUBMITTED
    assert item.evidence.name.endswith(".pdf")
    assert AuditEntry.objects.filter(action="certification.court.recorded").count() == 1


def test_recording_for_someone_else_or_in_the_future_is_refused(officer, trainer):
    with pytest.raises(CourtError):
        record(officer, actor=trainer)
    with pytest.raises(CourtError):
        record(officer, date=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(CourtError):
        record(officer, evidence=SimpleUploadedFile("run.exe", b"MZ"))
    big = SimpleUploadedFile("big.png", b"0" * (10 * 1024 * 1024 + 1), content_type="image/png")
    with pytest.raises(CourtError):
        record(officer, evidence=big)
    assert not CourtAttendance.objects.exists()


def test_verify_notifies_audits_and_adds_points(officer, trainer, django_capture_on_commit_callbacks):
    in_sequence(officer, points_each="1.5")
    item = attendance(officer)
    with django_capture_on_commit_callbacks(execute=True):
        item, changed = court_attendance_verify(attendance=item, actor=trainer)
    assert changed and item.state == AttendanceState.VERIFIED and item.reviewed_by == trainer
    assert Notification.objects.filter(recipient=officer).count() == 1
    assert AuditEntry.objects.filter(action="certification.court.verified").count() == 1
    entry = PointEntry.objects.get(officer=officer, category=PointCategory.COURT)
    assert entry.points == 1.5 and entry.source_id == str(item.pk)


def test_double_verify_is_harmless(officer, trainer, legal_leader, django_capture_on_commit_callbacks):
    item = attendance(officer)
    with django_capture_on_commit_callbacks(execute=True):
        court_attendance_verify(attendance=item, actor=trainer)
        again, changed = court_attendance_verify(attendance=item, actor=legal_leader)
    assert not changed and again.reviewed_by == trainer
    assert Notification.objects.filter(recipient=officer).count() == 1
    assert PointEntry.objects.filter(officer=officer).count() == 1


def test_reject_needs_a_reason_and_gives_no_points(officer, trainer, django_capture_on_commit_callbacks):
    item = attendance(officer)
    with pytest.raises(CourtError):
        court_attendance_reject(attendance=item, reason="  ", actor=trainer)
    item.refresh_from_db()
    assert item.state == AttendanceState.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        item, changed = court_attendance_reject(attendance=item, reason="无旁听证明", actor=trainer)
    assert changed and item.state == AttendanceState.REJECTED and item.reject_reason == "无旁听证明"
    assert not PointEntry.objects.filter(officer=officer).exists()
    assert "无旁听证明" in Notification.objects.get(recipient=officer).body


def test_rejecting_a_verified_attendance_removes_its_points(officer, trainer):
    item = attendance(officer)
    court_attendance_verify(attendance=item, actor=trainer)
    court_attendance_reject(attendance=item, reason="证明材料不实", actor=trainer)
    assert not PointEntry.objects.filter(officer=officer).exists()


def test_only_the_legal_brigade_verifies_and_never_their_own(officer, unit_leader, trainer, hr):
    item = attendance(officer)
    for actor in (unit_leader, hr, officer):
        with pytest.raises(CourtError):
            court_attendance_verify(attendance=item, actor=actor)
    own = attendance(trainer)
    with pytest.raises(CourtError):
        court_attendance_verify(attendance=own, actor=trainer)
    item.refresh_from_db()
    own.refresh_from_db()
    assert item.state == own.state == AttendanceState.SUBMITTED


def test_progress_counts_verified_against_the_sequence_requirement(officer, squad_officer):
    in_sequence(officer, required=2)
    attendance(officer, state=AttendanceState.VERIFIED)
    attendance(officer, state=AttendanceState.REJECTED)
    attendance(officer, state=AttendanceState.SUBMITTED)
    attendance(officer, state=AttendanceState.VERIFIED, date=datetime.date(this_year() - 1, 6, 1))
    progress = court_progress(officer, this_year())
    assert (progress.verified, progress.submitted, progress.required, progress.percent) == (1, 1, 2, 50)
    assert progress.met is False
    # Not in a sequence: no requirement.
    assert court_progress(squad_officer, this_year()).required is None


def test_shortfall_lists_officers_below_the_requirement_in_scope(officer, squad_officer, outsider, unit_leader, hr):
    in_sequence(officer, squad_officer, outsider, required=2)
    attendance(officer, state=AttendanceState.VERIFIED)
    attendance(squad_officer, state=AttendanceState.VERIFIED)
    attendance(squad_officer, state=AttendanceState.VERIFIED)
    everyone = {row.officer.pk: row for row in court_shortfall(hr, year=this_year())}
    assert set(everyone) == {officer.pk, outsider.pk}
    assert everyone[officer.pk].missing == 1 and everyone[outsider.pk].missing == 2
    assert [row.officer for row in court_shortfall(unit_leader, year=this_year())] == [officer]
    # Another year without a requirement: nobody.
    assert court_shortfall(hr, year=this_year() - 1) == []


def test_shortfall_page_scope_and_audited_export(client, officer, outsider, unit_leader, hr, password):
    in_sequence(officer, outsider)
    client.force_login(officer)
    assert client.get(reverse("certification:court_shortfall")).status_code == 403
    client.force_login(unit_leader)
    page = client.get(reverse("certification:court_shortfall"))
    assert [row.officer for row in page.context["rows"]] == [officer]
    client.force_login(hr)
    response = client.get(reverse("certification:court_shortfall_xlsx"), {"year": this_year()})
    assert response.status_code == 200
    import pandas as pd

    frame = pd.read_excel(io.BytesIO(response.content), dtype=str)
    assert sorted(frame["警号"]) == sorted([officer.police_number, outsider.police_number])
    entry = AuditEntry.objects.get(action="certification.court.shortfall_exported")
    assert entry.data["rows"] == 2


def test_my_court_page_records_once_on_double_submit(client, officer):
    client.force_login(officer)
    page = client.get(reverse("certification:my_court"))
    token = page.context["form"]["token"].value()
    data = {
        "token": token,
        "date": timezone.localdate().isoformat(),
        "court": "西湖区法院",
        "case": "某案",
        "role": "observer",
    }
    assert client.post(reverse("certification:my_court"), data).status_code == 302
    assert client.post(reverse("certification:my_court"), data).status_code == 302
    assert CourtAttendance.objects.filter(officer=officer).count() == 1


def test_review_page_is_for_the_legal_brigade(client, officer, trainer):
    item = attendance(officer)
    client.force_login(officer)
    assert client.get(reverse("certification:court_review")).status_code == 403
    assert client.post(reverse("certification:court_verify", args=[item.pk])).status_code == 403
    client.force_login(trainer)
    page = client.get(reverse("certification:court_review"))
    assert list(page.context["attendances"]) == [item]
    client.post(reverse("certification:court_reject", args=[item.pk]), {"reason": ""})
    item.refresh_from_db()
    assert item.state == AttendanceState.SUBMITTED
    client.post(reverse("certification:court_verify", args=[item.pk]))
    item.refresh_from_db()
    assert item.state == AttendanceState.VERIFIED
    assert client.post(reverse("certification:court_verify", args=[999999])).status_code == 404


def test_evidence_is_visible_only_in_scope(client, officer, outsider, trainer):
    item = record(officer, evidence=SimpleUploadedFile("p.png", b"\x89PNG", content_type="image/png"))
    url = reverse("certification:court_evidence", args=[item.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(trainer)
    assert client.get(url).status_code == 200


def test_sequence_admin_assigns_by_number_and_by_unit(client, trainer, officer, squad_officer, station):
    client.force_login(trainer)
    url = reverse("certification:court_sequence")
    response = client.post(url, {"action": "numbers", "numbers": "nosuch", "sequence": "case_handling"})
    assert response.status_code == 200 and not PointsSequence.objects.exists()
    client.post(url, {"action": "numbers", "numbers": officer.police_number, "sequence": "case_handling"})
    assert PointsSequence.objects.filter(officer=officer).exists()
    client.post(url, {"action": "unit", "unit": station.pk})
    assert PointsSequence.objects.filter(officer=squad_officer).exists()


def test_court_notifications_read_in_the_readers_language(client, officer, trainer, django_capture_on_commit_callbacks):
    from django.conf import settings
    from django.utils import translation

    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        court_attendance_reject(attendance=attendance(officer), reason="无旁听证明", actor=trainer)
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("portal:notifications")).content.decode()

    assert "Hearing: 西湖区人民法院, 张某盗窃案. Reason: 无旁听证明" in page
    assert "庭审：" not in page
