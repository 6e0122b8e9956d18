"""Uploaded images, checked and cleaned the same way for every app (product images, shop logos
and banners).

An upload must be a real JPEG, PNG or WebP (whatever its name or content type claims; the
formats of CATALOG_IMAGE_FORMATS), no larger than CATALOG_IMAGE_MAX_BYTES, and with no more than
CATALOG_IMAGE_MAX_PIXELS pixels: the pixel count is read from the header and checked before
anything is decoded, so a decompression bomb is refused without being inflated. The image is
re-encoded, which drops EXIF, GPS and other metadata (after applying the EXIF orientation).
"""

import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import ClassVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from marketmate.errors import ApplicationError


class ImageRejectedError(ApplicationError):
    """An upload that is not an accepted image (type, size, pixels, damaged): HTTP 400."""

    default_code: ClassVar[str] = "invalid_image"


EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str
    width: int
    height: int


def _rejected(message: str) -> ImageRejectedError:
    return ImageRejectedError(message, fields={"image": [message]})


def image_clean(*, upload: UploadedFile) -> CleanImage:
    """The upload re-encoded without metadata, or ImageRejectedError saying what is wrong."""
    max_bytes = settings.CATALOG_IMAGE_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise _rejected(
            _("The file is too large: images may be up to %(size)s.")
            % {"size": filesizeformat(max_bytes)}
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _rejected(
            _("The file is too large: images may be up to %(size)s.")
            % {"size": filesizeformat(max_bytes)}
        )
    allowed = [name.upper() for name in settings.CATALOG_IMAGE_FORMATS]
    max_pixels = settings.CATALOG_IMAGE_MAX_PIXELS
    bomb_message = _(
        "The image has too many pixels (at most %(pixels)s million); make it smaller."
    ) % {"pixels": f"{max_pixels / 1_000_000:g}"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                image_format = probe.format or ""
                width, height = probe.size
                if not image_format:
                    raise _rejected(
                        _("This kind of image is not accepted; upload a JPEG, PNG or WebP.")
                    )
                if image_format not in allowed:
                    raise _rejected(
                        _("%(format)s images are not accepted; upload a JPEG, PNG or WebP.")
                        % {"format": image_format}
                    )
                if width * height > max_pixels:
                    raise _rejected(bomb_message)
                probe.verify()
            with Image.open(BytesIO(data)) as image:
                image.load()
                cleaned = ImageOps.exif_transpose(image)
                content = _encode(cleaned, image_format)
                width, height = cleaned.size
    except ImageRejectedError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _rejected(bomb_message) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _rejected(_("The file is not an image, or it is damaged.")) from exc
    return CleanImage(content=content, format=image_format, width=width, height=height)


def _encode(image: Image.Image, image_format: str) -> bytes:
    """`image` in `image_format` with no metadata carried over (a fresh encode)."""
    out = BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    elif image_format == "PNG":
        if image.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=90)
    return out.getvalue()
