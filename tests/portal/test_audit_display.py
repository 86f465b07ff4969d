"""The audit log reads as sentences: who, when, what was done to which record, and each detail
with the field's label and the choice's label — never a raw dict, model label or code value."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation

from certification.models import QualificationStatus
from certification.services.qualifications import qualification_suspend
from portal.models import AuditEntry
from portal.selectors.audit_display import audit_lines
from portal.services import audit_log
from tests.certification.qualification_support import grant

pytestmark = pytest.mark.django_db


def _page(client, user, language: str = "zh-hans") -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/audit/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_status_change_reads_as_a_chinese_sentence_with_labels(client, hr, officer, legal_leader):
    record = grant(officer, "basic", granted_on=datetime.date(2026, 1, 5))
    qualification_suspend(qualification=record, actor=legal_leader, reason="正在调查")

    page = _page(client, hr)

    assert f"{legal_leader} 于 " in page
    assert f"暂停了 资格记录「{record}」" in page
    assert "状态 由「有效」改为「已暂停」" in page
    assert "授予日期：2026年1月5日" in page
    assert "原因：正在调查" in page
    for raw in ("{&#x27;", "certification.qualification #", "granted_on:", "「valid」", "「suspended」"):
        assert raw not in page


def test_the_same_entry_reads_in_english_for_an_english_reader(client, hr, officer, legal_leader):
    record = grant(officer, "basic")
    qualification_suspend(qualification=record, actor=legal_leader, reason="正在调查")

    page = _page(client, hr, "en")

    assert f"suspended qualification record “{record}”" in page
    assert "status: from “Valid” to “Suspended”" in page


def test_empty_values_field_changes_and_snapshots_are_readable(hr, officer):
    audit_log(
        actor=hr, action="people.officer.updated", target=officer, data={"changes": {"status": ["active", "left"]}}
    )
    audit_log(
        actor=hr,
        action="certification.qualification.updated",
        target=grant(officer, "basic"),
        data={"before": {"status": "valid", "expires_on": None}, "after": {"status": "expired", "expires_on": None}},
    )
    audit_log(actor="manage.py seed_demo", action="exams.sampling.done", data={"year": None, "state": ""})

    with translation.override("zh-hans"):
        lines = {line.entry.action: line for line in audit_lines(AuditEntry.objects.all())}
        expired = str(QualificationStatus.EXPIRED.label)

    [officer_change] = lines["people.officer.updated"].details
    assert "active" not in officer_change and "left" not in officer_change
    assert lines["certification.qualification.updated"].details == (f"状态 由「有效」改为「{expired}」",)
    assert lines["exams.sampling.done"].details == ("年度：—", "state：—")
    assert lines["exams.sampling.done"].sentence.startswith("manage.py seed_demo 于 ")


def test_a_deleted_object_or_an_unknown_model_falls_back_to_the_stored_labels(hr, officer):
    entry = audit_log(actor=hr, action="portal.thing.removed", target=officer, data={"rows": 3})
    gone = AuditEntry.objects.create(
        actor_label="张三（001）",
        action="oldapp.widget.frobbed",
        target_type="oldapp.widget",
        target_id="7",
        target_label="旧对象",
        data={"colour": "red"},
        created_at=timezone.now(),
    )

    with translation.override("zh-hans"):
        lines = {line.entry.pk: line for line in audit_lines([entry, gone])}

    assert lines[entry.pk].details == ("行数：3",)
    assert f"移除了 人员「{officer}」" in lines[entry.pk].sentence
    assert "oldapp.widget「旧对象」" in lines[gone.pk].sentence
    assert "执行了「oldapp.widget.frobbed」" in lines[gone.pk].sentence
    assert lines[gone.pk].details == ("colour：red",)
