"""API-key authentication for the JSON API (/api/v1/) and the ApiKey admin.

A key is sent as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``. Operations declare the
scopes they need::

    @router.get("/units", auth=api_key_auth(ApiScope.PEOPLE_READ), response={200: ..., **AUTH_ERRORS})

A missing, unknown, expired or revoked key gives 401, and so does any invalid credential sent next
to a valid one (a revoked X-API-Key with a valid Bearer token, a Basic header, two different keys);
a valid key without the scope gives 403.
Both answer JSON ``{"detail": "..."}``. The authenticated ApiKey is ``request.auth``.

The ApiKey ModelAdmin is registered here (this module is imported by config.api, which the root
urlconf imports before the admin URLs are built).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import APIKeyHeader, HttpBearer

from portal.models import ApiKey, ApiScope
from portal.services import api_key_authenticate, api_key_create, api_key_revoke

# --- Error shapes shared by every router ------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    row: int | None = None
    column: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


# Spread into an operation's response mapping to document the authentication failures.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut}
# ... and, for an operation that takes a body, the malformed (400) and too large (413) ones.
BODY_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 413: ErrorOut}


def unauthorized_message() -> str:
    return gettext("A valid API key is required: send it as the X-API-Key header or as 'Authorization: Bearer <key>'.")


def _missing_scope_message(scopes: list[str]) -> str:
    return gettext("This API key lacks the scope needed here: %(scopes)s.") % {"scopes": ", ".join(scopes)}


# --- Authentication ---------------------------------------------------------------------------


class InvalidApiKey(AuthenticationError):
    """A credential was sent and is not valid (401 with this sentence rather than "send a key")."""

    def __init__(self) -> None:
        super().__init__(
            message=gettext(
                "The API key sent is not valid (unknown, expired or revoked), or two different keys were "
                "sent: send one valid key, as the X-API-Key header or as 'Authorization: Bearer <key>'."
            )
        )


def _presented_credentials(request: HttpRequest) -> list[str]:
    """Every credential the request carries, as sent: the X-API-Key header and the Authorization
    header. An Authorization header of another scheme (Basic, Token …) or an empty value is a
    credential too, one that can never be valid."""
    presented = []
    if "X-API-Key" in request.headers:
        presented.append(request.headers["X-API-Key"].strip())
    if "Authorization" in request.headers:
        scheme, _space, token = request.headers["Authorization"].strip().partition(" ")
        presented.append(token.strip() if scheme.lower() == "bearer" else "")
    return presented


def _authenticate(request: HttpRequest, scopes: tuple[str, ...]) -> ApiKey | None:
    """The one key the request authenticates with, or None when it sends no credential at all.

    Every credential presented must be valid and name the same key: a revoked key in X-API-Key
    next to a valid Bearer token is refused, not skipped over (ninja's own rule is "the first
    scheme that succeeds wins", which would let a caller ignore a revocation it was sent).
    """
    presented = _presented_credentials(request)
    if not presented:
        return None
    keys = [api_key_authenticate(raw) if raw else None for raw in presented]
    if any(key is None for key in keys) or len({key.pk for key in keys}) > 1:
        # Raised from an auth callback, ninja answers with it at once (no other scheme tried).
        raise InvalidApiKey()
    key = keys[0]
    missing = [scope for scope in scopes if scope not in key.scopes]
    if missing:
        raise AuthorizationError(message=_missing_scope_message(missing))
    return key


class ApiKeyHeaderAuth(APIKeyHeader):
    """Documents the X-API-Key scheme in OpenAPI; authenticates with every credential sent."""

    param_name = "X-API-Key"

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        return _authenticate(request, self.scopes)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _authenticate(request, self.scopes)


class ApiKeyBearerAuth(HttpBearer):
    """Documents the Bearer scheme in OpenAPI; authenticates with every credential sent."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        return _authenticate(request, self.scopes)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return _authenticate(request, self.scopes)


def api_key_auth(*scopes: str) -> list:
    """The ``auth=`` value for an operation that needs an API key holding every one of ``scopes``.
    Two schemes so that OpenAPI documents both ways of sending the key; either one checks every
    credential the request carries."""
    return [ApiKeyHeaderAuth(*scopes), ApiKeyBearerAuth(*scopes)]


def require_scope(request: HttpRequest, *scopes: str) -> ApiKey:
    """For checks inside an operation (e.g. a scope needed only for some inputs): 403 if missing."""
    key = getattr(request, "auth", None)
    if not isinstance(key, ApiKey):
        raise HttpError(401, unauthorized_message())
    missing = [scope for scope in scopes if scope not in key.scopes]
    if missing:
        raise HttpError(403, _missing_scope_message(missing))
    return key


# --- Admin ------------------------------------------------------------------------------------


class ApiKeyAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "expires_at")


class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created through api_key_create: the raw key is shown once, in a message, and only
    its hash is stored. Scopes cannot be edited afterwards: create a new key and revoke the old."""

    list_display = ("name", "prefix", "scope_list", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix")
    actions = ["revoke_selected"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "scopes", "expires_at")
        return ("name", "prefix", "scope_list", "created_by", "created_at", "last_used_at", "expires_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("prefix", "scope_list", "created_by", "created_at", "last_used_at", "expires_at", "revoked_at")

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit log keeps pointing at the key

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw_key = api_key_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            actor=request.user,
            expires_at=form.cleaned_data.get("expires_at"),
        )
        # The admin goes on to log and redirect using ``obj``: make it the saved key.
        obj.pk = key.pk
        obj.prefix, obj.key_hash, obj.scopes, obj.created_at = key.prefix, key.key_hash, key.scopes, key.created_at
        obj._state.adding = False
        messages.warning(
            request,
            gettext("The new API key is %(key)s — copy it now: it is not stored and will not be shown again.")
            % {"key": raw_key},
        )

    @admin.action(description=_("Revoke selected API keys"))
    def revoke_selected(self, request, queryset):
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key, actor=request.user)
            count += 1
        self.message_user(request, gettext("%(count)d API key(s) revoked.") % {"count": count}, messages.SUCCESS)


if not admin.site.is_registered(ApiKey):
    admin.site.register(ApiKey, ApiKeyAdmin)
