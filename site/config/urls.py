from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api
from portal.views.media import media_image

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("people/", include("people.urls")),
    path("exams/", include("exams.urls")),
    path("certification/", include("certification.urls")),
    path("verify/", include("certification.public_urls")),
    path("", include("portal.urls")),
]

# Of the uploaded files only Wagtail's images (study material, question stems) have public-style
# addresses, and only signed-in users get them. Exports, evidence, minutes, reports and certificate
# batches are served solely by their own views, which check who asks; /media/ gives nothing else.
urlpatterns += [
    re_path(
        r"^media/(?P<path>(?:images|original_images)/[^/]+)$",
        media_image,
        name="media_image",
    )
]

# Wagtail serves every other path as a page; it must come last.
urlpatterns += [path("", include(wagtail_urls))]
