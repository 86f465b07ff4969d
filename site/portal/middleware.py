from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise with the language switcher.

    Django's LocaleMiddleware follows the browser's Accept-Language, so a police workstation with
    an English browser would get an English platform. Here only the switcher's cookie counts;
    everyone else gets LANGUAGE_CODE (zh-hans).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivatePagesMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user and on the API.

    Personnel records, exam papers and results must not stay in a shared workstation's browser
    cache or in a proxy after the officer signed out. A response that set its own cache policy
    (none does today for signed-in users) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = (user is not None and user.is_authenticated) or request.path.startswith("/api/")
        if private and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with one exception: the Wagtail page editor.

    The platform's own pages run no inline script (settings ``CONTENT_SECURITY_POLICY``). Wagtail's
    editor does: its StreamField inserts block templates that carry inline scripts, through its
    bundled vendor code, so under ``/admin/`` scripts from this host *and* inline ones are allowed
    (without a nonce — a nonce would make the browser ignore 'unsafe-inline'). Every other directive,
    the ban on other hosts included, holds there too."""

    admin_prefix = "/admin/"

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(self.admin_prefix):
            parts.replace = {**(parts.replace or {}), "script-src": [SELF, UNSAFE_INLINE]}
            parts.nonce = None
        return parts
