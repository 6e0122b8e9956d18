"""A vendor's first steps in a real chromium: open a shop, add a product with two variants and
an image, and see its thumbnail once the job has made it."""

from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from catalog.models import Product, ProductImage
from catalog.tests.images import image_bytes
from marketmate.tests.browser import screenshots, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media_served(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "catalog.tests.urls_with_media"


def test_a_vendor_opens_a_shop_and_adds_a_product_with_variants_and_an_image(
    browser, live_server, artifacts_dir: Path, tmp_path: Path, media_served: None
) -> None:
    vendor = UserFactory(name="Vera Vendor")
    page = signed_in_page(browser, live_server, vendor, "desktop")

    # Open a shop.
    page.goto(live_server.url + "/dashboard/")
    screenshots(page, artifacts_dir, "dashboard-empty")
    page.get_by_role("link", name="Open a shop").first.click()
    page.get_by_label("Shop name").fill("Harbour Ceramics")
    page.get_by_label("What do you sell?").fill("Hand-thrown mugs and bowls.")
    page.locator("main").get_by_label("Currency").select_option("EUR")  # not the footer's
    page.get_by_role("button", name="Open shop").click()
    page.wait_for_url(live_server.url + "/dashboard/")
    assert page.locator("h1").inner_text() == "Harbour Ceramics"

    # Add a product with two variants; the second row comes from "Add another variant".
    page.get_by_role("link", name="Add product").first.click()
    page.get_by_label("Title", exact=True).fill("Speckled Mug")
    page.get_by_label("Price", exact=True).fill("24.00")
    page.get_by_label("Status", exact=True).select_option("active")
    page.locator("#id_options-0-name").fill("size")
    page.locator("#id_options-0-values").fill("Small, Large")
    page.locator("#id_variants-0-option_1").fill("Small")
    page.locator("#id_variants-0-inventory_count").fill("6")
    page.get_by_role("button", name="Add another variant").click()
    page.locator("#id_variants-1-option_1").fill("Large")
    page.locator("#id_variants-1-price").fill("28.00")
    page.locator("#id_variants-1-inventory_count").fill("2")
    screenshots(page, artifacts_dir, "dashboard-product-create")
    page.get_by_role("button", name="Save product").click()
    page.wait_for_url("**/update/")
    product = Product.objects.get(shop__owner=vendor)
    assert [(v.options, v.inventory_count) for v in product.variants.all()] == [
        ({"size": "Small"}, 6),
        ({"size": "Large"}, 2),
    ]

    # Upload an image; the card refreshes with the thumbnail the job made.
    photo = tmp_path / "mug.jpg"
    photo.write_bytes(image_bytes(size=(1400, 1000)))
    page.locator("#id_image").set_input_files(str(photo))
    page.locator("#id_alt_text").fill("A speckled mug on a shelf")
    page.get_by_role("button", name="Upload image").click()
    thumbnail = page.locator(".image-tile img.thumb")
    thumbnail.wait_for(state="visible")
    page.wait_for_function(
        "() => { const i = document.querySelector('.image-tile img.thumb');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    image = ProductImage.objects.get(product=product)
    assert thumbnail.get_attribute("alt") == "A speckled mug on a shelf"
    assert thumbnail.evaluate("img => img.currentSrc").endswith(f"/{image.pk}-200.webp")
    assert page.locator("[data-upload-status]").inner_text() == "Image added."
    screenshots(page, artifacts_dir, "dashboard-product-update")

    # The list shows the thumbnail too; the inventory page shows both variants.
    page.get_by_role("link", name="Products", exact=True).click()
    page.wait_for_function(
        "() => { const i = document.querySelector('.product-table img.thumb');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    screenshots(page, artifacts_dir, "dashboard-product-list")
    page.get_by_role("link", name="Inventory", exact=True).click()
    assert page.locator(".inventory-table tbody tr").count() == 2
    assert page.locator(".inventory-table tr.row--low").count() == 1
    screenshots(page, artifacts_dir, "dashboard-inventory")
    page.goto(live_server.url + "/dashboard/")
    screenshots(page, artifacts_dir, "dashboard-overview")
    page.context.close()
