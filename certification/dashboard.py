"""Dashboard sections of the certification app (listed in the PORTAL_DASHBOARD_SECTIONS setting)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.selectors.registry import DashboardItem, DashboardSection

DASHBOARD_LIMIT = 5


def signoff_dashboard_section(user) -> DashboardSection | None:
    """我的待办 › 带教日志: shadowing log entries waiting for this user's signature — phase 1 for
    the legal brigade, phase 2 for a mentor's own mentees. Oldest first."""
    from certification.selectors.pathway import is_legal_brigade_staff, pending_log_entries_for_signer

    entries = pending_log_entries_for_signer(user)
    total = entries.count()
    if not total:
        return None
    return DashboardSection(
        key="certification.signoff",
        title=_("Shadowing logs to sign"),
        order=40,
        total=total,
        more_url=reverse("certification:pathway_board" if is_legal_brigade_staff(user) else "certification:my_mentees"),
        more_label=_("Pathway board") if is_legal_brigade_staff(user) else _("My mentees"),
        items=tuple(
            DashboardItem(
                title=entry.pathway.officer.name,
                url=reverse("certification:pathway_detail", args=[entry.pathway_id]),
                detail=f"{entry.get_work_type_display()} · {entry.hours} h",
                status=_("Phase 1") if entry.phase == "phase1" else _("Phase 2"),
                due=entry.date,
            )
            for entry in entries[:DASHBOARD_LIMIT]
        ),
    )


def pathway_dashboard_section(user) -> DashboardSection | None:
    """我的待办 › 新警培养: the new officer's own pathway — the current phase, its due date, what is
    missing (a returned log entry, a retake date); urgent when overdue."""
    from certification.models import LogStatus, Pathway
    from certification.selectors.pathway import ACTIVE_PHASES

    if not getattr(user, "is_authenticated", False):
        return None
    pathway = Pathway.objects.filter(officer=user, phase__in=ACTIVE_PHASES).first()
    if pathway is None:
        return None
    today = timezone.localdate()
    url = reverse("certification:my_pathway")
    items = [
        DashboardItem(
            title=pathway.get_phase_display(),
            url=url,
            status=_("Overdue") if pathway.is_overdue(today) else "",
            due=pathway.current_due,
            urgent=pathway.is_overdue(today),
        )
    ]
    returned = pathway.log_entries.filter(status=LogStatus.RETURNED, phase=pathway.phase).count()
    if returned:
        items.append(
            DashboardItem(
                title=_("%(count)d log entries returned") % {"count": returned},
                url=url,
                status=_("Returned"),
            )
        )
    if pathway.retake_from and pathway.retake_from > today:
        items.append(
            DashboardItem(
                title=_("Lead-officer test retake"), url=url, detail=_("Not before this day"), due=pathway.retake_from
            )
        )
    return DashboardSection(
        key="certification.pathway",
        title=_("My new-officer pathway"),
        order=30,
        total=len(items),
        more_url=url,
        more_label=_("My pathway"),
        items=tuple(items),
    )
