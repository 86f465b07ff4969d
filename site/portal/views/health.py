"""A liveness probe for the reverse proxy and monitoring: answers without touching the database,
the session or templates, so it also serves as the "bare view" baseline in load benchmarks."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
