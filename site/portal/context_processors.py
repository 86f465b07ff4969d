from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.selectors import nav_items_for, unread_notification_count


def portal(request):
    """Platform name for everyone; unread count and menu entries for signed-in users.

    The count is one indexed COUNT query. The menu is lazy: pages that never show it (Wagtail
    admin, Django admin) do not pay for the providers' role look-ups.
    """
    context = {"platform_name": getattr(settings, "PLATFORM_NAME", "")}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    context["unread_notification_count"] = unread_notification_count(user)
    context["nav_items"] = SimpleLazyObject(lambda: nav_items_for(user))
    return context
