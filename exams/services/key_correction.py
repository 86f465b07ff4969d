"""Correcting the answer key of a question already drawn into papers (更正答案), and regrading.

A version drawn into a paper is immutable (``QuestionVersion.in_use``): editing the question makes
a new version, and papers keep the one they drew. A wrong key is the exception: the papers that
drew the version must be graded against the right key, so the key is changed IN PLACE — the one
permitted edit of an in-use version — and every answer given to it is rescored. ``KeyCorrection``
keeps the previous key, the new one, who changed it, why, and how many attempts were regraded.

Which attempts change: every attempt whose paper holds the version. Those still in progress are
graded at submission against the new key. Submitted attempts (short answers still waiting) get
the answer rescored; their total is computed when grading finishes. Graded and released attempts
get the answer rescored and their total and ``passed`` recomputed; each one whose score or outcome
changed gets an audit entry, and its officer a notification when the result was already released
(a result still held back is not revealed by a correction).

Race with submissions: the attempts on papers holding the version are locked (ordered by id)
before the key changes, so a submission either commits first — and its answers are rescored here —
or waits for this transaction and reads the new key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams import texts
from exams.models import (
    Answer,
    Attempt,
    AttemptState,
    KeyCorrection,
    MultipleChoiceScoring,
    PaperItem,
    QuestionType,
    QuestionVersion,
)
from exams.scoring import score_response
from exams.services.grading import attempt_rescore
from exams.services.questions import QuestionContent, question_validate
from portal.services import audit_log

__all__ = ["KeyCorrectionOutcome", "question_key_correct"]

MAX_REASON_CHARS = 200
SCORED_STATES = (AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED)

ERRORS = {
    "not_auto_graded": _("Short answers have no answer key: they are graded by a person."),
    "not_in_use": _("This version is not in any paper yet: edit the question instead."),
    "reason_missing": _("Say why the key is corrected; officers whose score changes are told."),
    "reason_too_long": _("The reason is too long (at most %(max)s characters)."),
    "unchanged": _("The new key is the same as the current one."),
}


@dataclass(frozen=True)
class KeyCorrectionOutcome:
    correction: KeyCorrection
    answers_rescored: int  # answers whose points or correctness changed
    attempts_changed: int  # graded or released attempts whose score or outcome changed


def _error(field: str, code: str, **params) -> ValidationError:
    message = str(ERRORS[code]) % params if params else str(ERRORS[code])
    return ValidationError({field: [message]})


def question_key_correct(
    *, version: QuestionVersion, new_answer, reason: str, actor, now: datetime.datetime | None = None
) -> KeyCorrectionOutcome:
    """Correct the key of an in-use version and regrade every answer to it (see the module
    docstring). ``new_answer`` takes the shapes of ``QuestionVersion.answer`` and the spellings the
    bank's editor accepts ("AC" for a multiple choice). Raises ``ValidationError`` (field →
    messages) for an invalid or unchanged key or a missing reason."""
    now = now or timezone.now()
    question_type = version.question.type
    if question_type not in QuestionType.auto_graded():
        raise _error("answer", "not_auto_graded")
    if not version.in_use:
        raise _error("answer", "not_in_use")
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "reason_missing")
    if len(reason) > MAX_REASON_CHARS:
        raise _error("reason", "reason_too_long", max=MAX_REASON_CHARS)
    # The bank's own rules for a key of this type against this version's options and blanks.
    content = QuestionContent(
        type=question_type, stem=version.stem, options=list(version.options or []), answer=new_answer
    )
    errors = question_validate(content).get("answer")
    if errors:
        raise ValidationError({"answer": errors})
    new_key = content.answer

    with transaction.atomic():
        papers = PaperItem.objects.filter(question_version_id=version.pk).values("paper_id")
        attempts = list(
            Attempt.objects.select_for_update(of=("self",))
            .filter(paper_id__in=papers)
            .select_related("exam", "officer")
            .order_by("pk")
        )
        version = QuestionVersion.objects.select_for_update().get(pk=version.pk)
        previous = version.answer
        if previous == new_key:
            raise _error("answer", "unchanged")
        version.answer = new_key
        version.save(update_fields=["answer"])
        correction = KeyCorrection.objects.create(
            question_version=version,
            previous_answer=previous,
            new_answer=new_key,
            reason=reason,
            corrected_by=actor if getattr(actor, "is_authenticated", False) else None,
            corrected_at=now,
        )

        scored = {attempt.pk: attempt for attempt in attempts if attempt.state in SCORED_STATES}
        rescored = []
        for answer in Answer.objects.filter(
            paper_item__question_version_id=version.pk, attempt_id__in=list(scored)
        ).select_related("paper_item"):
            item = answer.paper_item
            result = score_response(
                question_type=item.question_type,
                answer=new_key,
                response=answer.response,
                points=item.points,
                multiple_scoring=item.multiple_scoring or MultipleChoiceScoring.ALL_OR_NOTHING,
            )
            if (answer.score, answer.correct) != (result.points, result.correct):
                answer.score, answer.correct = result.points, result.correct
                rescored.append(answer)
        Answer.objects.bulk_update(rescored, ["score", "correct"])

        why = texts.KEY_CORRECTED(reason=reason)
        regraded = [
            attempt for attempt in scored.values() if attempt.state in (AttemptState.GRADED, AttemptState.RELEASED)
        ]
        changed = 0
        for attempt in regraded:
            changed += attempt_rescore(
                attempt=attempt,
                actor=actor,
                now=now,
                why=why,
                data={"key_correction": correction.pk, "question_version": version.pk},
            )
        correction.attempts_regraded = len(scored)
        correction.save(update_fields=["attempts_regraded"])
        audit_log(
            actor=actor,
            action="exams.question.key_corrected",
            target=version.question,
            data={
                "version": version.number,
                "previous": previous,
                "new": new_key,
                "reason": reason,
                "answers_rescored": len(rescored),
                "attempts_regraded": len(scored),
                "attempts_changed": changed,
            },
        )
    return KeyCorrectionOutcome(correction=correction, answers_rescored=len(rescored), attempts_changed=changed)
