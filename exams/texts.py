"""The sentences exams composes and stores: registered by key (``portal.texts``), so a
notification is shown in the reader's language whatever language was active when it was sent.
Named in the ``STORED_TEXT_MODULES`` setting.

A key, once used, is never given to another meaning: stored rows keep it. The English words may
change (and the catalog with them); the placeholders a key's template takes may not.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.texts import register

# --- exam published / opening ---------------------------------------------------------------------
EXAM_INVITED = register("exams.exam.invited", _("You have an exam: %(title)s"))
EXAM_OPENING = register("exams.exam.opening", _("Exam open now: %(title)s"))
EXAM_WINDOW = register("exams.exam.window", _("Open from %(opens)s to %(closes)s; %(minutes)d minutes once you start."))

# --- results --------------------------------------------------------------------------------------
OUTCOME_PASSED = pgettext_lazy("exam outcome", "passed")
OUTCOME_NOT_PASSED = pgettext_lazy("exam outcome", "not passed")
RESULT_RELEASED = register("exams.result.released", _("Exam result released: %(exam)s"))
RESULT_SCORE = register("exams.result.score", _("Your score is %(score)s (%(outcome)s)."))
RESULT_GRADED = register("exams.result.graded", _("Your paper has been graded: %(exam)s"))
RESULT_HELD_UNTIL = register("exams.result.held_until", _("Results are released after the exam closes at %(time)s."))
RESULT_CHANGED = register("exams.result.changed", _("Your exam result has changed: %(exam)s"))
RESULT_SCORE_CHANGED = register(
    "exams.result.score_changed", _("Your score changed from %(before)s to %(after)s (%(outcome)s).")
)
KEY_CORRECTED = register("exams.result.key_corrected", _("The answer key of a question was corrected: %(reason)s"))
SHORT_ANSWER_REGRADED = _("A short answer was regraded.")
# A generated sentence followed by the words a person typed (the reason for a change), as typed.
WITH_REASON = register("exams.with_reason", "%(text)s\n%(reason)s")

# --- random ability tests -------------------------------------------------------------------------
SAMPLING_DRAWN = register("exams.sampling.drawn", _("You have been drawn for a random ability test: %(exam)s"))
SAMPLING_WINDOW = register("exams.sampling.window", _("Sit the test between %(opens)s and %(closes)s."))


def outcome(passed) -> object:
    """ "passed" / "not passed" as a lazy string, stored by its msgid."""
    return OUTCOME_PASSED if passed else OUTCOME_NOT_PASSED
