"""Demo exam day for `manage.py seed_demo`: 北山派出所执法资格考试（考场示范）, open today.

A formal exam with every exam-day rule on: exam-room password 8023, the loopback and 10.0.0.0/8
networks allowed (so the demo works on 127.0.0.1), one device at a time, focus losses recorded
(warning after 3, automatic hand-in after 8), question text not copyable. In the room:

- two officers with accommodations (20 minutes extra for an injury; an extra attempt after a
  power cut last week);
- officers sitting it now, some with focus losses, one who moved to another computer (a device
  takeover), one whose clock the invigilator stopped after a computer fault, one given 5 minutes;
- one officer handed in, one marked absent; a room message;
- three officers of a squad room without computers sat 卷A on paper, entered by the trainer;
- officer001 (the demo officer) not started: they can sit it with the password.

The trainer's board (考务监控) shows all of it. Idempotent: nothing is built when the exam exists.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.choices import Tier
from exams.demo.delivery import LABEL, MONTHLY_BLUEPRINT, RULES_TEXT, _officers, _pass_mark, _response, _sit
from exams.models import AttemptEventKind, Blueprint, Exam, ExamKind, PaperItem, QuestionType
from exams.services.exam_day import (
    attempt_device_claim,
    attempt_focus_event,
    attempt_pause,
    attempts_add_time,
    exam_absence_mark,
    exam_accommodation_set,
    exam_room_message_send,
)
from exams.services.exams import ExamSpec, exam_create, exam_publish
from exams.services.paper_sitting import PaperSheet, paper_sheets_enter, paper_variants_draw
from people.models.audience import AudienceSpec
from portal.demo import SEED_ACTOR
from portal.demo.units import STATION

if TYPE_CHECKING:
    from portal.demo import DemoContext

SITTING_LABEL = _("papers sat in the exam-day demo")
TITLE = "北山派出所执法资格考试（考场示范）"
ROOM_PASSWORD = "8023"
NETWORKS = "127.0.0.0/8\n::1/128\n10.0.0.0/8"


def build(ctx: DemoContext) -> None:
    if STATION not in ctx.units or Exam.objects.filter(title=TITLE).exists():
        return
    blueprint = Blueprint.objects.filter(title=MONTHLY_BLUEPRINT, practice_for__isnull=True).first()
    if blueprint is None:
        return
    actor = ctx.accounts.get("trainer") or SEED_ACTOR
    rng = ctx.random_for("exams.exam_day")
    now = timezone.now()
    opens = now - datetime.timedelta(minutes=40)
    spec = ExamSpec(
        title=TITLE,
        blueprint=blueprint,
        audience=AudienceSpec(units_with_subtree=(ctx.units[STATION],)),
        pass_mark=_pass_mark(blueprint),
        kind=ExamKind.FORMAL,
        tier=Tier.BASIC,
        description=RULES_TEXT + "\n4. 开考前由监考员公布考场口令；请在考场电脑上作答，切屏将被记录。",
        opens_at=opens,
        closes_at=now + datetime.timedelta(hours=4),
        duration_minutes=90,
        focus_warn_after=3,
        focus_submit_after=8,
        room_password=ROOM_PASSWORD,
        allowed_networks=NETWORKS,
    )
    exam = exam_create(actor=actor, spec=spec)
    exam_publish(actor=actor, exam=exam, now=opens - datetime.timedelta(days=2), notify=False)
    ctx.created(LABEL)

    injured, power_cut, *room = _officers(exam, ctx, rng, 13, include_demo_officer=False)
    exam_accommodation_set(
        actor=actor,
        exam=exam,
        officer=injured,
        extra_minutes=20,
        reason="右手受伤，书写不便（伤情证明已存档）",
        now=opens,
    )
    exam_accommodation_set(
        actor=actor,
        exam=exam,
        officer=power_cut,
        extra_attempts=1,
        reason="上次考试中途停电，经法制大队同意补考一次",
        now=opens,
    )
    sitting = [injured, *room[:6]]
    attempts = []
    for index, officer in enumerate(sitting):
        start = opens + datetime.timedelta(minutes=5 + index)
        attempt = _sit(
            exam,
            officer,
            rng,
            start=start,
            submit=index == 6,
            answered=None if index == 6 else 6 + index,
            client_address=f"10.12.3.{21 + index}",
            room_password=ROOM_PASSWORD,
        )
        if attempt.paper_id is not None:
            attempt_device_claim(attempt=attempt, device=f"demo{index:02d}pc", confirm=False, now=start)
        attempts.append(attempt)
    # Focus losses on three papers; one officer moved to the next computer; one clock stopped.
    for attempt, losses in zip(attempts[1:4], (1, 2, 4), strict=True):
        for number in range(losses):
            kind = AttemptEventKind.TAB_HIDDEN if number % 2 else AttemptEventKind.FOCUS_LOST
            attempt_focus_event(
                attempt=attempt, kind=kind, now=attempt.started_at + datetime.timedelta(minutes=3 + number)
            )
    moved = attempts[4]
    attempt_device_claim(
        attempt=moved, device="demo99pc", confirm=True, now=moved.started_at + datetime.timedelta(minutes=12)
    )
    attempts_add_time(
        actor=actor,
        exam=exam,
        attempt_ids=[moved.pk],
        minutes=5,
        reason="更换电脑耽误约5分钟",
        now=now - datetime.timedelta(minutes=15),
    )
    attempt_pause(
        actor=actor, attempt=attempts[5], reason="电脑死机，正在更换", now=now - datetime.timedelta(minutes=2)
    )
    exam_absence_mark(
        actor=actor,
        exam=exam,
        officers=[room[6]],
        reason="未到场，所在单位称外出办案",
        now=opens + datetime.timedelta(minutes=30),
    )
    exam_room_message_send(
        actor=actor, exam=exam, text="请注意：案例分析题请分条作答。", now=opens + datetime.timedelta(minutes=20)
    )
    ctx.created(SITTING_LABEL, len(attempts))
    _paper_room(exam, room[7:10], actor=actor, rng=rng, sat_at=opens)


def _printed(item, response) -> str:
    """What an officer wrote on the printed paper for ``response`` (original keys → printed labels)."""
    if response is None:
        return ""
    if item.question_type == QuestionType.SINGLE:
        return item.display_key(response)
    if item.question_type == QuestionType.MULTIPLE:
        return "".join(sorted(item.display_key(key) for key in response))
    if item.question_type == QuestionType.TRUE_FALSE:
        return "对" if response else "错"
    if item.question_type == QuestionType.FILL_BLANK:
        return "|".join(response)
    return ""


def _paper_room(exam: Exam, officers, *, actor, rng, sat_at) -> None:
    """Three officers of a squad room without computers sat 卷A on paper; the trainer entered them."""
    (paper,) = paper_variants_draw(exam=exam, count=1, actor=actor)  # 卷A
    items = list(PaperItem.objects.filter(paper=paper).select_related("question_version").order_by("position"))
    sheets = []
    for officer in officers:
        skill = rng.uniform(0.5, 0.95)
        entries = {}
        for item in items:
            if item.question_type == QuestionType.SHORT_ANSWER:
                entries[item.position] = str(int(item.points * Decimal(str(round(skill, 1)))))
            else:
                entries[item.position] = _printed(item, _response(item, rng, skill))
        sheets.append(PaperSheet(police_number=officer.police_number, variant="A", entries=entries))
    result = paper_sheets_enter(exam=exam, sheets=sheets, actor=actor, sat_at=sat_at)
    if result.problems:  # the demo's own data: a problem here is a bug in this builder
        raise RuntimeError([problem.message for problem in result.problems])
