"""Mentor binding (师徒结对): bind a mentor to a new officer and unbind, with reasons and history.

A new officer has at most one active mentor; to change mentors, unbind first (the history keeps
both rows). Binding checks the policy's eligibility rules and capacity at the moment of binding.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import texts
from certification.models import MentorBinding, Pathway
from certification.selectors.mentors import can_bind_mentor, mentor_eligibility
from certification.selectors.pathway import ACTIVE_PHASES
from certification.services.cases import case_shares_recompute_for_officer
from certification.services.pathway import PathwayError
from people.models import User
from portal.services import audit_log, notification_send


class MentorError(PathwayError):
    """A refused binding or unbinding; the message names every rule that failed."""


def _user_or_none(actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def mentor_bind(*, mentee: User, mentor: User, reason: str, actor, today: datetime.date | None = None) -> MentorBinding:
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    with transaction.atomic():
        # Lock the mentor's row: two bindings at once must not both see a free place.
        mentor = User.objects.select_for_update(of=("self",)).get(pk=mentor.pk)
        if isinstance(actor, User) and not can_bind_mentor(actor, mentee):
            raise MentorError(_("You may not bind mentors for this officer."))
        if mentor.pk == mentee.pk:
            raise MentorError(_("A new officer cannot be their own mentor."))
        pathway = Pathway.objects.filter(officer=mentee, phase__in=ACTIVE_PHASES).first()
        if pathway is None:
            raise MentorError(_("%(name)s is not on the new-officer pathway.") % {"name": mentee.name})
        current = MentorBinding.objects.filter(mentee=mentee, ended_on__isnull=True).select_related("mentor").first()
        if current is not None:
            raise MentorError(
                _("%(name)s is already bound to %(mentor)s; unbind first.")
                % {"name": mentee.name, "mentor": current.mentor.name}
            )
        ok, reasons = mentor_eligibility(mentor, today=today)
        if not ok:
            raise MentorError(
                _("%(mentor)s cannot be a mentor: %(reasons)s") % {"mentor": mentor.name, "reasons": " ".join(reasons)}
            )
        binding = MentorBinding.objects.create(
            mentee=mentee,
            mentor=mentor,
            pathway=pathway,
            started_on=today,
            reason=reason[:300],
            bound_by=_user_or_none(actor),
        )
        audit_log(
            actor=actor,
            action="certification.binding.created",
            target=binding,
            data={"mentee": mentee.police_number, "mentor": mentor.police_number, "reason": reason},
        )
        case_shares_recompute_for_officer(officer_id=mentee.pk)
        url = reverse("certification:my_mentees")
        mentee_name = mentee.name
        mentor_name = mentor.name
        transaction.on_commit(
            lambda: notification_send(
                recipient=mentor,
                title=texts.MENTOR_OF(name=mentee_name),
                body=gettext_lazy("Sign their phase-2 shadowing log and follow their exams and cases."),
                url=url,
                kind="certification.binding",
            )
        )
        transaction.on_commit(
            lambda: notification_send(
                recipient=mentee,
                title=texts.IS_YOUR_MENTOR(name=mentor_name),
                url=reverse("certification:my_pathway"),
                kind="certification.binding",
            )
        )
    return binding


def mentor_unbind(*, binding: MentorBinding, reason: str, actor, today: datetime.date | None = None) -> MentorBinding:
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise MentorError(_("Give the reason for ending the binding."))
    with transaction.atomic():
        binding = (
            MentorBinding.objects.select_for_update(of=("self",)).select_related("mentee", "mentor").get(pk=binding.pk)
        )
        if isinstance(actor, User) and not can_bind_mentor(actor, binding.mentee):
            raise MentorError(_("You may not change this officer's mentor."))
        if binding.ended_on is not None:
            raise MentorError(_("This binding has already ended."))
        binding.ended_on = today
        binding.end_reason = reason[:300]
        binding.ended_by = _user_or_none(actor)
        binding.save(update_fields=["ended_on", "end_reason", "ended_by"])
        audit_log(
            actor=actor,
            action="certification.binding.ended",
            target=binding,
            data={"mentee": binding.mentee.police_number, "mentor": binding.mentor.police_number, "reason": reason},
        )
        case_shares_recompute_for_officer(officer_id=binding.mentee_id)
        mentor = binding.mentor
        mentee_name = binding.mentee.name
        transaction.on_commit(
            lambda: notification_send(
                recipient=mentor,
                title=texts.BINDING_ENDED_WITH(name=mentee_name),
                body=reason,
                kind="certification.binding",
            )
        )
    return binding
