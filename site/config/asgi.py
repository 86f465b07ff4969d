"""ASGI entry point."""

import os
import sys
from pathlib import Path

_site = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(_site), str(_site.parent)) if p not in sys.path]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
