"""The thumbnails job on a real Celery worker, through the Redis broker (not eager)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from catalog.models import ProductImage
from catalog.tests.factories import ProductFactory
from catalog.tests.images import image_upload
from marketmate.celery import app
from marketmate.models import JobRecord
from shops.tests.team import team_build


@pytest.fixture
def real_worker(transactional_db: None):  # type: ignore[no-untyped-def]
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.mark.worker
def test_an_uploaded_image_is_thumbnailed_by_a_worker(real_worker: None) -> None:
    team = team_build()
    product = ProductFactory(shop=team.shop)

    response = team.client("owner").post(
        f"/api/v1/products/{product.pk}/images",
        {"image": image_upload(size=(900, 900)), "alt_text": ""},
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["thumbnails"] == {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = JobRecord.objects.filter(name="catalog.image_thumbnails_task").first()
        if job is not None and job.status == JobRecord.Status.SUCCEEDED:
            break
        time.sleep(0.1)
    image = ProductImage.objects.get(product=product)
    assert sorted(image.thumbnails, key=int) == ["200", "600", "1200"]
