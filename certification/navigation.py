"""Menu entries for the portal (``settings.PORTAL_NAV_PROVIDERS`` lists ``certification.navigation.nav_items``).

Officers see their own records (qualifications, court attendance, points, case quality, and the
pathway, mentees, evaluations or reminder talks when they have any); HR, unit leaders and the
legal brigade see the management lists their role opens (each page applies its own scope)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from certification.models import MentorBinding, Pathway, ReminderTalk
from certification.selectors.court import is_court_reviewer
from certification.selectors.dashboards import can_view_dashboards
from certification.selectors.evaluations import can_view_rankings
from certification.selectors.leaders import is_leader_staff
from certification.selectors.pathway import can_manage_pathways
from certification.selectors.points import can_list_points
from certification.selectors.pool import can_manage_pool
from people.models import TRAINING_STAFF, Role
from people.selectors import has_role
from portal.selectors.registry import NavItem

# Who manages qualification records (their own scope applies on the list itself).
QUALIFICATION_MANAGERS = (Role.HR, Role.UNIT_LEADER, *TRAINING_STAFF)


def _item(label: str, name: str, order: int, key: str) -> NavItem:
    return NavItem(label=label, url=reverse(f"certification:{name}"), order=order, key=f"cert.{key}")


def nav_items(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = [
        _item(_("My law-enforcement file"), "my_file", 44, "file"),
        _item(_("My qualifications"), "my_qualifications", 45, "mine"),
        _item(_("Court attendance"), "my_court", 47, "court"),
        _item(_("My points"), "my_points", 48, "points"),
        _item(_("Case quality"), "case_list", 49, "cases"),
    ]
    if Pathway.objects.filter(officer=user).exists():
        items.append(_item(_("My pathway"), "my_pathway", 46, "my_pathway"))
    if MentorBinding.objects.filter(mentor=user, ended_on__isnull=True).exists():
        items.append(_item(_("My mentees"), "my_mentees", 46, "mentees"))
    if user.is_legal_officer or user.is_legal_brigade:
        items.append(_item(_("My quarterly evaluations"), "my_evaluations", 49, "my_evaluations"))
    if user.is_middle_leader or ReminderTalk.objects.filter(officer=user).exists():
        items.append(_item(_("My reminder talks"), "my_talks", 49, "my_talks"))
    if has_role(user, *QUALIFICATION_MANAGERS):
        items.append(_item(_("Qualification records"), "qualification_list", 60, "qualifications"))
    if can_manage_pathways(user):
        items.append(_item(_("New-officer pathways"), "pathway_board", 61, "board"))
    if has_role(user, *TRAINING_STAFF):
        items.append(_item(_("Qualification exams"), "qualification_exams", 62, "exams"))
    if can_manage_pool(user):
        items.append(_item(_("Reserve talent pool"), "pool_list", 63, "pool"))
    if can_view_rankings(user):
        items.append(_item(_("Quarterly evaluations"), "evaluation_schemes", 64, "evaluations"))
        items.append(_item(_("Replacement reviews"), "replacement_reviews", 65, "reviews"))
    if is_court_reviewer(user):
        items.append(_item(_("Verify court attendance"), "court_review", 66, "court_review"))
    if can_list_points(user):
        items.append(_item(_("Court attendance shortfall"), "court_shortfall", 67, "shortfall"))
        items.append(_item(_("Points summary"), "points_summary", 68, "points_summary"))
        items.append(_item(_("Over-50 indicators"), "indicator_list", 69, "indicators"))
    if can_view_dashboards(user):
        items.append(_item(_("Statistics"), "dashboard_qualifications", 59, "dashboards"))
    if has_role(user, Role.HR, Role.UNIT_LEADER, Role.ADMIN):
        items.append(_item(_("Quarterly unit reports"), "unit_reports", 72, "unit_reports"))
    if is_leader_staff(user):
        items.append(_item(_("Middle-leader test coverage"), "leader_coverage", 70, "leader_coverage"))
        items.append(_item(_("Reminder talks"), "leader_talks", 71, "talks"))
    return items
