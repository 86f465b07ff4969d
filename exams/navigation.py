"""Menu entries for the portal (``settings.PORTAL_NAV_PROVIDERS`` lists ``exams.navigation.nav_items``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from people.models import TRAINING_STAFF
from people.selectors import has_role
from portal.selectors.registry import NavItem


def nav_items(user) -> list[NavItem]:
    """我的考试 and 错题本 for every signed-in officer; the bank, blueprints, exams, grading and
    random-test coverage for trainers, legal-brigade leaders and administrators."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [
        NavItem(label=_("My exams"), url=reverse("exams:my_exams"), order=43, key="exams.mine"),
        NavItem(label=_("Wrong-answer notebook"), url=reverse("exams:notebook"), order=44, key="exams.notebook"),
    ]
    if has_role(user, *TRAINING_STAFF):
        items += [
            NavItem(label=_("Question bank"), url=reverse("exams:bank_list"), order=50, key="exams.bank"),
            NavItem(label=_("Paper blueprints"), url=reverse("exams:blueprint_list"), order=51, key="exams.blueprints"),
            NavItem(label=_("Exams"), url=reverse("exams:exam_list"), order=52, key="exams.exams"),
            NavItem(label=_("Grading"), url=reverse("exams:grading_queue"), order=53, key="exams.grading"),
            NavItem(
                label=_("Random test coverage"), url=reverse("exams:sampling_coverage"), order=54, key="exams.coverage"
            ),
        ]
    return items
