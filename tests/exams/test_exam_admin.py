"""Exam arrangements (考试安排): the services' rules and the trainers' pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from exams.models import (
    Attempt,
    AttemptState,
    BlueprintStatus,
    Exam,
    ExamExemption,
    ExamInvitation,
    ExamKind,
    ExamStatus,
    ExemptionReason,
    InvitationSource,
)
from exams.services.blueprints import blueprint_set_status
from exams.services.delivery import attempt_start, attempt_submit
from exams.services.exams import (
    exam_close,
    exam_create,
    exam_exemption_remove,
    exam_exemption_set,
    exam_publish,
    exam_roster_add,
    exam_roster_remove,
    exam_update,
)
from people.models.audience import AudienceSpec
from portal.models import AuditEntry, Notification
from tests.exams.delivery_support import objective_blueprint
from tests.exams.exam_admin_support import exam_spec

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def blueprint():
    blueprint = objective_blueprint()
    blueprint_set_status(blueprint=blueprint, status=BlueprintStatus.ACTIVE, actor=None)
    return blueprint


@pytest.fixture
def draft(blueprint, trainer, station, officer):
    return exam_create(
        actor=trainer, spec=exam_spec(blueprint, now=NOW, audience=AudienceSpec(units_with_subtree=(station,)))
    )


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- create and publish -------------------------------------------------------------------------


def test_creating_an_exam_stores_a_draft_with_its_audience_and_audits_it(draft, trainer, station):
    assert draft.status == ExamStatus.DRAFT
    assert list(draft.audience_units_subtree.all()) == [station]
    assert draft.author == trainer
    assert AuditEntry.objects.filter(action="exams.exam.created", target_id=str(draft.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"closes_at": NOW + datetime.timedelta(days=1)}, "closes_at"),  # equal to the opening
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"attempts_allowed": 0}, "attempts_allowed"),
    ],
)
def test_an_impossible_exam_is_refused_and_nothing_is_written(blueprint, trainer, overrides, field):
    with pytest.raises(ValidationError) as caught:
        exam_create(actor=trainer, spec=exam_spec(blueprint, now=NOW, **overrides))

    assert field in caught.value.message_dict
    assert not Exam.objects.exists()


def test_an_exam_needs_exactly_one_of_blueprint_and_fixed_paper(trainer):
    with pytest.raises(ValidationError, match="blueprint or a fixed paper"):
        exam_create(actor=trainer, spec=exam_spec(None, now=NOW))


def test_publishing_needs_an_active_blueprint(draft, blueprint, trainer):
    blueprint_set_status(blueprint=blueprint, status=BlueprintStatus.DRAFT, actor=None)

    with pytest.raises(ValidationError, match="not active"):
        exam_publish(actor=trainer, exam=draft, now=NOW)

    draft.refresh_from_db()
    assert draft.status == ExamStatus.DRAFT


def test_publishing_needs_somebody_to_sit_the_exam(blueprint, trainer):
    exam = exam_create(actor=trainer, spec=exam_spec(blueprint, now=NOW))

    with pytest.raises(ValidationError, match="Nobody would sit"):
        exam_publish(actor=trainer, exam=exam, now=NOW)


def test_a_roster_alone_is_enough_to_publish(blueprint, trainer, outsider):
    exam = exam_create(actor=trainer, spec=exam_spec(blueprint, now=NOW))
    exam_roster_add(actor=trainer, exam=exam, officers=[outsider])

    exam_publish(actor=trainer, exam=exam, now=NOW)

    assert Notification.objects.filter(recipient=outsider, kind="exams.exam.assigned").count() == 1


def test_publishing_after_the_window_closed_is_refused(draft, trainer):
    with pytest.raises(ValidationError, match="window closed"):
        exam_publish(actor=trainer, exam=draft, now=NOW + datetime.timedelta(days=2))


def test_a_pass_mark_above_the_paper_total_is_refused_at_publishing(blueprint, trainer, station):
    exam = exam_create(
        actor=trainer,
        spec=exam_spec(
            blueprint, now=NOW, pass_mark=Decimal("120"), audience=AudienceSpec(units_with_subtree=(station,))
        ),
    )

    with pytest.raises(ValidationError, match="above the paper's total of 100"):
        exam_publish(actor=trainer, exam=exam, now=NOW)


def test_publishing_twice_changes_nothing_the_second_time(draft, trainer, officer):
    exam_publish(actor=trainer, exam=draft, now=NOW)

    with pytest.raises(ValidationError, match="already"):
        exam_publish(actor=trainer, exam=draft, now=NOW)

    assert Notification.objects.filter(recipient=officer).count() == 1
    assert AuditEntry.objects.filter(action="exams.exam.published").count() == 1


def test_closing_is_for_published_exams_only(draft, trainer):
    with pytest.raises(ValidationError, match="Only a published exam"):
        exam_close(actor=trainer, exam=draft)

    exam_publish(actor=trainer, exam=draft, now=NOW)
    exam_close(actor=trainer, exam=draft)

    draft.refresh_from_db()
    assert draft.status == ExamStatus.CLOSED


# --- editing ------------------------------------------------------------------------------------


def _open_exam_with_attempt(draft, trainer, officer):
    """Publish ``draft`` and move its window to now; ``officer`` starts it."""
    exam_update(
        actor=trainer,
        exam=draft,
        spec=exam_spec(
            draft.blueprint,
            opens_at=NOW - datetime.timedelta(hours=1),
            closes_at=NOW + datetime.timedelta(hours=3),
            audience=draft.audience_spec(),
        ),
        now=NOW,
    )
    exam_publish(actor=trainer, exam=draft, now=NOW)
    return attempt_start(exam=draft, officer=officer, now=NOW)


def test_a_draft_can_change_anything(draft, trainer):
    spec = exam_spec(draft.blueprint, now=NOW, duration_minutes=30, kind=ExamKind.PRACTICE, audience=AudienceSpec())

    exam_update(actor=trainer, exam=draft, spec=spec, now=NOW)

    draft.refresh_from_db()
    assert (draft.duration_minutes, draft.kind) == (30, ExamKind.PRACTICE)
    assert not draft.audience_units_subtree.exists()
    entry = AuditEntry.objects.get(action="exams.exam.updated")
    assert set(entry.data["changed"]) == {"duration_minutes", "kind", "audience"}


def test_once_started_only_title_rules_and_closing_time_change(draft, trainer, officer):
    _open_exam_with_attempt(draft, trainer, officer)
    draft.refresh_from_db()
    base = {
        "opens_at": draft.opens_at,
        "closes_at": draft.closes_at,
        "audience": draft.audience_spec(),
    }

    exam_update(
        actor=trainer,
        exam=draft,
        spec=exam_spec(
            draft.blueprint,
            **{**base, "closes_at": NOW + datetime.timedelta(hours=5)},
            title="改名后的考试",
            description="新的考试须知",
        ),
        now=NOW,
    )
    with pytest.raises(ValidationError, match="already started.*duration") as caught:
        exam_update(
            actor=trainer,
            exam=draft,
            spec=exam_spec(
                draft.blueprint,
                **{**base, "closes_at": NOW + datetime.timedelta(hours=5)},
                title="改名后的考试",
                description="新的考试须知",
                duration_minutes=90,
            ),
            now=NOW,
        )

    draft.refresh_from_db()
    assert (draft.title, draft.duration_minutes) == ("改名后的考试", 60)
    assert draft.closes_at == NOW + datetime.timedelta(hours=5)
    assert "duration" in _messages(caught.value)


def test_a_published_exam_cannot_be_moved_to_close_in_the_past(draft, trainer):
    exam_publish(actor=trainer, exam=draft, now=NOW)

    with pytest.raises(ValidationError, match="close it"):
        exam_update(
            actor=trainer,
            exam=draft,
            spec=exam_spec(
                draft.blueprint,
                opens_at=NOW - datetime.timedelta(hours=2),
                closes_at=NOW - datetime.timedelta(hours=1),
                audience=draft.audience_spec(),
            ),
            now=NOW,
        )


# --- roster and exemptions ----------------------------------------------------------------------


def test_roster_add_skips_officers_already_named_and_remove_takes_named_officers_off(draft, trainer, outsider):
    assert exam_roster_add(actor=trainer, exam=draft, officers=[outsider]) == 1
    assert exam_roster_add(actor=trainer, exam=draft, officers=[outsider]) == 0

    assert ExamInvitation.objects.get(exam=draft).source == InvitationSource.NAMED
    exam_roster_remove(actor=trainer, exam=draft, officer=outsider)
    assert not ExamInvitation.objects.filter(exam=draft).exists()
    assert AuditEntry.objects.filter(action="exams.exam.roster_removed").count() == 1


def test_officers_drawn_by_a_sampling_plan_are_not_removed_here(draft, trainer, outsider):
    ExamInvitation.objects.create(exam=draft, officer=outsider, source=InvitationSource.SAMPLED)

    with pytest.raises(ValidationError, match="not named by a trainer"):
        exam_roster_remove(actor=trainer, exam=draft, officer=outsider)


def test_a_named_officer_on_a_published_exam_is_told_at_once(draft, trainer, outsider):
    exam_publish(actor=trainer, exam=draft, now=NOW)

    exam_roster_add(actor=trainer, exam=draft, officers=[outsider])

    assert Notification.objects.filter(recipient=outsider, kind="exams.exam.assigned").count() == 1


def test_an_exempted_officer_is_no_longer_an_examinee_until_the_exemption_is_withdrawn(
    draft, trainer, officer, squad_officer
):
    exam_exemption_set(actor=trainer, exam=draft, officer=officer, reason=ExemptionReason.LEAVE, note="年休假")

    exemption = ExamExemption.objects.get(exam=draft, officer=officer)
    assert (exemption.reason, exemption.note, exemption.created_by) == (ExemptionReason.LEAVE, "年休假", trainer)
    exam_publish(actor=trainer, exam=draft, now=NOW)
    assert not Notification.objects.filter(recipient=officer).exists()

    exam_exemption_remove(actor=trainer, exam=draft, officer=officer)
    assert not ExamExemption.objects.exists()
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="exams.exam.exemption").order_by("id")] == [
        "exams.exam.exemption_set",
        "exams.exam.exemption_removed",
    ]


def test_exempting_an_officer_taking_the_exam_is_refused(draft, trainer, officer):
    _open_exam_with_attempt(draft, trainer, officer)

    with pytest.raises(ValidationError, match="taking this exam right now"):
        exam_exemption_set(actor=trainer, exam=draft, officer=officer, reason=ExemptionReason.INJURY)

    assert not ExamExemption.objects.exists()


def test_exempting_an_officer_who_is_not_an_examinee_is_refused(draft, trainer, outsider):
    with pytest.raises(ValidationError, match="not an examinee"):
        exam_exemption_set(actor=trainer, exam=draft, officer=outsider, reason=ExemptionReason.OTHER)


def test_an_officer_who_sat_the_exam_stays_on_the_roster(draft, trainer, outsider):
    exam_roster_add(actor=trainer, exam=draft, officers=[outsider])
    attempt = _open_exam_with_attempt(draft, trainer, outsider)
    attempt_submit(attempt=attempt, actor=outsider, now=NOW)

    with pytest.raises(ValidationError, match="exempt them instead"):
        exam_roster_remove(actor=trainer, exam=draft, officer=outsider)


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form_data(paper_blueprint, station, **overrides) -> dict:
    data = {
        "title": "北山派出所四月考试",
        "kind": ExamKind.FORMAL,
        "tier": "basic",
        "description": "独立作答。",
        "blueprint": str(paper_blueprint.pk),
        "fixed_paper": "",
        "layout": "one_question",
        "opens_at": _local(NOW + datetime.timedelta(days=1)),
        "closes_at": _local(NOW + datetime.timedelta(days=2)),
        "duration_minutes": "60",
        "attempts_allowed": "1",
        "counts": "highest",
        "pass_mark": "60",
        "grace_seconds": "30",
        "release_rule": "after_grading",
        "review_rule": "explanations",
        "blind_grading": "on",
        "audience_units_subtree": [str(station.pk)],
        "audience_officers": "",
    }
    data.update(overrides)
    return data


def test_a_trainer_creates_an_exam_through_the_form_and_publishes_it(
    trainer_client, blueprint, station, officer, squad_officer, outsider
):
    response = trainer_client.post(reverse("exams:exam_create"), _form_data(blueprint, station))

    exam = Exam.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:exam_detail", args=[exam.pk])
    assert exam.status == ExamStatus.DRAFT

    page = trainer_client.get(reverse("exams:exam_detail", args=[exam.pk]))
    assert page.status_code == 200
    assert 'data-examinee="200001"' in page.content.decode()
    assert 'data-examinee="500001"' not in page.content.decode()

    trainer_client.post(reverse("exams:exam_publish", args=[exam.pk]))
    trainer_client.post(reverse("exams:exam_publish", args=[exam.pk]))  # a double click

    exam.refresh_from_db()
    assert exam.status == ExamStatus.PUBLISHED
    assert set(Notification.objects.values_list("recipient__police_number", flat=True)) == {"200001", "200003"}
    assert Notification.objects.count() == 2


def test_a_form_with_both_a_blueprint_and_nothing_to_draw_from_shows_the_error(trainer_client, blueprint, station):
    response = trainer_client.post(
        reverse("exams:exam_create"), _form_data(blueprint, station, blueprint="", title="无卷考试")
    )

    assert response.status_code == 400
    assert "Choose a paper blueprint or a fixed paper" in response.content.decode()
    assert not Exam.objects.exists()


def test_the_edit_form_of_a_started_exam_keeps_frozen_fields_as_they_were(
    trainer_client, draft, trainer, officer, station
):
    _open_exam_with_attempt(draft, trainer, officer)
    draft.refresh_from_db()
    data = _form_data(
        draft.blueprint,
        station,
        title="新标题",
        duration_minutes="5",
        opens_at=_local(draft.opens_at),
        closes_at=_local(draft.closes_at + datetime.timedelta(hours=1)),
    )

    response = trainer_client.post(reverse("exams:exam_edit", args=[draft.pk]), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.duration_minutes) == ("新标题", 60)


def test_the_detail_page_counts_examinees_by_state(trainer_client, draft, trainer, officer, squad_officer):
    attempt = _open_exam_with_attempt(draft, trainer, officer)
    attempt_submit(attempt=attempt, actor=officer, now=NOW)
    exam_exemption_set(actor=trainer, exam=draft, officer=squad_officer, reason=ExemptionReason.SECONDMENT)

    page = trainer_client.get(reverse("exams:exam_detail", args=[draft.pk])).content.decode()

    state = Attempt.objects.get().state  # graded, or released at once under the exam's release rule
    assert state in (AttemptState.GRADED, AttemptState.RELEASED)
    assert f'data-examinee="200001" data-state="{state}"' in page
    assert 'data-examinee="200003" data-state="exempted"' in page
    assert f'data-state-count="{state}" data-count="1"' in page
    assert 'data-state-count="exempted" data-count="1"' in page
    assert 'data-state-count="not_started" data-count="0"' in page


def test_roster_and_exemption_forms_on_the_detail_page(trainer_client, draft, outsider):
    url = reverse("exams:exam_roster_add", args=[draft.pk])
    trainer_client.post(url, {"officers": "500001"})
    response = trainer_client.post(url, {"officers": "999999"}, follow=True)
    assert "No officer has the police number 999999" in response.content.decode()

    trainer_client.post(
        reverse("exams:exam_exemption_add", args=[draft.pk]),
        {"police_number": "500001", "reason": "leave", "note": "病假"},
    )

    assert ExamInvitation.objects.filter(exam=draft, officer=outsider).exists()
    assert ExamExemption.objects.get(exam=draft).note == "病假"


def test_the_exam_list_filters_by_status_and_hides_personal_practice(trainer_client, draft, blueprint, officer):
    practice = exam_create(actor=None, spec=exam_spec(blueprint, now=NOW, title="个人练习"))
    Exam.objects.filter(pk=practice.pk).update(practice_for=officer)

    everything = trainer_client.get(reverse("exams:exam_list")).content.decode()
    published = trainer_client.get(reverse("exams:exam_list") + "?status=published").content.decode()

    assert f'data-exam="{draft.pk}"' in everything
    assert f'data-exam="{practice.pk}"' not in everything
    assert f'data-exam="{draft.pk}"' not in published
    assert trainer_client.get(reverse("exams:exam_detail", args=[practice.pk])).status_code == 404


def test_a_wrong_exam_is_404(trainer_client, draft):
    assert trainer_client.get(reverse("exams:exam_detail", args=[draft.pk + 100])).status_code == 404
    assert trainer_client.get(reverse("exams:exam_edit", args=[draft.pk + 100])).status_code == 404
    assert trainer_client.post(reverse("exams:exam_publish", args=[draft.pk + 100])).status_code == 404


def test_officers_cannot_reach_the_exam_pages(client, officer, draft):
    client.force_login(officer)

    for url in [
        reverse("exams:exam_list"),
        reverse("exams:exam_create"),
        reverse("exams:exam_detail", args=[draft.pk]),
        reverse("exams:exam_edit", args=[draft.pk]),
    ]:
        assert client.get(url).status_code == 403
    assert client.post(reverse("exams:exam_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ExamStatus.DRAFT


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    response = client.get(reverse("exams:exam_detail", args=[draft.pk]))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_officer_taking_the_exam_shows_as_in_progress_and_cannot_be_exempted_from_the_page(
    trainer_client, draft, trainer, officer
):
    _open_exam_with_attempt(draft, trainer, officer)

    response = trainer_client.post(
        reverse("exams:exam_exemption_add", args=[draft.pk]),
        {"police_number": "200001", "reason": "leave"},
        follow=True,
    )

    assert "taking this exam right now" in response.content.decode()
    assert Attempt.objects.get().state == AttemptState.IN_PROGRESS
    assert not ExamExemption.objects.exists()


def test_an_officer_moved_out_of_the_audience_still_shows_with_their_attempt(draft, trainer, officer, outsider):
    from exams.selectors.exams import exam_examinee_rows

    attempt = _open_exam_with_attempt(draft, trainer, officer)
    attempt_submit(attempt=attempt, actor=officer, now=NOW)
    officer.unit = outsider.unit
    officer.save(update_fields=["unit"])

    rows = {row.officer.police_number: row for row in exam_examinee_rows(draft)}
    assert rows["200001"].state == Attempt.objects.get().state
    assert rows["200001"].score is not None


def test_posting_the_new_exam_form_twice_creates_one_exam(trainer_client, blueprint, station):
    data = {**_form_data(blueprint, station), "submission_key": "8f14e45f-ceea-467a-9575-6d0d7b2c1a11"}

    first = trainer_client.post(reverse("exams:exam_create"), data)
    second = trainer_client.post(reverse("exams:exam_create"), data)

    exam = Exam.objects.get()
    assert first["Location"] == second["Location"] == reverse("exams:exam_detail", args=[exam.pk])
