"""Sign in, sign out, change password. Django's views do the work; we add audit entries."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from portal.forms import PoliceNumberAuthenticationForm
from portal.services import audit_log


def _client_ip(request) -> str | None:
    # The same address django-axes keys lockouts on (it honours AXES_IPWARE_PROXY_COUNT).
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or None


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PoliceNumberAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_log(
                actor=form.get_user(),
                action="portal.user.logged_in",
                target=form.get_user(),
                ip_address=_client_ip(self.request),
            )
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link or an image cannot sign anyone out."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:password_change_done")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_log(
                actor=self.request.user,
                action="portal.user.password_changed",
                target=self.request.user,
                ip_address=_client_ip(self.request),
            )
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "portal/password_change_done.html"
