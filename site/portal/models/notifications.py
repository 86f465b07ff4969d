from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.texts import render, stored_text_field


class Notification(models.Model):
    """站内通知. A title or body the code composed is kept as a stored text (key and parameters,
    ``portal.texts``) and shown in the reader's language; ``title`` and ``body`` keep the words as
    sent (in the recipient's language), shown when there is no stored text or it no longer renders."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60, blank=True, help_text=_("e.g. courses.assignment.due"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    title_message = stored_text_field(_("title (stored text)"))
    body_message = stored_text_field(_("body (stored text)"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return render(self.title_message, self.title)

    @property
    def display_body(self) -> str:
        return render(self.body_message, self.body)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
