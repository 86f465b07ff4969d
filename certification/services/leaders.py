"""Middle leaders (2020年法制工作要点 item 4): a reminder talk (提醒谈话) for a middle leader who fails
the annual concentrated test or scores low, and a flag for organisational measures (组织处理) when
it happens again after a talk.

The result hook raises the records; HR and the legal-brigade leaders then record the talk (date,
who held it, summary, follow-up) and what was done about a flag. Every change is audited.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import texts
from certification.models import CertificationPolicy, OrganisationalFlag, ReminderTalk
from exams.models import ExamKind
from people.models import Role, User
from portal.services import audit_log, notification_send
from portal.texts import StoredText, words_and_message

# Who records talks, creates them by hand and resolves flags.
TALK_RECORD_ROLES = (Role.HR, Role.LEGAL_LEADER, Role.ADMIN)
SYSTEM_ACTOR = "certification"


class LeaderTalkError(Exception):
    """A refused talk or flag action; the message is one sentence for the user."""


def _user_or_none(actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _may_record(actor) -> bool:
    from people.selectors import has_role

    return has_role(actor, *TALK_RECORD_ROLES)


def _recipients(*roles: str) -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name__in=roles).distinct().order_by("police_number"))


def number_text(value) -> str:
    """60.00 → "60", 72.50 → "72.5": scores as people write them."""
    return format(value.normalize(), "f") if value is not None else "—"


def exam_year(exam) -> int:
    """The year a test belongs to: the local year its window opens (as in the coverage report)."""
    return timezone.localtime(exam.opens_at).year


def _attempt_moment(attempt) -> datetime.datetime:
    return attempt.submitted_at or attempt.started_at or attempt.graded_at or timezone.now()


def _is_earlier(talk: ReminderTalk, *, year: int, moment: datetime.datetime) -> bool:
    """Whether ``talk`` came before a result of ``year`` at ``moment``: an earlier year's talk, or
    one of the same year raised by an earlier attempt or written by hand before it."""
    if talk.year != year:
        return talk.year < year
    if talk.attempt_id is not None:
        return _attempt_moment(talk.attempt) < moment
    return talk.created_at < moment


def _result_reason(attempt, policy: CertificationPolicy) -> StoredText | None:
    """The reason for a talk, or None when the result calls for none. Stored as a key, so each
    reader sees it in their own language, whoever's request triggered the grading."""
    exam = attempt.exam
    if not attempt.passed:
        return texts.TALK_FAILED(
            exam=exam.title, score=number_text(attempt.score), pass_mark=number_text(exam.pass_mark)
        )
    if attempt.score is not None and attempt.score < policy.leader_low_score:
        return texts.TALK_LOW_SCORE(
            exam=exam.title, score=number_text(attempt.score), low=number_text(policy.leader_low_score)
        )
    return None


def leader_result_hook(*, attempt) -> None:
    """EXAMS_RESULT_HOOKS: a middle leader's random ability test that failed or scored below
    ``CertificationPolicy.leader_low_score`` raises a reminder talk — or, when an earlier talk
    exists (an earlier year, or earlier in the same year), a flag for organisational measures that
    names the latest earlier talk. HR and the legal-brigade leaders are told of a talk, HR of a flag.

    Idempotent: one talk or flag per attempt, so a regrade that repeats the result changes nothing.
    A regrade that turns the result into a pass deletes nothing: the talk or flag stays on record
    (the result it answered was real when raised) and is resolved by hand with a note.
    """
    if attempt.passed is None or attempt.score is None:
        return
    exam = attempt.exam
    if exam.kind != ExamKind.RANDOM:
        return
    officer = User.objects.select_related("unit").get(pk=attempt.officer_id)
    if not officer.is_middle_leader:
        return
    reason = _result_reason(attempt, CertificationPolicy.current())
    if reason is None:
        return
    year = exam_year(exam)
    moment = _attempt_moment(attempt)
    with transaction.atomic():
        # Lock the leader's row: two results graded at once must not both raise a first talk.
        User.objects.select_for_update().filter(pk=officer.pk).first()
        if ReminderTalk.objects.filter(attempt_id=attempt.pk).exists():
            return
        if OrganisationalFlag.objects.filter(attempt_id=attempt.pk).exists():
            return
        earlier = [
            talk
            for talk in ReminderTalk.objects.filter(officer=officer).select_related("attempt")
            if _is_earlier(talk, year=year, moment=moment)
        ]
        if not earlier:
            _talk_raise(officer=officer, year=year, attempt=attempt, reason=reason)
            return
        latest = max(earlier, key=lambda talk: (talk.year, talk.created_at, talk.pk))
        _flag_raise(officer=officer, year=year, attempt=attempt, talk=latest, reason=reason)


def _talk_raise(*, officer: User, year: int, attempt, reason: StoredText) -> ReminderTalk:
    words, message = words_and_message(reason, 300)
    try:
        with transaction.atomic():
            talk = ReminderTalk.objects.create(
                officer=officer, year=year, attempt=attempt, reason=words, reason_message=message
            )
    except IntegrityError:  # raised meanwhile by a concurrent regrade of the same attempt
        return ReminderTalk.objects.get(attempt=attempt)
    audit_log(
        actor=SYSTEM_ACTOR,
        action="certification.talk.raised",
        target=talk,
        data={"officer": officer.police_number, "year": year, "attempt": attempt.pk, "score": str(attempt.score)},
    )
    url = reverse("certification:leader_talk_detail", args=[talk.pk])
    name = officer.name

    def notify() -> None:
        for recipient in _recipients(Role.HR, Role.LEGAL_LEADER):
            notification_send(
                recipient=recipient,
                title=texts.TALK_DUE(name=name),
                body=reason,
                url=url,
                kind="certification.talk",
            )

    transaction.on_commit(notify)
    return talk


def _flag_raise(*, officer: User, year: int, attempt, talk: ReminderTalk, reason: StoredText) -> OrganisationalFlag:
    words, message = words_and_message(reason, 300)
    flag = OrganisationalFlag.objects.create(
        officer=officer, year=year, talk=talk, attempt=attempt, reason=words, reason_message=message
    )
    audit_log(
        actor=SYSTEM_ACTOR,
        action="certification.talk_flag.raised",
        target=flag,
        data={
            "officer": officer.police_number,
            "year": year,
            "attempt": attempt.pk,
            "score": str(attempt.score),
            "earlier_talk": talk.pk,
        },
    )
    url = reverse("certification:leader_flag_detail", args=[flag.pk])
    name = officer.name

    def notify() -> None:
        for recipient in _recipients(Role.HR):
            notification_send(
                recipient=recipient,
                title=texts.FLAG_RAISED(name=name),
                body=texts.FLAG_RAISED_BODY(reason=reason),
                url=url,
                kind="certification.talk",
            )

    transaction.on_commit(notify)
    return flag


def reminder_talk_create(*, officer: User, year: int, reason: str, actor) -> ReminderTalk:
    """A talk raised by hand (e.g. for a result outside the platform): HR, legal-brigade leaders
    and admins, for a middle leader, with a reason. It counts as an earlier talk for later results."""
    reason = (reason or "").strip()
    if not _may_record(actor):
        raise LeaderTalkError(_("Only HR and the legal-brigade leaders raise reminder talks."))
    if not officer.is_middle_leader:
        raise LeaderTalkError(_("%(name)s is not a middle leader.") % {"name": officer.name})
    if not reason:
        raise LeaderTalkError(_("Give the reason for the talk."))
    current = timezone.localdate().year
    if not 2000 <= year <= current:
        raise LeaderTalkError(_("The year must be between 2000 and %(year)s.") % {"year": current})
    with transaction.atomic():
        talk = ReminderTalk.objects.create(officer=officer, year=year, reason=reason[:300])
        audit_log(
            actor=actor,
            action="certification.talk.created",
            target=talk,
            data={"officer": officer.police_number, "year": year, "reason": talk.reason},
        )
    return talk


def reminder_talk_record(
    *,
    talk: ReminderTalk,
    talk_date: datetime.date,
    talked_by: User,
    summary: str,
    follow_up: str,
    actor,
    today: datetime.date | None = None,
) -> ReminderTalk:
    """Record (or correct) the talk as held: when, by whom, what was said and the follow-up."""
    today = today or timezone.localdate()
    summary = (summary or "").strip()
    follow_up = (follow_up or "").strip()
    if not _may_record(actor):
        raise LeaderTalkError(_("Only HR and the legal-brigade leaders record reminder talks."))
    if talk_date is None:
        raise LeaderTalkError(_("Give the date of the talk."))
    if talk_date > today:
        raise LeaderTalkError(_("The date of the talk is in the future."))
    if talked_by is None or not talked_by.is_active:
        raise LeaderTalkError(_("Name who held the talk."))
    if talked_by.pk == talk.officer_id:
        raise LeaderTalkError(_("The leader cannot hold their own reminder talk."))
    if not summary:
        raise LeaderTalkError(_("Summarise the talk."))
    with transaction.atomic():
        locked = ReminderTalk.objects.select_for_update().get(pk=talk.pk)
        before = locked.talk_date
        locked.talk_date = talk_date
        locked.talked_by = talked_by
        locked.summary = summary
        locked.follow_up = follow_up
        locked.save(update_fields=["talk_date", "talked_by", "summary", "follow_up"])
        audit_log(
            actor=actor,
            action="certification.talk.recorded" if before is None else "certification.talk.corrected",
            target=locked,
            data={
                "talk_date": talk_date.isoformat(),
                "talked_by": talked_by.police_number,
                "previous_date": before.isoformat() if before else None,
            },
        )
    for field in ("talk_date", "talked_by", "summary", "follow_up"):
        setattr(talk, field, getattr(locked, field))
    return talk


def organisational_flag_resolve(*, flag: OrganisationalFlag, resolution: str, actor) -> OrganisationalFlag:
    """Record the measures taken on a flag (or that none were needed, and why). Once only: a
    second submit of the form is refused rather than overwriting the record."""
    resolution = (resolution or "").strip()
    if not _may_record(actor):
        raise LeaderTalkError(_("Only HR and the legal-brigade leaders resolve these flags."))
    if not resolution:
        raise LeaderTalkError(_("Describe the measures taken."))
    with transaction.atomic():
        locked = OrganisationalFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.resolved_at is not None:
            raise LeaderTalkError(_("This flag was already resolved."))
        locked.resolution = resolution
        locked.resolved_by = _user_or_none(actor)
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["resolution", "resolved_by", "resolved_at"])
        audit_log(
            actor=actor,
            action="certification.talk_flag.resolved",
            target=locked,
            data={"officer_id": locked.officer_id, "year": locked.year},
        )
    for field in ("resolution", "resolved_by", "resolved_at"):
        setattr(flag, field, getattr(locked, field))
    return flag
