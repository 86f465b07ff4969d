"""Case-quality records: upsert by case number, joint scoring with the mentor in phase 3 and only
there, the atomic xlsx import, the management command and the list's scope."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from certification.models import (
    CaseQualityRecord,
    CaseQualityShare,
    CertificationPolicy,
    MentorBinding,
    Pathway,
    ShareRole,
)
from certification.services.case_import import case_import_xlsx, case_template_xlsx
from certification.services.cases import CaseRecordError, case_record_save
from certification.services.pathway import pathway_complete
from portal.models import AuditEntry
from tests.certification.pathway_support import backdate_phase3, eligible_mentor, in_phase3, new_officer, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _save(officer, number, day, actor, **fields):
    return case_record_save(officer=officer, case_number=number, case_date=day, source="form", actor=actor, **fields)


def _shares(number):
    return {
        (share.officer_id, share.role): share.weight
        for share in CaseQualityShare.objects.filter(record__case_number=number)
    }


def test_a_known_case_number_updates_the_record_with_before_and_after_in_the_audit(station, trainer, officer):
    record, outcome = _save(officer, "A-001", today(), trainer, score=80, issue_categories="文书瑕疵、证据不全")
    assert outcome == "created"
    assert record.issue_categories == ["文书瑕疵", "证据不全"]
    again, outcome = _save(officer, "A-001", today(), trainer, score=85, deductions=15)
    assert outcome == "updated"
    assert again.pk == record.pk and CaseQualityRecord.objects.count() == 1
    assert again.score == Decimal("85.00")
    entry = AuditEntry.objects.get(action="certification.case.updated", target_id=str(record.pk))
    assert entry.data["before"]["score"] == "80.00"
    assert entry.data["after"]["score"] == "85.00"
    assert _save(officer, "A-001", today(), trainer, score=85, deductions=15)[1] == "unchanged"


def test_invalid_values_are_refused(station, trainer, officer):
    with pytest.raises(CaseRecordError):
        _save(officer, "A-002", today() + datetime.timedelta(days=1), trainer)
    with pytest.raises(CaseRecordError):
        _save(officer, "A-002", today(), trainer, score=120)
    with pytest.raises(CaseRecordError):
        _save(officer, "  ", today(), trainer)
    assert not CaseQualityRecord.objects.exists()


def test_an_ordinary_officers_case_counts_for_them_alone(station, trainer, officer):
    _save(officer, "A-003", today(), trainer, score=90)
    assert _shares("A-003") == {(officer.pk, ShareRole.HANDLER): Decimal("1.00")}


def test_joint_scoring_applies_in_phase3_and_only_in_phase3(station, trainer):
    policy = CertificationPolicy.current()
    policy.mentee_weight, policy.mentor_weight = Decimal("0.80"), Decimal("0.40")
    policy.save()
    mentor = eligible_mentor(station)
    mentee = new_officer(station)
    pathway = in_phase3(mentee, supervisor=trainer, mentor=mentor)
    started = today() - datetime.timedelta(days=30)
    backdate_phase3(pathway, started=started)
    MentorBinding.objects.filter(mentee=mentee).update(started_on=today() - datetime.timedelta(days=90))

    _save(mentee, "P2-1", started - datetime.timedelta(days=1), trainer, score=70)  # phase 2
    _save(mentee, "P3-1", started, trainer, score=95)  # first day of phase 3
    _save(mentee, "P3-2", today() - datetime.timedelta(days=2), trainer, deductions=30, serious=True)
    assert _shares("P2-1") == {(mentee.pk, ShareRole.HANDLER): Decimal("1.00")}
    assert _shares("P3-1") == {
        (mentee.pk, ShareRole.HANDLER): Decimal("0.80"),
        (mentor.pk, ShareRole.MENTOR): Decimal("0.40"),
    }
    assert (mentor.pk, ShareRole.MENTOR) in _shares("P3-2")  # negative results follow too

    Pathway.objects.filter(pk=pathway.pk).update(phase3_due=today())  # phase 3 has run its course
    pathway_complete(pathway=pathway, actor=trainer)
    _save(mentee, "AFTER-1", today(), trainer, score=99)  # after completion
    assert _shares("AFTER-1") == {(mentee.pk, ShareRole.HANDLER): Decimal("1.00")}
    # The phase-3 cases keep their mentor share after completion.
    assert (mentor.pk, ShareRole.MENTOR) in _shares("P3-1")


def test_a_phase3_case_without_a_binding_that_day_has_no_mentor_share(station, trainer):
    mentor = eligible_mentor(station)
    mentee = new_officer(station)
    pathway = in_phase3(mentee, supervisor=trainer, mentor=mentor)
    backdate_phase3(pathway, started=today() - datetime.timedelta(days=30))
    # Bound only from today: a case 10 days ago (phase 3) had no mentor then.
    _save(mentee, "P3-X", today() - datetime.timedelta(days=10), trainer, score=90)
    assert set(_shares("P3-X")) == {(mentee.pk, ShareRole.HANDLER)}


def test_moving_a_record_to_another_handler_recomputes_its_shares(station, trainer, officer):
    mentor = eligible_mentor(station)
    mentee = new_officer(station)
    in_phase3(mentee, supervisor=trainer, mentor=mentor)
    _save(mentee, "MOVE-1", today(), trainer, score=90)
    assert (mentor.pk, ShareRole.MENTOR) in _shares("MOVE-1")
    _save(officer, "MOVE-1", today(), trainer, score=90)
    assert _shares("MOVE-1") == {(officer.pk, ShareRole.HANDLER): Decimal("1.00")}


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["案件编号", "警号", "案件日期", "案件名称", "得分", "扣分", "问题类别", "严重问题", "表彰", "备注"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_is_atomic_and_names_the_bad_row(station, trainer, officer):
    day = today().isoformat()
    data = _xlsx(
        [
            ["X-1", officer.police_number, day, "盗窃案", 90, 10, "文书瑕疵", "否", "", ""],
            ["X-2", "999999", day, "", 80, 0, "", "否", "", ""],
            ["X-3", officer.police_number, "不是日期", "", 80, 0, "", "也许", "", ""],
        ]
    )
    result = case_import_xlsx(file=data, filename="cases.xlsx", actor=trainer)
    assert {(error.row, error.column) for error in result.errors} == {(3, "警号"), (4, "案件日期"), (4, "严重问题")}
    assert not CaseQualityRecord.objects.exists()
    good = _xlsx([["X-1", officer.police_number, day, "盗窃案", 90, 10, "文书瑕疵、证据不全", "是", "", ""]])
    result = case_import_xlsx(file=good, filename="cases.xlsx", actor=trainer)
    assert not result.errors and result.created == 1
    record = CaseQualityRecord.objects.get()
    assert record.serious and record.issue_categories == ["文书瑕疵", "证据不全"] and record.source == "import"
    result = case_import_xlsx(file=good, filename="cases.xlsx", actor=trainer)
    assert result.unchanged == 1 and CaseQualityRecord.objects.count() == 1


def test_import_refuses_a_repeated_case_number_in_one_file(station, trainer, officer):
    day = today().isoformat()
    data = _xlsx([["D-1", officer.police_number, day], ["D-1", officer.police_number, day]])
    result = case_import_xlsx(file=data, filename="cases.xlsx", actor=trainer)
    assert [(error.row, error.column) for error in result.errors] == [(3, "案件编号")]


def test_the_template_has_the_chinese_headers(station):
    sheet = load_workbook(io.BytesIO(case_template_xlsx())).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["案件编号*", "警号*", "案件日期*"]
    assert "问题类别" in headers and "严重问题" in headers


def test_management_command_imports_or_writes_nothing(tmp_path, station, officer):
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx([["C-1", officer.police_number, today().isoformat(), "", 88]]))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx([["C-2", officer.police_number, "2999-01-01"]]))
    with pytest.raises(CommandError):
        call_command("import_case_quality", str(bad))
    call_command("import_case_quality", str(good), "--dry-run")
    assert not CaseQualityRecord.objects.exists()
    call_command("import_case_quality", str(good))
    assert CaseQualityRecord.objects.get().case_number == "C-1"


def test_case_list_is_scoped(client, station, other_unit, trainer, officer, outsider, unit_leader, hr):
    _save(officer, "S-1", today(), trainer)
    _save(outsider, "S-2", today(), trainer)
    url = reverse("certification:case_list")
    seen = {}
    for user in (officer, outsider, unit_leader, hr):
        client.force_login(user)
        seen[user.pk] = {record.case_number for record in client.get(url).context["records"]}
    assert seen[officer.pk] == {"S-1"}
    assert seen[outsider.pk] == {"S-2"}
    assert seen[unit_leader.pk] == {"S-1"}
    assert seen[hr.pk] == {"S-1", "S-2"}


def test_only_legal_officers_and_the_brigade_enter_cases(client, station, trainer, officer, outsider):
    legal = eligible_mentor(station, is_legal_officer=True)
    form = {"officer": officer.police_number, "case_number": "F-1", "case_date": today().isoformat(), "deductions": "0"}
    client.force_login(officer)
    assert client.post(reverse("certification:case_create"), form).status_code == 403
    client.force_login(legal)
    assert client.post(reverse("certification:case_create"), form).status_code == 302
    # A legal officer's writes stay in their own unit.
    response = client.post(reverse("certification:case_create"), {**form, "officer": outsider.police_number})
    assert response.status_code == 200 and response.context["form"].errors
    client.force_login(trainer)
    response = client.post(reverse("certification:case_create"), {**form, "officer": outsider.police_number})
    assert response.status_code == 302
    assert CaseQualityRecord.objects.get(case_number="F-1").officer == outsider


def test_import_page_imports_and_lists_row_errors(client, station, trainer, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(trainer)
    template = client.get(reverse("certification:case_import_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    bad = SimpleUploadedFile("cases.xlsx", _xlsx([["U-1", "nobody", today().isoformat()]]))
    response = client.post(reverse("certification:case_import"), {"file": bad})
    assert [(error.row, error.column) for error in response.context["result"].errors] == [(2, "警号")]
    good = SimpleUploadedFile("cases.xlsx", _xlsx([["U-1", officer.police_number, today().isoformat()]]))
    response = client.post(reverse("certification:case_import"), {"file": good})
    assert response.context["result"].created == 1
    client.force_login(officer)
    assert client.get(reverse("certification:case_import")).status_code == 403
