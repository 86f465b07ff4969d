"""Sentences certification composes (pathway events, talk reasons, pool end reasons, notifications)
are stored as keys and shown in the reader's language, whatever language was active when stored."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from certification.models import MentorBinding, PathwayTransition, ReminderTalk, ReserveMember
from certification.services.leaders import leader_result_hook
from certification.services.pathway import pathway_on_attempt_result, pathway_withdraw
from certification.services.pool import pool_memberships_review
from people.models import OfficerStatus
from portal import texts as stored_texts
from portal.models import Notification
from tests.certification.leaders_support import graded, middle_leader, random_exam
from tests.certification.pathway_support import (
    eligible_mentor,
    enrolled,
    graded_attempt,
    in_phase2,
    lead_exam,
    new_officer,
)
from tests.certification.pool_support import member

pytestmark = pytest.mark.django_db


def reading_in(client, user, language: str):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_pathway_events_stored_in_chinese_read_in_english(
    client, station, hr, trainer, django_capture_on_commit_callbacks
):
    officer = new_officer(station)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        pathway = in_phase2(officer, supervisor=trainer, mentor=eligible_mentor(station))
        pathway_on_attempt_result(attempt=graded_attempt(lead_exam(officer), officer, passed=False))
    assert PathwayTransition.objects.filter(pathway=pathway, reason="已纳入培养").exists()  # fallback words

    page = reading_in(client, hr, "en").get(reverse("certification:pathway_detail", args=[pathway.pk])).content.decode()

    assert "Enrolled" in page and "Failed the lead-officer test (attempt 1); retake from" in page
    assert "已纳入培养" not in page and "未通过主办民警资格考试" not in page

    notifications = reading_in(client, officer, "en").get(reverse("portal:notifications")).content.decode()
    assert "Lead-officer test not passed: phase 2 extended" in notifications
    assert "You may retake the test from" in notifications and "您已纳入新警培养" not in notifications


def test_pathway_events_stored_in_english_read_in_chinese(client, station, hr, trainer):
    officer = new_officer(station)
    with translation.override("en"):
        pathway = enrolled(officer, actor=hr)
        pathway_withdraw(pathway=pathway, reason="调往外地", actor=hr)
    binding_reasons = set(MentorBinding.objects.values_list("end_reason", flat=True))
    assert binding_reasons <= {"培养已终止"}  # fallback words are in the site's language

    page = (
        reading_in(client, hr, "zh-hans")
        .get(reverse("certification:pathway_detail", args=[pathway.pk]))
        .content.decode()
    )

    assert "已纳入培养" in page and "调往外地" in page  # the typed reason stays as typed
    assert ">Enrolled<" not in page


def test_a_talk_reason_follows_the_reader(client, station, hr, legal_leader, django_capture_on_commit_callbacks):
    leader = middle_leader(station, "640101")
    attempt = graded(random_exam(leader), leader, score=40)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        leader_result_hook(attempt=attempt)
    talk = ReminderTalk.objects.get(officer=leader)
    assert talk.reason_message["key"] == "certification.talk.failed"

    page = (
        reading_in(client, hr, "en").get(reverse("certification:leader_talk_detail", args=[talk.pk])).content.decode()
    )
    assert "Failed 2026年执法能力随机测试: score 40, pass mark" in page
    assert "未通过：得分" not in page

    page = reading_in(client, legal_leader, "en").get(reverse("portal:notifications")).content.decode()
    assert "Reminder talk due:" in page and "需进行提醒谈话" not in page

    page = (
        reading_in(client, hr, "zh-hans")
        .get(reverse("certification:leader_talk_detail", args=[talk.pk]))
        .content.decode()
    )
    assert "2026年执法能力随机测试未通过：得分 40" in page


def test_a_pool_end_reason_follows_the_reader(client, officer, trainer, legal_leader, hr):
    joined = member(officer, trainer=trainer, leader=legal_leader)
    officer.status = OfficerStatus.LEFT
    officer.save()
    with translation.override("zh-hans"):
        assert pool_memberships_review() == 1
    joined.refresh_from_db()
    assert joined.end_reason == "该人员已离职。"

    page = reading_in(client, hr, "en").get(reverse("certification:pool_member", args=[joined.pk])).content.decode()

    assert "The officer left the service." in page and "该人员已离职" not in page


def test_changing_a_template_changes_how_old_entries_read(station, hr, monkeypatch):
    pathway = enrolled(new_officer(station), actor=hr)
    transition = pathway.transitions.get()

    monkeypatch.setitem(stored_texts._TEMPLATES, "certification.pathway.enrolled", gettext_lazy("Enrolled anew"))

    with translation.override("en"):
        assert transition.display_reason == "Enrolled anew"


def test_a_template_that_no_longer_fits_falls_back_to_the_stored_words(station, hr, monkeypatch):
    pathway = enrolled(new_officer(station), actor=hr)
    transition = pathway.transitions.get()
    monkeypatch.setitem(stored_texts._TEMPLATES, "certification.pathway.enrolled", gettext_lazy("Enrolled by %(who)s"))

    with translation.override("en"):
        assert transition.display_reason == "已纳入培养"


def test_old_rows_with_finished_sentences_are_turned_back_into_keys(station, hr, trainer, officer, legal_leader):
    pathway = enrolled(new_officer(station), actor=hr)
    PathwayTransition.objects.filter(pathway=pathway).update(reason_message={}, reason="已纳入培养")
    failed = PathwayTransition.objects.create(
        pathway=pathway,
        from_phase="phase2",
        to_phase="phase2",
        reason="未通过主办民警资格考试（第 2 次），2026-12-17 起可补考",
    )
    typed = PathwayTransition.objects.create(
        pathway=pathway, from_phase="phase1", to_phase="withdrawn", reason="调往外地"
    )
    left = member(officer, trainer=trainer, leader=legal_leader)
    ReserveMember.objects.filter(pk=left.pk).update(end_reason="The officer left the service.")

    importlib.import_module("certification.migrations.0006_stored_texts_from_old_rows").forwards(apps, None)

    enrolment = pathway.transitions.get(to_phase="phase1")
    failed.refresh_from_db()
    typed.refresh_from_db()
    left.refresh_from_db()
    assert enrolment.reason_message == {"key": "certification.pathway.enrolled", "params": {}}
    assert failed.reason_message == {
        "key": "certification.pathway.lead_test_failed",
        "params": {"number": 2, "day": {"date": "2026-12-17"}},
    }
    assert typed.reason_message == {}
    assert left.end_reason_message["key"] == "certification.pool.officer_left"
    with translation.override("en"):
        assert failed.display_reason == "Failed the lead-officer test (attempt 2); retake from Dec. 17, 2026"
        assert typed.display_reason == "调往外地"


def test_old_notifications_are_recognised(officer):
    fixed = Notification.objects.create(recipient=officer, title="您已纳入新警培养", body="调往外地")
    keyed = Notification.objects.create(recipient=officer, title="需进行提醒谈话：张三")

    importlib.import_module("portal.migrations.0006_stored_texts_from_old_rows").forwards(apps, None)

    fixed.refresh_from_db()
    keyed.refresh_from_db()
    assert fixed.title_message == {"msgid": "You are enrolled in the new-officer pathway"}
    assert fixed.body_message == {}
    assert keyed.title_message == {"key": "certification.talk.due", "params": {"name": "张三"}}
    with translation.override("en"):
        assert (fixed.display_title, fixed.display_body) == ("You are enrolled in the new-officer pathway", "调往外地")
        assert keyed.display_title == "Reminder talk due: 张三"
