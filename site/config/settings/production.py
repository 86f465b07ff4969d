"""Production: every secret and host from the environment; `check --deploy` passes clean.

Required: SECRET_KEY, ALLOWED_HOSTS, BASE_URL. Optional: DATABASE_URL, REDIS_URL,
SECURE_SSL_REDIRECT (default on), SECURE_HSTS_SECONDS (default one year),
CSRF_TRUSTED_ORIGINS, DEMO_DATA_ALLOWED (default off). See docs/DEPLOY.md.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated host names).")
WAGTAILADMIN_BASE_URL = env_str("BASE_URL")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [WAGTAILADMIN_BASE_URL])

# TLS is terminated by the reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Nothing frames the site except Wagtail's preview panel, whose views set SAMEORIGIN themselves
# (wagtail.utils.decorators.xframe_options_sameorigin_override); a view that must be framed
# uses django.views.decorators.clickjacking.xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Demo accounts have a published password: `seed_demo` refuses to run here unless a training
# installation turns this on (or the operator passes --force).
DEMO_DATA_ALLOWED = env_bool("DEMO_DATA_ALLOWED", False)
