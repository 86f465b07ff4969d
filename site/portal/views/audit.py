from django.core.paginator import Paginator
from django.shortcuts import render

from people.decorators import role_required
from people.models import Role
from portal.forms import AuditFilterForm
from portal.models import AuditEntry
from portal.selectors import audit_entries, audit_target_types
from portal.selectors.audit_display import audit_lines

AUDIT_ENTRIES_PER_PAGE = 50


@role_required(Role.HR, Role.ADMIN)
def audit_log(request):
    """审计日志, filtered by action prefix, actor, target type and date range."""
    form = AuditFilterForm(request.GET or None, target_types=audit_target_types())
    if not form.is_bound:
        entries = audit_entries()
    elif form.is_valid():
        data = form.cleaned_data
        entries = audit_entries(
            action_prefix=data["action"],
            actor_police_number=data["actor"],
            target_type=data["target_type"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    else:
        entries = AuditEntry.objects.none()
    page_obj = Paginator(entries, AUDIT_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/audit_log.html",
        {
            "form": form,
            "page_obj": page_obj,
            "entries": page_obj.object_list,
            "lines": audit_lines(page_obj.object_list),
        },
    )
