"""The sentences certification composes and stores: registered by key (``portal.texts``), so a
pathway event, a talk's reason, a pool membership's end or a notification is shown in the
reader's language and follows a reworded template. Named in the ``STORED_TEXT_MODULES`` setting.

A key, once used, is never given to another meaning: stored rows keep it. The English words may
change (and the catalog with them); the placeholders a key's template takes may not.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.texts import register

# --- the 123 pathway ------------------------------------------------------------------------------
PATHWAY_ENROLLED = register("certification.pathway.enrolled", _("Enrolled"))
LEAD_TEST_PASSED = register(
    "certification.pathway.lead_test_passed", _("Passed the lead-officer test (attempt %(number)d)")
)
LEAD_TEST_FAILED = register(
    "certification.pathway.lead_test_failed",
    _("Failed the lead-officer test (attempt %(number)d); retake from %(day)s"),
)
RETAKE_FROM = register("certification.pathway.retake_from", _("You may retake the test from %(day)s."))
PHASE_OVERDUE = register("certification.pathway.phase_overdue", _("%(phase)s was due on %(day)s."))
MENTEE_OVERDUE = register("certification.pathway.mentee_overdue", _("Your mentee %(name)s is overdue"))
PATHWAYS_OVERDUE = register("certification.pathway.overdue_count", _("%(count)d new-officer pathway(s) overdue"))

# --- mentor bindings ------------------------------------------------------------------------------
BINDING_ENDED_COMPLETED = register("certification.binding.ended_completed", _("Pathway completed"))
BINDING_ENDED_WITHDRAWN = register("certification.binding.ended_withdrawn", _("Pathway withdrawn"))
MENTOR_OF = register("certification.binding.mentor_of", _("You are now the mentor of %(name)s"))
IS_YOUR_MENTOR = register("certification.binding.is_your_mentor", _("%(name)s is your mentor"))
BINDING_ENDED_WITH = register("certification.binding.ended_with", _("Your binding with %(name)s has ended"))

# --- middle leaders' reminder talks ---------------------------------------------------------------
TALK_FAILED = register("certification.talk.failed", _("Failed %(exam)s: score %(score)s, pass mark %(pass_mark)s."))
TALK_LOW_SCORE = register("certification.talk.low_score", _("Scored %(score)s in %(exam)s, below %(low)s."))
TALK_DUE = register("certification.talk.due", _("Reminder talk due: %(name)s"))
FLAG_RAISED = register("certification.talk_flag.raised", _("Organisational measures to consider: %(name)s"))
FLAG_RAISED_BODY = register(
    "certification.talk_flag.raised_body", _("Failed or scored low again after a reminder talk. %(reason)s")
)

# --- the reserve talent pool ----------------------------------------------------------------------
POOL_OFFICER_LEFT = register("certification.pool.officer_left", _("The officer left the service."))
POOL_OFFICER_INACTIVE = register("certification.pool.officer_inactive", _("The officer's account was deactivated."))
POOL_NO_BASIS = register("certification.pool.no_basis", _("The membership has no basis qualification."))
POOL_BASIS_EXPIRED_ON = register("certification.pool.basis_expired_on", _("expired on %(date)s"))
POOL_BASIS_LAPSED = register(
    "certification.pool.basis_lapsed", _("The basis lapsed: %(qualification)s is no longer valid (%(state)s).")
)
POOL_NOMINATION_WAITING = register(
    "certification.pool.nomination_waiting", _("Reserve pool nomination awaiting approval: %(name)s")
)
POOL_BASIS_SWITCHED = register(
    "certification.pool.basis_switched", _("Your reserve pool membership now rests on %(qualification)s")
)

# --- qualifications -------------------------------------------------------------------------------
QUALIFICATION_AWAITING = register(
    "certification.qualification.awaiting", _("Qualification awaiting approval: %(name)s, %(qualification)s")
)
QUALIFICATION_NOT_APPROVED = register(
    "certification.qualification.not_approved", _("Qualification not approved: %(qualification)s")
)
QUALIFICATION_SUSPENDED = register(
    "certification.qualification.suspended", _("Qualification suspended: %(qualification)s")
)
QUALIFICATION_REVOKED = register("certification.qualification.revoked", _("Qualification revoked: %(qualification)s"))
QUALIFICATION_REINSTATED = register(
    "certification.qualification.reinstated", _("Qualification reinstated: %(qualification)s")
)
QUALIFICATION_EXPIRED = register("certification.qualification.expired", _("Qualification expired: %(qualification)s"))
QUALIFICATION_CORRECTED = register(
    "certification.qualification.corrected",
    _("Qualification withdrawn: %(qualification)s (exam result corrected)"),
)
QUALIFICATION_CORRECTED_REASON = register(
    "certification.qualification.corrected_reason", _("Exam result corrected (attempt #%(attempt)s)")
)

# --- legal-officer evaluations --------------------------------------------------------------------
REVIEW_DECIDED = register("certification.review.decided", _("Legal-officer review decided: %(name)s"))
# "2026年第三季度" / "2026 Q3" in the reader's language (portal.formatting.format_quarter's words).
PERIOD = register("certification.period", pgettext_lazy("year and quarter", "%(year)s %(quarter)s"))
REVIEW_DECIDED_BODY = register(
    "certification.review.decided_body_period", _("%(period)s review of %(officer)s: %(decision)s. %(note)s")
)

# --- court-hearing attendance ---------------------------------------------------------------------
COURT_VERIFIED_BODY = register("certification.court.verified_body", _("Hearing: %(court)s, %(case)s."))
COURT_REJECTED_BODY = register(
    "certification.court.rejected_body", _("Hearing: %(court)s, %(case)s. Reason: %(reason)s")
)
