"""Menu entries for the portal (``settings.PORTAL_NAV_PROVIDERS`` lists ``certification.navigation.nav_items``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from certification.models import MentorBinding, Pathway
from certification.selectors.pathway import can_manage_pathways
from people.models import TRAINING_STAFF, Role
from people.selectors import has_role
from portal.selectors.registry import NavItem

# Who manages qualification records (their own scope applies on the list itself).
QUALIFICATION_MANAGERS = (Role.HR, Role.UNIT_LEADER, *TRAINING_STAFF)


def nav_items(user) -> list[NavItem]:
    """我的资格 and 执法质量 for every officer; 我的新警培养 and 我的徒弟 for those they concern;
    qualification management for HR, unit leaders and the legal brigade; the pathway board for HR
    and the legal brigade; qualification exams for the legal brigade."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [
        NavItem(
            label=_("My qualifications"), url=reverse("certification:my_qualifications"), order=45, key="cert.mine"
        ),
        NavItem(label=_("Case quality"), url=reverse("certification:case_list"), order=47, key="cert.cases"),
    ]
    if Pathway.objects.filter(officer=user).exists():
        items.append(
            NavItem(label=_("My pathway"), url=reverse("certification:my_pathway"), order=46, key="cert.my_pathway")
        )
    if MentorBinding.objects.filter(mentor=user, ended_on__isnull=True).exists():
        items.append(
            NavItem(label=_("My mentees"), url=reverse("certification:my_mentees"), order=48, key="cert.mentees")
        )
    if has_role(user, *QUALIFICATION_MANAGERS):
        items.append(
            NavItem(
                label=_("Qualification records"),
                url=reverse("certification:qualification_list"),
                order=60,
                key="cert.qualifications",
            )
        )
    if can_manage_pathways(user):
        items.append(
            NavItem(
                label=_("New-officer pathways"), url=reverse("certification:pathway_board"), order=61, key="cert.board"
            )
        )
    if has_role(user, *TRAINING_STAFF):
        items.append(
            NavItem(
                label=_("Qualification exams"),
                url=reverse("certification:qualification_exams"),
                order=62,
                key="cert.exams",
            )
        )
    return items
