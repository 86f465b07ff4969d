"""The JSON API at /api/v1/. Each app contributes a router; authentication is by API key
(portal.api_auth). Every error answers JSON with a ``detail`` sentence — 400, 401, 403, 404, 405, 413,
422, 500, never Django's HTML pages; invalid input adds an ``errors`` list of {row, column, message}.
Answers follow Accept-Language (``api_language``); batch endpoints declare their body allowance
(portal.api_errors.batch_body_limit).

The interactive docs (/api/v1/docs) load Swagger UI from django-ninja's own static files, never
from a CDN: the intranet has no internet.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import ninja
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import Context, Engine
from django.urls import Resolver404, URLPattern, re_path, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from certification.api import router as certification_router
from certification.api_qualifications import router as qualifications_router
from people.api import router as people_router
from portal.api_auth import InvalidApiKey, unauthorized_message
from portal.api_errors import body_too_large_message, validation_errors

# A template engine over ninja's own templates, so the local Swagger page renders whether or not
# "ninja" is in INSTALLED_APPS.
_NINJA_TEMPLATES = Engine(
    dirs=[str(Path(ninja.__file__).parent / "templates")],
    libraries={"static": "django.templatetags.static"},
)


class LocalSwagger(Swagger):
    """Swagger UI from ninja's bundled static files.

    Ninja only renders its local template when "ninja" is in INSTALLED_APPS and falls back to a
    CDN page otherwise; this renders the local template in either case. Serving the files under
    /static/ninja/ needs "ninja" in INSTALLED_APPS (or its static folder in STATICFILES_DIRS).
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": False}
        html = _NINJA_TEMPLATES.get_template("ninja/swagger.html").render(Context(context))
        return HttpResponse(html)


class PlatformApi(NinjaAPI):
    """NinjaAPI whose every URL answers in the caller's language and with JSON errors only.

    ``urls`` wraps each of ninja's views in ``_api_view`` and ends with a catch-all that answers
    a JSON 404, so nothing under /api/v1/ falls through to Django's HTML pages (404, 405)."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        wrapped = [URLPattern(p.pattern, _api_view(p.callback), p.default_args, p.name) for p in patterns]
        wrapped.append(re_path(r"^.*$", _api_view(_not_found), name="not-found"))
        return wrapped, app_name, namespace


def api_language(request: HttpRequest) -> str:
    """The language of an API answer: the one Accept-Language asks for (zh-hans, zh-CN → Chinese;
    en → English) when the platform has it, else LANGUAGE_CODE (Chinese). Systems have no language
    switcher, so unlike the pages (portal.middleware) the API follows the header."""
    return translation.get_language_from_request(request)


def _api_view(view: Callable) -> Callable:
    @wraps(view)
    def in_callers_language(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        language = api_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                response = _not_found(request)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
                allowed = response.get("Allow", "")
                response = JsonResponse(
                    {
                        "detail": _("This address does not accept %(method)s; it accepts %(allowed)s.")
                        % {"method": request.method, "allowed": allowed}
                    },
                    status=405,
                )
                response["Allow"] = allowed
        response["Content-Language"] = language
        return response

    in_callers_language.csrf_exempt = getattr(view, "csrf_exempt", False)
    return in_callers_language


def _not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    if not request.path_info.endswith("/"):
        # The catch-all stops CommonMiddleware's APPEND_SLASH redirect; redirect here instead, with
        # 308 so that a POST keeps its method and body (a 301 would turn it into a GET).
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            response = HttpResponseRedirect(request.get_full_path(force_append_slash=True))
            response.status_code = 308
            return response
    return JsonResponse(
        {
            "detail": _("Nothing is at this address of the API; the operations are listed at %(docs)s.")
            % {"docs": reverse("api-v1:openapi-view")}
        },
        status=404,
    )


api = PlatformApi(
    title="法制学习考试认证平台 API",
    version="1",
    description=(
        "Units and personnel for other police systems. Send an API key as X-API-Key or as a Bearer token "
        "(every key sent must be valid). Errors are JSON; messages follow Accept-Language (zh-hans or en, "
        "Chinese by default)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # validatorUrl None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    docs=LocalSwagger(settings={"validatorUrl": None}),
)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = str(exc) if isinstance(exc, InvalidApiKey) else unauthorized_message()
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    return api.create_response(
        request,
        {"detail": _("The request is not valid: %(count)d problem(s).") % {"count": len(errors)}, "errors": errors},
        status=422,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")  # ninja's sentence, in the caller's language
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Http404)
def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django's site-wide DATA_UPLOAD_MAX_MEMORY_SIZE, on an endpoint without a batch allowance.
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(request, {"detail": body_too_large_message(size=size, limit=limit)}, status=413)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged as Django logs an unhandled error (so ADMINS mail and error tracking still see it),
    # answered as JSON rather than Django's HTML 500 page.
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request}
    )
    return api.create_response(
        request, {"detail": _("The server failed to handle this request; it has been logged.")}, status=500
    )


api.add_router("/", people_router)
api.add_router("/", certification_router)
api.add_router("/", qualifications_router)
