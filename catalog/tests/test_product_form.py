"""The product form: the first photo goes with the new product, and categories are tick boxes
that a search box filters (in chromium, on a phone and a desktop)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import Product, ProductImage
from catalog.tests.factories import CategoryFactory
from catalog.tests.images import image_bytes, image_upload
from catalog.tests.product_forms import product_form_data
from marketmate.tests.browser import VIEWPORTS, signed_in_page
from shops.tests.factories import ShopFactory
from shops.tests.team import Team


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_new_product_is_saved_with_its_first_photo_and_categories(team: Team) -> None:
    mugs = CategoryFactory(name="Mugs", slug="mugs")
    CategoryFactory(name="Bowls", slug="bowls")

    response = _client(team.staff).post(
        "/dashboard/products/create/",
        product_form_data(
            categories=[mugs.pk],
            **{"photo-image": image_upload(), "photo-alt_text": "A bowl on a table"},
        ),
        follow=True,
    )

    product = Product.objects.get(shop=team.shop)
    image = ProductImage.objects.get(product=product)
    assert image.alt_text == "A bowl on a table"
    assert list(product.categories.all()) == [mugs]
    assert response.redirect_chain == [(f"/dashboard/products/{product.pk}/update/", 302)]
    assert "Product created with its photo." in response.text
    assert 'type="checkbox" name="categories"' in response.text


@pytest.mark.django_db
def test_a_refused_photo_still_creates_the_product_and_says_why(team: Team) -> None:
    response = _client(team.staff).post(
        "/dashboard/products/create/",
        product_form_data(**{"photo-image": SimpleUploadedFile("x.jpg", b"not an image")}),
        follow=True,
    )

    product = Product.objects.get(shop=team.shop)
    assert not ProductImage.objects.filter(product=product).exists()
    assert "Product created, but its photo was refused" in response.text


@pytest.mark.django_db
def test_the_upload_script_is_told_where_to_go(team: Team) -> None:
    response = _client(team.staff).post(
        "/dashboard/products/create/",
        product_form_data(**{"photo-image": image_upload()}),
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )

    product = Product.objects.get(shop=team.shop)
    assert response.json() == {"redirect": f"/dashboard/products/{product.pk}/update/"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_vendor_creates_a_product_with_a_photo_and_a_searched_category(
    browser, live_server, artifacts_dir: Path, tmp_path: Path, viewport: str
) -> None:
    shop = ShopFactory(name="Harbour Ceramics")
    for name in ("Bowls", "Mugs", "Plates", "Teapots", "Vases", "Candles", "Linen"):
        CategoryFactory(name=name, slug=f"{name.lower()}-{viewport}")
    page = signed_in_page(browser, live_server, shop.owner, viewport)
    photo = tmp_path / "teapot.jpg"
    photo.write_bytes(image_bytes(size=(1200, 900)))
    shots = artifacts_dir / "dashboard"
    shots.mkdir(exist_ok=True)

    page.goto(live_server.url + "/dashboard/products/create/")
    page.get_by_label("Title", exact=True).fill("Stoneware teapot")
    page.get_by_label("Price", exact=True).fill("64.00")
    page.get_by_label("Search categories").fill("tea")
    assert page.get_by_label("Teapots").is_visible()
    assert not page.get_by_label("Bowls").is_visible()
    page.get_by_label("Teapots").check()
    page.get_by_label("Search categories").fill("")
    page.locator("#id_photo-image").set_input_files(str(photo))
    page.get_by_label("Alt text").fill("A teapot")
    page.screenshot(path=str(shots / f"product-create-{viewport}.png"), full_page=True)
    page.get_by_role("button", name="Save product").click()
    page.wait_for_url("**/update/")

    page.screenshot(path=str(shots / f"product-created-{viewport}.png"), full_page=True)
    product = Product.objects.get(shop=shop)
    assert [category.name for category in product.categories.all()] == ["Teapots"]
    assert ProductImage.objects.get(product=product).alt_text == "A teapot"
    assert page.get_by_text("Product created with its photo.").is_visible()
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_vendor_adds_option_rows_and_variant_rows_and_sees_a_bad_row_marked(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    shop = ShopFactory(name="Harbour Ceramics")
    page = signed_in_page(browser, live_server, shop.owner, viewport)
    shots = artifacts_dir / "dashboard"
    shots.mkdir(exist_ok=True)

    page.goto(live_server.url + "/dashboard/products/create/")
    page.get_by_label("Title", exact=True).fill("Linen apron")
    page.get_by_label("Price", exact=True).fill("30.00")
    # The variant row has no option fields until options are named.
    assert not page.locator("#id_variants-0-option_1").is_visible()
    page.locator("#id_options-0-name").fill("Size")
    page.locator("#id_options-0-values").fill("S, M, L")
    page.get_by_role("button", name="Add another option").click()
    page.locator("#id_options-1-name").fill("Colour")
    page.locator("#id_options-1-values").fill("Red, Blue")
    assert page.locator("label[for=id_variants-0-option_2]").inner_text() == "Colour"
    rows = [("S", "Red", "", "3"), ("M", "Blue", "35.50", "0"), ("XL", "Blue", "", "12")]
    for index, (size, colour, price, stock) in enumerate(rows):
        if index:
            page.get_by_role("button", name="Add another variant").click()
        page.locator(f"#id_variants-{index}-option_1").fill(size)
        page.locator(f"#id_variants-{index}-option_2").fill(colour)
        page.locator(f"#id_variants-{index}-price").fill(price)
        page.locator(f"#id_variants-{index}-inventory_count").fill(stock)
    # A row added by mistake goes again with its Remove button.
    page.get_by_role("button", name="Add another variant").click()
    page.locator("#id_variants-3-option_1").fill("XL")
    page.locator("[data-variant-list] li").nth(3).get_by_role("button", name="Remove").click()
    assert page.locator("#id_variants-3-option_1").count() == 0
    page.screenshot(path=str(shots / f"product-options-{viewport}.png"), full_page=True)
    page.get_by_role("button", name="Save product").click()
    page.wait_for_load_state()

    # The size that is not one of the listed values is marked on its own field.
    error = page.locator("#id_variants-2-option_1 ~ .errorlist")
    assert error.inner_text() == "XL is not one of: S, M, L."
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"product-options-error-{viewport}.png"), full_page=True)
    assert not Product.objects.filter(shop=shop).exists()
    page.locator("#id_variants-2-option_1").fill("L")
    page.get_by_role("button", name="Save product").click()
    page.wait_for_url("**/update/")

    product = Product.objects.get(shop=shop)
    assert [(v.options, v.inventory_count) for v in product.variants.all()] == [
        ({"size": "S", "colour": "Red"}, 3),
        ({"size": "M", "colour": "Blue"}, 0),
        ({"size": "L", "colour": "Blue"}, 12),
    ]
    # Two options and the empty row make three, the most there can be.
    assert page.locator("[data-option-row]").count() == 3
    assert not page.get_by_role("button", name="Add another option").is_visible()
    page.screenshot(path=str(shots / f"product-options-saved-{viewport}.png"), full_page=True)
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_option_rows_work_without_javascript(browser, live_server) -> None:
    shop = ShopFactory(name="Harbour Ceramics")
    page = signed_in_page(browser, live_server, shop.owner, "phone", java_script_enabled=False)
    page.goto(live_server.url + "/dashboard/products/create/")
    # Buttons that need the script are not offered without it.
    assert not page.get_by_role("button", name="Add another variant").is_visible()
    assert not page.get_by_role("button", name="Remove").first.is_visible()
    page.get_by_label("Title", exact=True).fill("Linen apron")
    page.get_by_label("Price", exact=True).fill("30.00")
    page.locator("#id_options-0-name").fill("Size")
    page.locator("#id_options-0-values").fill("S, M")
    page.get_by_role("button", name="Save product").click()
    # Saved once: the row now asks for its size, under the option's name.
    assert page.locator("#id_variants-0-option_1 ~ .errorlist").inner_text() == (
        "Choose a value for Size."
    )
    page.get_by_label("Size").fill("M")
    page.get_by_role("button", name="Save product").click()
    page.wait_for_url("**/update/")
    assert [v.options for v in Product.objects.get(shop=shop).variants.all()] == [{"size": "M"}]
    page.context.close()
