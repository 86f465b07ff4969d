"""Sign in, sign out, change password. Django's views do the work; we add audit entries (their client
address comes from portal.client_address, the same one the lockout keys on)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from portal.forms import PoliceNumberAuthenticationForm
from portal.services import audit_log


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
            )
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "portal/password_change_done.html"
