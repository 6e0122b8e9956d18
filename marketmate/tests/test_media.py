"""Uploads served by the web process under the production settings when S3 is not configured
(what `docker compose up` runs without AWS_* variables)."""

import json
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from chat.tests.servers import database_url_of_test_run
from marketmate.tests.settings_probe import settings_of

PROBE = """
import json
from django.conf import settings
from django.test import Client, override_settings
# No collectstatic here: the 404 page's stylesheet link needs no manifest.
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}).enable()
client = Client(HTTP_HOST="shop.example")
answers = {}
for path in PATHS:
    response = client.get("/media/" + path, secure=True)
    answers[path] = {
        "status": response.status_code,
        "type": response.get("Content-Type"),
        "nosniff": response.get("X-Content-Type-Options"),
        "cache": response.get("Cache-Control"),
        "csp": response.get("Content-Security-Policy"),
        "bytes": len(b"".join(response.streaming_content)) if response.streaming else 0,
    }
print(json.dumps(answers))
"""


def jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def webp() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 90, 40)).save(out, "WEBP")
    return out.getvalue()


def served(media_root: Path, files: dict[str, bytes], paths: list[str]) -> dict[str, dict]:
    for name, content in files.items():
        target = media_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    result = settings_of(
        "marketmate.settings.production",
        f"\nPATHS = {paths!r}\n" + PROBE,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL=database_url_of_test_run(),
        MEDIA_ROOT=str(media_root),
        DATABASE_POOL_MAX_SIZE="0",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_without_s3_production_serves_product_photos_and_thumbnails(tmp_path: Path) -> None:
    photo, thumbnail = jpeg(), webp()

    answers = served(
        tmp_path,
        {"products/7/abc.jpg": photo, "products/7/thumbs/3-600.webp": thumbnail},
        ["products/7/abc.jpg", "products/7/thumbs/3-600.webp"],
    )

    assert answers["products/7/abc.jpg"] == {
        "status": 200,
        "type": "image/jpeg",
        "nosniff": "nosniff",
        "cache": "public, max-age=31536000, immutable",
        "csp": "default-src 'none'; sandbox",
        "bytes": len(photo),
    }
    assert answers["products/7/thumbs/3-600.webp"]["type"] == "image/webp"
    assert answers["products/7/thumbs/3-600.webp"]["bytes"] == len(thumbnail)


@pytest.mark.django_db
def test_production_refuses_uploads_that_are_not_the_image_they_claim_or_not_public(
    tmp_path: Path,
) -> None:
    page = b"<html><script>alert(1)</script></html>"

    answers = served(
        tmp_path,
        {
            "products/7/evil.jpg": page,
            "products/7/evil.html": page,
            "products/7/evil.svg": b"<svg onload='alert(1)'/>",
            "invoices/2026/01/INV-1.pdf": b"%PDF-1.4",
            "secret.jpg": jpeg(),
        },
        [
            "products/7/evil.jpg",
            "products/7/evil.html",
            "products/7/evil.svg",
            "invoices/2026/01/INV-1.pdf",
            "secret.jpg",
            "products/../secret.jpg",
            "products/7/missing.jpg",
        ],
    )

    assert {path: answer["status"] for path, answer in answers.items()} == {
        "products/7/evil.jpg": 404,
        "products/7/evil.html": 404,
        "products/7/evil.svg": 404,
        "invoices/2026/01/INV-1.pdf": 404,
        "secret.jpg": 404,
        "products/../secret.jpg": 404,
        "products/7/missing.jpg": 404,
    }


def test_with_s3_production_leaves_uploads_to_the_bucket(tmp_path: Path) -> None:
    result = settings_of(
        "marketmate.settings.production",
        "\nfrom django.urls import resolve, Resolver404\n"
        "try:\n    print(resolve('/media/products/1/a.jpg').url_name)\n"
        "except Resolver404:\n    print('none')\n",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        AWS_STORAGE_BUCKET_NAME="mm-media",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "none"
