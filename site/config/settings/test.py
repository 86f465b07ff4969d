"""Fast, isolated settings for pytest."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, Q_CLUSTER

SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # pytest-django creates the test database; a file (not :memory:) so live-server threads share it.
    DATABASES["default"]["NAME"] = str(Path(tempfile.gettempdir()) / f"fazhi-test-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}

# Tasks run inline so tests see their effects at once.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
Q_CLUSTER.pop("redis", None)
Q_CLUSTER["orm"] = "default"

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="fazhi-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests read the dashboards right after changing data; the cache has its own test.
CERTIFICATION_DASHBOARD_CACHE_SECONDS = 0
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# No collectstatic in tests: WhiteNoise serves from the finders, as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
