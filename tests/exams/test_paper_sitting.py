"""Paper sittings (线下考试): entry by grid and spreadsheet, scored exactly like online attempts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exams.models import (
    Answer,
    Attempt,
    AttemptMode,
    AttemptState,
    AttemptTransition,
    ExamAbsence,
    ExamAccommodation,
    ExamStatus,
    ReleaseRule,
)
from exams.selectors.paper_sitting import paper_variants
from exams.services.analysis import exam_analysis
from exams.services.delivery import answer_save, attempt_start, attempt_submit
from exams.services.paper_sitting import (
    EntryValueError,
    PaperEntryError,
    PaperSheet,
    entry_response,
    paper_sheets_enter,
    paper_variants_draw,
)
from exams.services.paper_sitting_import import paper_entries_import
from portal.models import AuditEntry
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.paper_sitting_support import fixed_paper_exam, printed_entry, workbook

pytestmark = pytest.mark.django_db


def _items(exam):
    return list(exam.fixed_paper.items.select_related("question_version").order_by("position"))


def _sheet(exam, officer, *, right_positions, row=0):
    entries = {item.position: printed_entry(item, right=item.position in right_positions) for item in _items(exam)}
    return PaperSheet(officer.police_number, "A", entries, row=row)


def test_grid_entry_scores_exactly_like_the_same_answers_online(officer, squad_officer, trainer):
    exam = fixed_paper_exam(officer, squad_officer, attempts_allowed=2)
    items = _items(exam)
    right = {item.position for item in items if item.position % 2}
    online = attempt_start(exam=exam, officer=squad_officer)
    for seq, item in enumerate(items, start=1):
        entered = printed_entry(item, right=item.position in right)
        answer_save(attempt=online, item_id=item.pk, response=entry_response(item, entered), client_seq=seq)
    online = attempt_submit(attempt=online, actor=squad_officer)

    result = paper_sheets_enter(exam=exam, sheets=[_sheet(exam, officer, right_positions=right)], actor=trainer)
    assert not result.problems
    [paper] = result.entered
    assert paper.mode == AttemptMode.PAPER
    assert paper.state in (AttemptState.GRADED, AttemptState.RELEASED)
    assert paper.score == online.score and paper.passed == online.passed
    assert 0 < paper.score < 100
    by_item = lambda attempt: {a.paper_item_id: (a.score, a.correct) for a in Answer.objects.filter(attempt=attempt)}  # noqa: E731
    assert by_item(paper) == by_item(online)
    transitions = list(
        AttemptTransition.objects.filter(attempt=paper).values_list("from_state", "to_state", "reason", "actor")
    )
    assert transitions[:2] == [
        ("not_started", "in_progress", "paper", trainer.pk),
        ("in_progress", "submitted", "paper", trainer.pk),
    ]
    assert paper.started_at == exam.opens_at
    assert AuditEntry.objects.filter(action="exams.attempt.paper_entered").count() == 1


def test_entering_the_same_officer_twice_is_reported_not_doubled(officer, trainer):
    exam = fixed_paper_exam(officer, attempts_allowed=3)
    sheet = _sheet(exam, officer, right_positions={1, 2, 3})
    first = paper_sheets_enter(exam=exam, sheets=[sheet], actor=trainer)
    again = paper_sheets_enter(exam=exam, sheets=[sheet], actor=trainer)
    assert len(first.entered) == 1 and not again.entered
    assert [attempt.pk for _sheet, attempt in again.skipped] == [first.entered[0].pk]
    assert Attempt.objects.filter(exam=exam, officer=officer).count() == 1


def test_short_answer_mark_is_a_graders_grade_and_the_attempt_ends_graded(officer, trainer):
    exam = fixed_paper_exam(officer, short_answer=True)
    result = paper_sheets_enter(
        exam=exam, sheets=[_sheet(exam, officer, right_positions=set(range(1, 20)))], actor=trainer
    )
    [attempt] = result.entered
    assert attempt.state in (AttemptState.GRADED, AttemptState.RELEASED)
    assert attempt.score == 120
    short = Answer.objects.get(attempt=attempt, paper_item__question_type="short_answer")
    assert short.graded_by == trainer and short.score == 20


def _grid_post(client, exam, officer, entries: dict[int, str], variant="A"):
    data = {"police_number": officer.police_number, "sat_at": "", **{f"q{k}": v for k, v in entries.items()}}
    data["sat_at"] = timezone.localtime(exam.opens_at).strftime("%Y-%m-%dT%H:%M")
    return client.post(f"{reverse('exams:paper_entry', args=[exam.pk])}?variant={variant}", data)


def test_the_grid_page_saves_one_paper_and_a_double_submit_does_not_double_it(client, officer, trainer):
    exam = fixed_paper_exam(officer, attempts_allowed=2)
    client.force_login(trainer)
    page = client.get(reverse("exams:paper_entry", args=[exam.pk]))
    assert page.status_code == 200
    assert "paper-entry-checks" in page.content.decode()
    entries = {item.position: printed_entry(item, right=True) for item in _items(exam)}
    first = _grid_post(client, exam, officer, entries)
    second = _grid_post(client, exam, officer, entries)
    assert first.status_code == second.status_code == 302
    [attempt] = Attempt.objects.filter(exam=exam, officer=officer)
    assert attempt.mode == AttemptMode.PAPER and attempt.score == 100
    followed = client.get(second.url)
    assert "已录入" in followed.content.decode()


def test_a_bad_box_in_the_grid_is_named_and_nothing_is_saved(client, officer, trainer):
    exam = fixed_paper_exam(officer)
    client.force_login(trainer)
    entries = {item.position: printed_entry(item, right=True) for item in _items(exam)}
    single = next(item for item in _items(exam) if item.question_type == "single")
    entries[single.position] = "Z"
    response = _grid_post(client, exam, officer, entries)
    assert response.status_code == 400
    assert "“Z”" in response.content.decode()
    assert not Attempt.objects.filter(exam=exam).exists()


def test_other_users_cannot_reach_paper_entry(client, officer, outsider):
    exam = fixed_paper_exam(officer)
    for user in (officer, outsider):
        client.force_login(user)
        assert client.get(reverse("exams:paper_sitting", args=[exam.pk])).status_code == 403
        assert client.get(reverse("exams:paper_template", args=[exam.pk])).status_code == 403
    assert client.get(reverse("exams:paper_entry", args=[exam.pk + 999])).status_code == 403


def test_missing_exam_is_a_404_for_a_trainer(client, trainer):
    client.force_login(trainer)
    assert client.get(reverse("exams:paper_sitting", args=[987654])).status_code == 404


def _template_rows(client, exam):
    content = client.get(reverse("exams:paper_template", args=[exam.pk])).content
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_with_one_bad_row_names_it_and_writes_nothing_then_imports_when_fixed(
    client, officer, squad_officer, trainer
):
    exam = fixed_paper_exam(officer, squad_officer)
    client.force_login(trainer)
    rows = _template_rows(client, exam)
    header = rows[0]
    assert header[:3] == ["警号", "姓名", "试卷"] and header[3] in ("1", 1)
    items = _items(exam)
    by_number = {row[0]: row for row in rows[1:]}
    good = [officer.police_number, officer.name, "A", *[printed_entry(i, right=True) for i in items]]
    bad = [squad_officer.police_number, squad_officer.name, "A", *[printed_entry(i, right=False) for i in items]]
    true_false = next(i for i in items if i.question_type == "true_false")
    bad[2 + true_false.position] = "也许"
    assert officer.police_number in by_number
    url = reverse("exams:paper_import", args=[exam.pk])
    sat_at = timezone.localtime(exam.opens_at).strftime("%Y-%m-%dT%H:%M")
    upload = SimpleUploadedFile("答案.xlsx", workbook([header, good, bad]))
    response = client.post(url, {"file": upload, "sat_at": sat_at})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-row="3"' in page and squad_officer.police_number in page and "也许" in page
    assert 'data-row="2"' not in page
    assert not Attempt.objects.filter(exam=exam).exists()

    bad[2 + true_false.position] = "错"
    upload = SimpleUploadedFile("答案.xlsx", workbook([header, good, bad]))
    response = client.post(url, {"file": upload, "sat_at": sat_at})
    assert 'data-count="entered">2<' in response.content.decode()
    scores = dict(Attempt.objects.filter(exam=exam).values_list("officer__police_number", "score"))
    assert scores[officer.police_number] == 100 and scores[squad_officer.police_number] == 0

    upload = SimpleUploadedFile("答案.xlsx", workbook([header, good, bad]))
    again = client.post(url, {"file": upload, "sat_at": sat_at})
    assert 'data-count="skipped">2<' in again.content.decode()
    assert Attempt.objects.filter(exam=exam).count() == 2


def test_xlsx_import_scores_like_the_grid(officer, squad_officer, trainer):
    exam = fixed_paper_exam(officer, squad_officer)
    items = _items(exam)
    right = {item.position for item in items if item.position % 3}
    paper_sheets_enter(exam=exam, sheets=[_sheet(exam, officer, right_positions=right)], actor=trainer)
    header = ["警号", "姓名", "试卷", *range(1, len(items) + 1)]
    row = [squad_officer.police_number, "", "卷A", *[printed_entry(i, right=i.position in right) for i in items]]
    result = paper_entries_import(exam=exam, file=workbook([header, row]), actor=trainer)
    assert not result.problems
    grid = Attempt.objects.get(exam=exam, officer=officer)
    assert result.entered[0].score == grid.score


def test_blueprint_exam_variants_are_drawn_and_entered_by_label(officer, trainer):
    blueprint = objective_blueprint()
    exam = published_exam(blueprint, officer, opens_at=timezone.now() - datetime.timedelta(hours=2))
    drawn = paper_variants_draw(exam=exam, count=2, actor=trainer)
    assert [v.label for v in paper_variants(exam)] == ["A", "B"]
    assert drawn[1].context == f"exam:{exam.pk}:paper:B"
    paper = drawn[1]
    items = list(paper.items.select_related("question_version"))
    sheet = PaperSheet(officer.police_number, "b", {i.position: printed_entry(i, right=True) for i in items})
    [attempt] = paper_sheets_enter(exam=exam, sheets=[sheet], actor=trainer).entered
    assert attempt.paper_id == paper.pk and attempt.score == 100


def test_entry_formats_per_question_type(officer):
    exam = fixed_paper_exam(officer, short_answer=True)
    items = {item.question_type: item for item in _items(exam)}
    multiple = items["multiple_choice"] if "multiple_choice" in items else items["multiple"]
    keys = sorted(multiple.display_key(k) for k in multiple.question_version.answer)
    expected = sorted(multiple.question_version.answer)
    for typed in ("".join(keys), ",".join(reversed(keys)), "、".join(keys).lower()):
        assert entry_response(multiple, typed) == expected
    true_false = items["true_false"]
    for typed in ("对", "√", "T", "1", 1, True):
        assert entry_response(true_false, typed) is True
    for typed in ("错", "×", "F", "0", 0):
        assert entry_response(true_false, typed) is False
    fill = items["fill_blank"]
    assert entry_response(fill, "24") == ["24"]
    with pytest.raises(EntryValueError):
        entry_response(fill, "24|25")
    short = items["short_answer"]
    assert entry_response(short, "12.5") == Decimal("12.50")
    for typed in ("21", "-1", "3.3", "很好"):
        with pytest.raises(EntryValueError):
            entry_response(short, typed)
    assert entry_response(items["single"], "") is None


def test_a_draft_exam_refuses_entry(officer, trainer):
    exam = fixed_paper_exam(officer, status=ExamStatus.DRAFT)
    with pytest.raises(PaperEntryError):
        paper_sheets_enter(exam=exam, sheets=[_sheet(exam, officer, right_positions=set())], actor=trainer)


def test_an_officer_outside_the_exam_is_refused(officer, outsider, trainer):
    exam = fixed_paper_exam(officer)
    result = paper_sheets_enter(exam=exam, sheets=[_sheet(exam, outsider, right_positions=set())], actor=trainer)
    assert result.problems and not result.entered
    assert outsider.police_number == result.problems[0].police_number


def test_a_paper_attempt_counts_in_item_analysis_and_the_officer_file(client, officer, trainer):
    exam = fixed_paper_exam(officer, release_rule=ReleaseRule.ON_SUBMIT)
    paper_sheets_enter(exam=exam, sheets=[_sheet(exam, officer, right_positions={1, 2})], actor=trainer)
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    assert attempt.state == AttemptState.RELEASED
    assert exam_analysis(exam=exam).attempts == 1
    client.force_login(trainer)
    assert client.get(reverse("exams:exam_analysis", args=[exam.pk])).status_code == 200
    client.force_login(officer)
    page = client.get(reverse("certification:officer_file", args=[officer.pk])).content.decode()
    assert exam.title in page and str(attempt.score) in page


def test_a_paper_pass_grants_the_qualification_like_an_online_pass(officer, squad_officer, trainer):
    from certification.models import Qualification, QualificationExam
    from tests.certification.qualification_support import qualification_exam, qualification_type, sit

    exam = qualification_exam(officer, squad_officer)
    online = sit(exam, squad_officer)
    QualificationExam.objects.filter(exam=exam)  # the link the hook reads
    paper = paper_variants_draw(exam=exam, count=1, actor=trainer)[0]
    items = list(paper.items.select_related("question_version"))
    sheet = PaperSheet(officer.police_number, "A", {i.position: printed_entry(i, right=True) for i in items})
    [attempt] = paper_sheets_enter(
        exam=exam, sheets=[sheet], actor=trainer, sat_at=timezone.now() - datetime.timedelta(hours=1)
    ).entered
    assert attempt.passed
    basic = qualification_type("basic")
    paper_record = Qualification.objects.get(officer=officer, qualification_type=basic)
    online_record = Qualification.objects.get(officer=squad_officer, qualification_type=basic)
    assert paper_record.source_attempt_id == attempt.pk
    assert (paper_record.status, paper_record.source) == (online_record.status, online_record.source)
    assert online.mode == AttemptMode.ONLINE


def test_an_officer_marked_absent_is_refused_and_an_accommodation_adds_time(officer, squad_officer, trainer):
    exam = fixed_paper_exam(officer, squad_officer)
    ExamAbsence.objects.create(exam=exam, officer=squad_officer)
    ExamAccommodation.objects.create(exam=exam, officer=officer, extra_minutes=30)
    result = paper_sheets_enter(
        exam=exam,
        sheets=[_sheet(exam, officer, right_positions=set()), _sheet(exam, squad_officer, right_positions=set())],
        actor=trainer,
    )
    assert [problem.police_number for problem in result.problems] == [squad_officer.police_number]
    assert not result.entered
    result = paper_sheets_enter(exam=exam, sheets=[_sheet(exam, officer, right_positions=set())], actor=trainer)
    [attempt] = result.entered
    assert attempt.deadline - attempt.started_at == datetime.timedelta(minutes=90)


def test_the_trainer_draws_variants_on_the_overview_and_the_exam_page_links_to_it(client, officer, trainer):
    exam = published_exam(objective_blueprint(), officer, opens_at=timezone.now() - datetime.timedelta(hours=2))
    client.force_login(trainer)
    detail = client.get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert reverse("exams:paper_sitting", args=[exam.pk]) in detail
    response = client.post(reverse("exams:paper_variants_draw", args=[exam.pk]), {"count": "2"})
    assert response.status_code == 302
    page = client.get(reverse("exams:paper_sitting", args=[exam.pk])).content.decode()
    assert 'data-variant="A"' in page and 'data-variant="B"' in page
    assert "卷B" in page
    grid = client.get(f"{reverse('exams:paper_entry', args=[exam.pk])}?variant=B")
    assert grid.status_code == 200 and "卷B" in grid.content.decode()
    assert client.get(f"{reverse('exams:paper_entry', args=[exam.pk])}?variant=Z").status_code == 404
    assert AuditEntry.objects.filter(action="exams.exam.paper_variant_drawn").count() == 2
