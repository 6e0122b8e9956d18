"""Uploads served by the web process when no S3 bucket is configured.

Only what the storefront shows is served: product photos and their thumbnails, shop logos and
banners, avatars (never invoices, which `payments` hands to their owner only). A file is served
only when its first bytes are the image type its extension names, with that type,
`X-Content-Type-Options: nosniff` and a sandboxing Content Security Policy, so an upload cannot
be run as a page or a script. Names of uploads never change (a new photo gets a new name;
thumbnails are remade from the same original), so they are cached for a year.
"""

import posixpath
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.urls import URLPattern, re_path
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

# The folders (under MEDIA_ROOT) whose files anyone may see.
PUBLIC_FOLDERS = ("products/", "shops/logos/", "shops/banners/", "avatars/")
# Extension -> (content type, the first bytes every such file starts with).
IMAGE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "webp": ("image/webp", (b"RIFF",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
}
ONE_YEAR = 60 * 60 * 24 * 365


def _has_signature(path: Path, extension: str) -> bool:
    with path.open("rb") as handle:
        head = handle.read(12)
    if extension == "webp" and head[8:12] != b"WEBP":
        return False
    return head.startswith(IMAGE_TYPES[extension][1])


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    """One public upload from MEDIA_ROOT, or 404 for anything else."""
    path = posixpath.normpath(path).lstrip("/")
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if not path.startswith(PUBLIC_FOLDERS) or extension not in IMAGE_TYPES:
        raise Http404
    try:
        full = Path(safe_join(str(settings.MEDIA_ROOT), path))
    except ValueError:  # ../ out of MEDIA_ROOT
        raise Http404 from None
    if not full.is_file() or not _has_signature(full, extension):
        raise Http404
    stat = full.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        return HttpResponseNotModified()
    response = FileResponse(full.open("rb"), content_type=IMAGE_TYPES[extension][0])
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def media_urlpatterns() -> list[URLPattern]:
    """The media route when uploads are on the local disk under a local URL, else none (S3 or
    a CDN serves them)."""
    media_url = str(settings.MEDIA_URL)
    if not isinstance(default_storage, FileSystemStorage) or not media_url.startswith("/"):
        return []
    return [re_path(rf"^{media_url.lstrip('/')}(?P<path>.+)$", media_serve, name="media")]
