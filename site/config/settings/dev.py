"""Local development and `make run`: DEBUG on, a generated secret kept in the data folder."""

import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = True
INTERNAL_IPS = ["127.0.0.1"]


def _dev_secret_key() -> str:
    # Never committed: generated on first start and kept beside the development database.
    path = DATA_DIR / "dev-secret-key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _dev_secret_key()
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
