from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.selectors import notifications_for
from portal.services import notification_mark_all_read, notification_mark_read

NOTIFICATIONS_PER_PAGE = 20


def _is_local_path(url: str) -> bool:
    # "//host/…" and "/\host" are protocol-relative: browsers treat them as another host.
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


@login_required
def notification_list(request):
    page_obj = Paginator(notifications_for(request.user), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page_obj": page_obj, "notifications": page_obj.object_list})


@require_POST
@login_required
def notification_read(request, pk: int):
    """Mark read, then follow the notification's link if it stays on this site."""
    notification = notification_mark_read(user=request.user, notification_id=pk)
    if notification.url and _is_local_path(notification.url):
        return redirect(notification.url)
    back = request.POST.get("next", "")
    return redirect(back if _is_local_path(back) else "portal:notifications")


@require_POST
@login_required
def notifications_read_all(request):
    count = notification_mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )
    return redirect("portal:notifications")
