"""Image files for upload tests, drawn with Pillow."""

import struct
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(
    *, size: tuple[int, int] = (800, 600), format: str = "JPEG", exif: bool = False
) -> bytes:
    image = Image.new("RGB", size, (200, 80, 60))
    out = BytesIO()
    options: dict[str, object] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam Inc."  # Make
        data[0x0132] = "2024:01:01 10:00:00"  # DateTime
        options["exif"] = data.tobytes()
    image.save(out, format, **options)
    return out.getvalue()


def image_upload(name: str = "photo.jpg", **kwargs: object) -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        str(kwargs.get("format", "JPEG")), "application/octet-stream"
    )
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type=content_type)  # type: ignore[arg-type]


def png_bomb(*, width: int = 40_000, height: int = 40_000) -> bytes:
    """A few hundred bytes of PNG whose header claims `width` x `height` pixels: what a
    decompression bomb looks like before it is inflated."""
    data = image_bytes(size=(8, 8), format="PNG")
    # The IHDR chunk follows the 8-byte signature: length (4), type (4), data (13), CRC (4).
    ihdr = bytearray(data[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)) & 0xFFFFFFFF)
    return data[:16] + bytes(ihdr) + crc + data[33:]
