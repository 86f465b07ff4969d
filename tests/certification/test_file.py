"""The officer's law-enforcement file: entries from every source, filters, scope, summary, PDF."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    CaseQualityRecord,
    CaseQualityShare,
    PointCategory,
    PointEntry,
    QuarterlyEvaluation,
    ShareRole,
)
from certification.selectors.file import filter_entries, officer_file_entries, officer_file_summary
from courses.models import DiscussionAttendance, LessonCompletion, StudyDiscussion
from exams.models import Attempt, AttemptState, ExamKind
from portal.models import AuditEntry
from tests.certification.evaluation_support import make_scheme
from tests.certification.pathway_support import eligible_mentor, in_phase2
from tests.certification.points_support import attendance, formal_exam, in_sequence, released_attempt
from tests.certification.qualification_support import english, grant
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db


def full_file(officer, *, supervisor):
    """One record of every kind for ``officer``; returns the titles to look for."""
    now = timezone.now()
    LessonCompletion.objects.create(
        officer=officer,
        lesson_title="行政处罚法精讲",
        course_title="执法基础",
        opened_at=now - datetime.timedelta(minutes=10),
        completed_at=now,
        read_seconds=600,
    )
    discussion = StudyDiscussion.objects.create(
        topic="盗窃案证据标准研讨",
        starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3, hours=-2),
        place="三楼会议室",
    )
    DiscussionAttendance.objects.create(discussion=discussion, officer=officer, method="self")
    released_attempt(formal_exam(officer, title="年度执法知识考试"), officer, passed=True, score=92)
    waiting = formal_exam(officer, title="季度抽考")
    from exams.services.delivery import attempt_start, attempt_submit

    pending = attempt_submit(attempt=attempt_start(exam=waiting, officer=officer), actor=officer)
    Attempt.objects.filter(pk=pending.pk).update(state=AttemptState.SUBMITTED, released_at=None, passed=None)
    practice = published_exam(objective_blueprint(), officer, kind=ExamKind.PRACTICE, title="自测练习卷")
    released_attempt(practice, officer, passed=True)
    grant(officer, "basic", actor=supervisor)
    mentor = eligible_mentor(officer.unit, name="赵师傅")
    in_phase2(officer, supervisor=supervisor, mentor=mentor)
    record = CaseQualityRecord.objects.create(
        case_number="A2026-001", officer=officer, case_date=timezone.localdate(), case_title="李某诈骗案", score=95
    )
    CaseQualityShare.objects.create(record=record, officer=officer, role=ShareRole.HANDLER, weight=Decimal("0.70"))
    in_sequence(officer, required=3)
    attendance(officer, state="verified")
    PointEntry.objects.create(
        officer=officer,
        year=timezone.localdate().year,
        category=PointCategory.choices[0][0],
        points=Decimal("2.5"),
        description="庭审旁听",
        occurred_on=timezone.localdate(),
    )
    return mentor


def test_entries_from_each_source_appear(officer, trainer):
    mentor = full_file(officer, supervisor=trainer)
    entries = officer_file_entries(officer)
    kinds = {entry.kind for entry in entries}
    assert {"lesson", "discussion", "exam", "qualification", "pathway", "mentor", "case", "court", "points"} <= kinds
    titles = [entry.title for entry in entries]
    assert "行政处罚法精讲" in titles
    assert "盗窃案证据标准研讨" in titles
    assert "自测练习卷" not in titles  # practice stays out
    exams = {entry.title: entry for entry in entries if entry.kind == "exam"}
    assert "92" in exams["年度执法知识考试"].detail
    assert exams["季度抽考"].detail == ""  # no score before release
    case = next(entry for entry in entries if entry.kind == "case")
    assert "0.70" in case.detail
    assert any(entry.kind == "mentor" and "赵师傅" in entry.title for entry in entries)
    # The mentor's own file shows the binding from the other side.
    assert any(e.kind == "mentor" and officer.name in e.title for e in officer_file_entries(mentor))
    dates = [entry.date for entry in entries]
    assert dates == sorted(dates, reverse=True)


def test_filters_by_kind_and_year(officer, trainer):
    full_file(officer, supervisor=trainer)
    entries = officer_file_entries(officer)
    assert {e.kind for e in filter_entries(entries, kinds=["lesson", "exam"])} == {"lesson", "exam"}
    assert filter_entries(entries, year=1999) == []
    assert len(filter_entries(entries, year=timezone.localdate().year)) >= 1


def test_page_filters(client, officer, trainer):
    full_file(officer, supervisor=trainer)
    client.force_login(officer)
    response = client.get(reverse("certification:my_file"), {"kind": "lesson"})
    assert response.status_code == 200
    shown = list(response.context["page_obj"])
    assert shown and {e.kind for e in shown} == {"lesson"}
    response = client.get(reverse("certification:my_file"), {"year": "1999"})
    assert list(response.context["page_obj"]) == []
    # Malformed input shows the whole file rather than failing.
    response = client.get(reverse("certification:my_file"), {"year": "abc", "kind": "nonsense"})
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == len(officer_file_entries(officer))


@pytest.mark.parametrize(
    ("viewer", "subject", "status"),
    [
        ("officer", "officer", 200),
        ("officer", "squad_officer", 404),
        ("unit_leader", "squad_officer", 200),
        ("unit_leader", "outsider", 404),
        ("hr", "outsider", 200),
        ("trainer", "officer", 200),
        ("outsider", "officer", 404),
    ],
)
def test_scope(client, request, viewer, subject, status):
    viewer_user = request.getfixturevalue(viewer)
    subject_user = request.getfixturevalue(subject)
    client.force_login(viewer_user)
    assert client.get(reverse("certification:officer_file", args=[subject_user.pk])).status_code == status
    assert client.get(reverse("certification:officer_file_pdf", args=[subject_user.pk])).status_code == status


def test_missing_officer_is_404(client, hr):
    client.force_login(hr)
    assert client.get(reverse("certification:officer_file", args=[999999])).status_code == 404


def test_summary_figures(officer, trainer):
    full_file(officer, supervisor=trainer)
    officer.birth_date = datetime.date(timezone.localdate().year - 30, 1, 1)
    officer.save(update_fields=["birth_date"])
    scheme = make_scheme(trainer, year=timezone.localdate().year)
    QuarterlyEvaluation.objects.create(scheme=scheme, officer=officer, quarter=1, total=Decimal("88.5"), rank=3)
    summary = officer_file_summary(officer)
    assert [q.qualification_type.code for q in summary.qualifications] == ["basic"]
    assert summary.pathway_phase
    assert summary.points_total >= Decimal("2.5")
    assert (summary.court_verified, summary.court_required) == (1, 3)
    assert (summary.evaluation_total, summary.evaluation_rank) == (Decimal("88.5"), 3)
    assert summary.exams_passed == 1  # the formal exam; practice and the unreleased one do not count
    assert summary.age == 30
    assert summary.unit == "西湖分局北山派出所"


def test_page_shows_summary_and_entry(client, officer, trainer, hr):
    full_file(officer, supervisor=trainer)
    english(client).force_login(hr)
    response = client.get(reverse("certification:officer_file", args=[officer.pk]))
    body = response.content.decode()
    assert officer.name in body and officer.police_number in body
    assert "行政处罚法精讲" in body
    assert 'id="summary-court">1 / 3<' in body


def test_pdf_has_name_and_entry_and_is_audited(client, officer, trainer, hr):
    from pypdf import PdfReader

    full_file(officer, supervisor=trainer)
    client.force_login(hr)
    response = client.get(reverse("certification:officer_file_pdf", args=[officer.pk]), {"kind": "lesson"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert officer.name in text
    assert "行政处罚法精讲" in text
    assert "盗窃案证据标准研讨" not in text  # filtered out
    entry = AuditEntry.objects.get(action="certification.file.exported")
    assert entry.actor == hr
    assert entry.data["kinds"] == ["lesson"]
    assert entry.data["entries"] == 1


def test_unreleased_attempt_is_awaiting(officer):
    exam = formal_exam(officer)
    from exams.services.delivery import attempt_start, attempt_submit

    attempt = attempt_submit(attempt=attempt_start(exam=exam, officer=officer), actor=officer)
    Attempt.objects.filter(pk=attempt.pk).update(state=AttemptState.GRADED, score=30, passed=False)
    [entry] = [e for e in officer_file_entries(officer) if e.kind == "exam"]
    assert "30" not in entry.detail and entry.status


def test_officer_detail_links_to_the_file(client, hr, officer):
    client.force_login(hr)
    body = client.get(reverse("people:officer_detail", args=[officer.pk])).content.decode()
    assert reverse("certification:officer_file", args=[officer.pk]) in body
