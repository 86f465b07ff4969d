from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """首页: the public face of the platform, with the signed-in officer's shortcuts."""

    intro = RichTextField(_("introduction"), blank=True)
    notice = models.CharField(_("notice"), max_length=200, blank=True, help_text=_("One line shown above the fold."))

    content_panels = [*Page.content_panels, FieldPanel("notice"), FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if request.user.is_authenticated:
            from portal.selectors import dashboard_for

            context["dashboard"] = dashboard_for(request.user)
        return context
