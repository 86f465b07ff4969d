"""The JSON API at /api/v1/. Each app contributes a router; authentication is by API key
(portal.api_auth). Every error answers JSON with a ``detail`` sentence; invalid input adds an
``errors`` list of {row, column, message}.

The interactive docs (/api/v1/docs) load Swagger UI from django-ninja's own static files, never
from a CDN: the intranet has no internet.
"""

from __future__ import annotations

import json
from pathlib import Path

import ninja
from django.http import HttpRequest, HttpResponse
from django.template import Context, Engine
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.docs import Swagger

from certification.api import router as certification_router
from certification.api_qualifications import router as qualifications_router
from people.api import router as people_router
from portal.api_auth import unauthorized_message

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


api = NinjaAPI(
    title="法制学习考试认证平台 API",
    version="1",
    description="Units and personnel for other police systems. Send an API key as X-API-Key or as a Bearer token.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # validatorUrl None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    docs=LocalSwagger(settings={"validatorUrl": None}),
)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": unauthorized_message()}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _field_error(loc: list | tuple, message: str) -> dict:
    """ninja's error location (("body", "payload", "rows", 3, "name")) as {row, column}: list
    indexes become 1-based rows, the rest of the path is the column."""
    parts = [part for part in loc if part not in ("body", "payload", "query", "path", "header")]
    row = None
    if len(parts) >= 2 and parts[0] == "rows" and isinstance(parts[1], int):
        row = parts[1] + 1
        parts = parts[2:]
    return {"row": row, "column": ".".join(str(part) for part in parts), "message": message}


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [_field_error(error.get("loc", ()), error.get("msg", "")) for error in exc.errors]
    return api.create_response(
        request,
        {"detail": _("The request is not valid: %(count)d problem(s).") % {"count": len(errors)}, "errors": errors},
        status=422,
    )


api.add_router("/", people_router)
api.add_router("/", certification_router)
api.add_router("/", qualifications_router)
