"""Study-material images (Wagtail originals and renditions) for signed-in users.

The only files under MEDIA_ROOT with an address of their own; everything else (exports, evidence,
minutes, reports, certificate batches) is downloaded through the view that checks who asks. An
image may stay in the reader's own browser cache for a day (``private``): it is not a page, and
``no-store`` would fetch every picture again on every lesson."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from django.views.static import serve


@login_required
@require_GET
def media_image(request, path: str):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, private=True, max_age=86_400)
    return response
