"""Files embedded in imported questions become platform files with local URLs.

Images become Wagtail images (served from ``/media/original_images/`` like the study material's,
see docs/DEPLOY.md), other files Wagtail documents (served through the application). The same
content is stored once: a file already in the library (same SHA-1) is reused.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from pathlib import PurePath
from urllib.parse import unquote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from exams.transfer.common import TOKEN_PREFIX, EmbeddedFile, image_kind

TITLE_PREFIX = "题库导入"


def library_urls(files: Iterable[EmbeddedFile]) -> dict[str, str]:
    """``{placeholder token: local URL}`` for the files already in the library (same SHA-1): an
    import compares with these URLs, so a re-imported image is no change."""
    by_hash = {file.sha1: file.token for file in files}
    if not by_hash:
        return {}
    urls: dict[str, str] = {}
    for image in get_image_model().objects.filter(file_hash__in=list(by_hash)):
        urls.setdefault(by_hash[image.file_hash], image.file.url)
    for document in get_document_model().objects.filter(file_hash__in=list(by_hash)):
        urls.setdefault(by_hash[document.file_hash], document.url)
    return urls


def store_embedded_files(files: Iterable[EmbeddedFile], *, actor) -> dict[str, str]:
    """``{placeholder token: local URL}`` for the given files (stored unless already present)."""
    Image = get_image_model()
    Document = get_document_model()
    user = actor if getattr(actor, "is_authenticated", False) else None
    urls: dict[str, str] = {}
    for file in {f.token: f for f in files}.values():
        kind = image_kind(file.data)
        name = PurePath(file.name).stem or "file"
        if kind:
            image = Image.objects.filter(file_hash=file.sha1).first()
            if image is None:
                image = Image(
                    title=f"{TITLE_PREFIX} {file.name}"[:255],
                    file=ImageFile(ContentFile(file.data), name=f"{name}.{kind}"),
                    uploaded_by_user=user,
                    file_hash=file.sha1,
                    file_size=len(file.data),
                )
                image.save()
            urls[file.token] = image.file.url
        else:
            document = Document.objects.filter(file_hash=file.sha1).first()
            if document is None:
                document = Document(
                    title=f"{TITLE_PREFIX} {file.name}"[:255],
                    file=ContentFile(file.data, name=file.name),
                    uploaded_by_user=user,
                    file_hash=file.sha1,
                    file_size=len(file.data),
                )
                document.save()
            urls[file.token] = document.url
    return urls


def replace_tokens(value: str, urls: dict[str, str]) -> str:
    if TOKEN_PREFIX not in (value or ""):
        return value
    for token, url in urls.items():
        value = value.replace(token, url)
    return value


_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.IGNORECASE)


def replace_local_images(value: str, new_src: Callable[[str, bytes], str | None]) -> str:
    """``value`` with each ``<img>`` whose file lies in this installation's media given the address
    ``new_src(name, data)`` returns (a ``data:`` URI, a ``@@PLUGINFILE@@`` reference …); None, another
    host's image or an unreadable file leaves the tag as it was. For the exports that carry images
    inside the file (Moodle XML, GIFT)."""

    def substitute(match: re.Match) -> str:
        src = html.unescape(match.group(2))
        if not src.startswith(settings.MEDIA_URL):
            return match.group(0)
        name = unquote(src[len(settings.MEDIA_URL) :])
        try:
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
        except OSError:
            return match.group(0)
        replaced = new_src(name, data)
        return match.group(0) if replaced is None else f"{match.group(1)}{replaced}{match.group(3)}"

    return _IMG_SRC.sub(substitute, value or "")
