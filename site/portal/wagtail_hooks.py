from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


@hooks.register("register_admin_menu_item")
def register_back_to_portal_menu_item():
    """Editors work in the Wagtail admin; this leads them back to their portal tasks."""
    return MenuItem(
        _("Back to portal"), reverse("portal:dashboard"), name="back-to-portal", icon_name="home", order=10000
    )
