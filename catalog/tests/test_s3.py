"""The image pipeline against S3: a moto server on loopback, reached over real HTTP."""

from io import BytesIO

import boto3
import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from PIL import Image

from catalog.models import ProductImage
from catalog.selectors import image_urls
from catalog.tests.factories import ProductFactory
from catalog.tests.images import image_upload
from shops.tests.team import Team

pytestmark = pytest.mark.django_db


def test_upload_and_thumbnails_are_stored_in_the_s3_bucket(
    team: Team, s3_storage: str, moto_server: str, settings
) -> None:
    product = ProductFactory(shop=team.shop)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = team.client("owner").post(
            f"/api/v1/products/{product.pk}/images",
            {"image": image_upload(size=(900, 700), exif=True), "alt_text": "Blue bowl"},
            format="multipart",
        )

    assert response.status_code == 201, response.json()
    image = ProductImage.objects.get()
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=s3_storage)["Contents"])
    assert keys == sorted(
        [image.original.name]
        + [name for files in image.thumbnails.values() for name in files.values()]
    )
    assert len(keys) == 7
    original = s3.get_object(Bucket=s3_storage, Key=image.original.name)["Body"].read()
    assert dict(Image.open(BytesIO(original)).getexif()) == {}
    thumb = s3.get_object(Bucket=s3_storage, Key=image.thumbnails["600"]["webp"])["Body"].read()
    assert Image.open(BytesIO(thumb)).size == (600, 467)
    body = response.json()
    assert body["url"] == f"{moto_server}/{s3_storage}/{image.original.name}"

    assert type(default_storage._wrapped).__name__ == "S3Storage"

    settings.AWS_S3_CUSTOM_DOMAIN = "cdn.marketmate.test"
    settings.STORAGES = {**settings.STORAGES}  # a new storage object reads the new domain
    urls = image_urls(image=image)
    assert urls["original"] == f"https://cdn.marketmate.test/{image.original.name}"
