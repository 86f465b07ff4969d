"""The sentences courses composes and stores: registered by key (``portal.texts``), so a
notification is shown in the reader's language whatever language was active when it was sent.
Named in the ``STORED_TEXT_MODULES`` setting.

A key, once used, is never given to another meaning: stored rows keep it. The English words may
change (and the catalog with them); the placeholders a key's template takes may not.
"""

from django.utils.translation import gettext_lazy as _

from portal.texts import register

# --- study assignments ----------------------------------------------------------------------------
ASSIGNMENT_NEW = register("courses.assignment.new", _("New study assignment: %(course)s"))
ASSIGNMENT_DUE_ON = register("courses.assignment.due_on", _("Study assignment due on %(date)s: %(course)s"))
ASSIGNMENT_DUE_TODAY = register("courses.assignment.due_today", _("Study assignment due today: %(course)s"))
ASSIGNMENT_BODY = register(
    "courses.assignment.body",
    _("Learn every lesson of “%(course)s” by %(date)s. You have learned %(learned)d of %(total)d."),
)
# A generated sentence followed by the note the trainer typed, as typed.
WITH_NOTE = register("courses.with_note", "%(text)s\n%(note)s")

# --- study discussions ----------------------------------------------------------------------------
DISCUSSION_INVITED = register("courses.discussion.invited", _("Study discussion: %(topic)s"))
DISCUSSION_CANCELLED = register("courses.discussion.cancelled", _("Study discussion cancelled: %(topic)s"))
DISCUSSION_INVITED_BODY = register(
    "courses.discussion.invited_body",
    _("You are invited: %(start)s at %(place)s. Sign in on the discussion page when you arrive."),
)
DISCUSSION_CANCELLED_BODY = register(
    "courses.discussion.cancelled_body",
    _("The study discussion on %(start)s at %(place)s will not take place."),
)
