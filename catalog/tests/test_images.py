from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from PIL import Image

from catalog.models import ProductImage
from catalog.tests.factories import ProductFactory
from catalog.tests.images import image_bytes, image_upload, png_bomb
from marketmate.models import JobRecord
from shops.tests.team import ACTORS, Team

pytestmark = pytest.mark.django_db


def _upload(team: Team, actor: str, product, upload, alt_text: str = "A red mug"):
    # What waits for the commit (the thumbnails job) runs as the request's transaction ends.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return team.client(actor).post(
            f"/api/v1/products/{product.pk}/images",
            {"image": upload, "alt_text": alt_text},
            format="multipart",
        )


def test_an_upload_is_stored_clean_and_thumbnailed_by_the_job(team: Team) -> None:
    product = ProductFactory(shop=team.shop)

    response = _upload(team, "staff", product, image_upload(size=(1600, 1200), exif=True))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["alt_text"], body["width"], body["height"], body["position"]) == (
        "A red mug",
        1600,
        1200,
        1,
    )
    image = ProductImage.objects.get(pk=body["id"])
    with default_storage.open(image.original.name) as handle:
        stored = Image.open(BytesIO(handle.read()))
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
    # The job ran (eagerly, after commit) and recorded every size in both formats.
    assert sorted(image.thumbnails, key=int) == ["200", "600", "1200"]
    for size, files in image.thumbnails.items():
        assert sorted(files) == ["jpeg", "webp"]
        with default_storage.open(files["webp"]) as handle:
            thumb = Image.open(BytesIO(handle.read()))
            assert thumb.format == "WEBP"
            assert max(thumb.size) == int(size)
    job = JobRecord.objects.get(name="catalog.image_thumbnails_task")
    assert job.status == JobRecord.Status.SUCCEEDED
    detail = team.client("anonymous").get(f"/api/v1/products/{product.pk}").json()
    assert detail["images"][0]["thumbnails"]["200"]["webp"].endswith(f"{image.pk}-200.webp")


def test_a_small_image_is_not_upscaled(team: Team) -> None:
    product = ProductFactory(shop=team.shop)

    _upload(team, "owner", product, image_upload(name="tiny.png", size=(150, 100), format="PNG"))

    image = ProductImage.objects.get()
    with default_storage.open(image.thumbnails["1200"]["jpeg"]) as handle:
        assert Image.open(BytesIO(handle.read())).size == (150, 100)


UPLOAD_EXPECTED = {
    "owner": 201,
    "manager": 201,
    "staff": 201,
    "other_vendor": 404,
    "buyer": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_image_upload_permission_matrix(team: Team, actor: str) -> None:
    product = ProductFactory(shop=team.shop)

    response = _upload(team, actor, product, image_upload(size=(40, 40)))

    assert response.status_code == UPLOAD_EXPECTED[actor]
    assert ProductImage.objects.exists() is (UPLOAD_EXPECTED[actor] == 201)


def test_a_file_that_is_not_an_image_is_refused(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")

    response = _upload(team, "owner", product, fake)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_image",
        "message": "The file is not an image, or it is damaged.",
        "fields": {"image": ["The file is not an image, or it is damaged."]},
    }
    assert not ProductImage.objects.exists()


def test_an_image_of_a_format_that_is_not_allowed_is_refused(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    gif = SimpleUploadedFile(
        "anim.gif", image_bytes(size=(20, 20), format="GIF"), content_type="image/gif"
    )

    response = _upload(team, "owner", product, gif)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "image": ["GIF images are not accepted; upload a JPEG, PNG or WebP."]
    }


@override_settings(CATALOG_IMAGE_MAX_BYTES=2000)
def test_a_file_that_is_too_large_is_refused(team: Team) -> None:
    product = ProductFactory(shop=team.shop)

    response = _upload(team, "owner", product, image_upload(size=(1200, 1200)))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "image": ["The file is too large: images may be up to 2.0\xa0KB."]
    }


def test_a_decompression_bomb_is_refused_before_it_is_decoded(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    bomb = SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png")
    assert bomb.size < 1000

    response = _upload(team, "owner", product, bomb)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "image": ["The image has too many pixels (at most 40 million); make it smaller."]
    }
    assert not ProductImage.objects.exists()


def test_images_are_reordered_renamed_and_removed(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    first = _upload(team, "owner", product, image_upload(size=(30, 30))).json()["id"]
    second = _upload(team, "owner", product, image_upload(size=(30, 30))).json()["id"]
    client = team.client("staff")

    ordered = client.post(
        f"/api/v1/products/{product.pk}/images/order",
        {"image_ids": [second, first]},
        format="json",
    )
    renamed = client.patch(
        f"/api/v1/products/{product.pk}/images/{first}", {"alt_text": "Side"}, format="json"
    )
    bad_order = client.post(
        f"/api/v1/products/{product.pk}/images/order", {"image_ids": [first]}, format="json"
    )
    name = ProductImage.objects.get(pk=second).original.name
    with TestCase.captureOnCommitCallbacks(execute=True):
        removed = client.delete(f"/api/v1/products/{product.pk}/images/{second}")

    assert [image["id"] for image in ordered.json()] == [second, first]
    assert renamed.json()["alt_text"] == "Side"
    assert bad_order.status_code == 400
    assert removed.status_code == 204
    assert list(product.images.values_list("pk", flat=True)) == [first]
    assert not default_storage.exists(name)


def test_the_thumbnail_job_is_idempotent(team: Team) -> None:
    from catalog.tasks import image_thumbnails_task

    product = ProductFactory(shop=team.shop)
    _upload(team, "owner", product, image_upload(size=(300, 300)))
    image = ProductImage.objects.get()
    before = image.thumbnails

    assert image_thumbnails_task.run(image_id=image.pk) is True
    image.refresh_from_db()

    assert image.thumbnails == before
    assert image_thumbnails_task.run(image_id=999999) is False


@override_settings(CATALOG_IMAGE_MAX_PIXELS=10_000_000_000)
def test_a_bomb_past_pillows_own_limit_is_refused_too(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    bomb = SimpleUploadedFile("bomb.png", png_bomb(width=65_000, height=65_000))

    response = _upload(team, "owner", product, bomb)

    assert response.status_code == 400
    assert "too many pixels" in response.json()["error"]["message"]
