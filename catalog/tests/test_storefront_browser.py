"""A shopper in a real chromium: search, narrow with two facets, open a product, pick a variant
and see its price and stock; screenshots of the home, search and product pages."""

from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from demo.services import catalog_demo_seed
from marketmate.tests.browser import VIEWPORTS, screenshots, signed_in_context
from shops.models import Shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_store(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "catalog.tests.urls_with_media"
    catalog_demo_seed(owner=UserFactory())


def test_search_two_facets_product_and_variant(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None
) -> None:
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.goto(live_server.url + "/")
    assert page.locator(".product-card").count() == 8
    screenshots(page, artifacts_dir, "store-home")

    page.set_viewport_size(VIEWPORTS["desktop"])
    page.fill("#site-search", "ceramic")
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    assert "results for “ceramic”" in page.inner_text(".search-page__summary")

    page.click(".facet a:has-text('Tableware')")
    page.wait_for_url("**category=home-kitchen-tableware**")
    page.click(".facet a:has-text('handmade')")
    page.wait_for_url("**tag=handmade**")
    chips = page.locator(".chip--active > span:first-child").all_inner_texts()
    assert chips == ["Category: Tableware", "Tag: handmade"]
    assert page.locator(".chip--active").first.get_attribute("aria-label") == (
        "Remove filter Category: Tableware"
    )
    assert page.locator(".product-card").count() == 1
    screenshots(page, artifacts_dir, "store-search")

    page.set_viewport_size(VIEWPORTS["desktop"])
    with page.expect_navigation():
        page.click(".product-card__link")
    assert page.inner_text("h1") == "Speckled Stoneware Mug"
    assert page.inner_text("[data-variant-price]") == "$24.00"
    assert page.inner_text("[data-variant-stock]") == "14 in stock"

    # One row of buttons per option; the choice moves price, stock and the URL, no reload.
    assert page.locator("[data-option] .variant-option__label").all_inner_texts() == ["Size: Small"]
    page.click("[data-option='size'] [data-option-value='Large']")
    assert page.inner_text("[data-variant-price]") == "$28.00"
    assert page.inner_text("[data-variant-stock]") == "3 in stock"
    large = page.locator("[data-variant-input]").input_value()
    assert page.url.endswith(f"?variant={large}")
    assert page.get_attribute("[data-option-value='Large']", "aria-current") == "true"
    image = page.locator("[data-gallery-main]")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshots(page, artifacts_dir, "store-product")

    # Add two with htmx: the panel shows what was added, the form keeps the choice.
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.fill("#quantity", "2")
    page.click("[data-add-button]")
    panel = page.locator("[data-cart-added]")
    panel.wait_for()
    assert "Size: Large" in panel.inner_text() and "2 in your cart" in panel.inner_text()
    page.locator("#mini-cart .mini-cart__count [aria-hidden]", has_text="2").wait_for()
    assert page.locator("#quantity").input_value() == "2"
    assert page.locator("[data-variant-input]").input_value() == large
    assert page.url.endswith(f"?variant={large}")
    screenshots(page, artifacts_dir, "store-product-added")
    page.keyboard.press("Escape")
    assert panel.count() == 0

    # The reload keeps the variant the URL holds; the cart shows the photo and the option.
    page.reload()
    assert page.inner_text("[data-variant-price]") == "$28.00"
    page.goto(live_server.url + "/cart/")
    line = page.locator(".cart-line")
    assert "Size: Large" in line.inner_text() and "MUG" not in line.inner_text()
    assert line.locator(".line-thumb img").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshots(page, artifacts_dir, "store-cart")
    page.close()


def test_without_javascript_the_option_links_and_the_cart_form_still_work(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/search/?q=speckled")
    with page.expect_navigation():
        page.click(".product-card__link >> nth=0")

    with page.expect_navigation():
        page.click("[data-option='size'] [data-option-value='Large']")
    assert page.inner_text("[data-variant-price]") == "$28.00"
    page.fill("#quantity", "2")
    with page.expect_navigation():
        page.click("[data-add-button]")

    assert "Added to your cart." in page.inner_text(".messages")
    assert "?variant=" in page.url
    assert page.inner_text("[data-variant-price]") == "$28.00"
    page.screenshot(path=str(artifacts_dir / "store-product-added-nojs-phone.png"), full_page=True)
    context.close()


def test_header_autocomplete_with_the_keyboard(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None
) -> None:
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    page.goto(live_server.url + "/")
    box = page.locator("#site-search")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"

    box.fill("mu")
    listbox = page.locator("#site-search-suggestions")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = page.locator("#site-search-suggestions [role=option]")
    assert "Speckled Stoneware Mug" in options.all_inner_texts()
    page.screenshot(path=str(artifacts_dir / "store-autocomplete-phone.png"))

    box.press("ArrowDown")
    first = options.first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"

    box.fill("")
    box.type("mug", delay=30)
    listbox.wait_for(state="visible")
    target = page.locator(
        "#site-search-suggestions [role=option]", has_text="Speckled Stoneware Mug"
    )
    position = options.all_inner_texts().index("Speckled Stoneware Mug")
    for _ in range(position + 1):
        box.press("ArrowDown")
    assert target.get_attribute("aria-selected") == "true"
    with page.expect_navigation():
        box.press("Enter")
    assert page.inner_text("h1") == "Speckled Stoneware Mug"
    page.close()


def test_on_a_phone_the_filters_are_a_drawer(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None
) -> None:
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    page.goto(live_server.url + "/search/?q=ceramic")
    page.wait_for_selector("html.js-drawers", state="attached")
    toggle = page.locator("[data-drawer-open]")
    drawer = page.locator("#search-facets")
    assert drawer.is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"

    toggle.click()
    drawer.locator(".facet").first.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.wait_for_timeout(300)  # the slide-in
    page.screenshot(path=str(artifacts_dir / "store-search-filters-phone.png"))
    page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")

    toggle.click()
    page.click(".facet a:has-text('Tableware')")
    page.wait_for_url("**category=home-kitchen-tableware**")
    assert "Filters (1)" in page.locator("[data-drawer-open]").inner_text()
    # The results come back with the drawer closed (once htmx has settled the swap).
    page.locator("#search-facets").wait_for(state="hidden")
    assert page.locator("[data-drawer-open]").get_attribute("aria-expanded") == "false"

    page.set_viewport_size(VIEWPORTS["desktop"])
    assert page.locator("[data-drawer-open]").is_hidden()
    assert page.locator("#search-facets").is_visible()
    page.close()


def test_a_typo_shows_the_results_of_the_closest_catalog_words(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None
) -> None:
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.goto(live_server.url + "/")
    page.fill("#site-search", "cermaic")
    with page.expect_navigation():
        page.press("#site-search", "Enter")

    assert "results for “ceramic”" in page.inner_text(".search-page__summary")
    assert page.inner_text(".search-page__suggestion") == (
        "No results for “cermaic”: these match the closest words in the catalog."
    )
    assert page.locator(".product-card").count() > 0
    screenshots(page, artifacts_dir, "store-search-typo")


def test_no_page_scrolls_sideways_on_a_320_pixel_screen_in_any_language(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None
) -> None:
    # German and Spanish have the longest words: the hero's "independientes", the sort's
    # "Ordenar por" beside "Precio: de menor a mayor", "Benachrichtigungseinstellungen", a file
    # input's "no file chosen" in the product form. Tables scroll inside their own box, with
    # the hidden labels of their cells.
    vendor = Shop.objects.order_by("pk").first().owner
    for language in ("en", "de", "es"):
        context = signed_in_context(
            browser, live_server, vendor, "phone", extra_http_headers={"Accept-Language": language}
        )
        page = context.new_page()
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(live_server.url + "/")
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.pathname)")
        category = next(path for path in links if path.startswith("/c/"))
        product = next(path for path in links if path.startswith("/p/"))
        paths = ["/", "/search/?q=ceramic&sort=price_asc", category, product]
        account = ["/notifications/", "/notifications/preferences/", "/dashboard/products/create/"]
        for path in [*paths, *account]:
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (language, path, width)
        assert page.locator("input[type=file]").count() == 1  # the product form, with its photo
        page.goto(live_server.url + "/search/?q=ceramic&sort=price_asc")
        for selector in ("label[for=search-sort]", "#search-sort"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, (
                language,
                selector,
                box,
            )
        page.screenshot(path=str(artifacts_dir / f"store-search-320-{language}.png"))
        context.close()
