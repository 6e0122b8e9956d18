"""The search page's price bands name the currency of the prices they filter on."""

from decimal import Decimal as D
from pathlib import Path

import pytest
from django.test import Client
from waffle.testutils import override_flag

from catalog.models import Product
from catalog.search import search_vector_update
from catalog.tests.factories import ProductFactory
from marketmate.currency import DISPLAY_CURRENCY_COOKIE, exchange_rates_store
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

# 1 EUR = 1.25 USD
EUR_TABLE = {"base": "EUR", "rates": {"USD": "1.25"}}


def _bands(html: str) -> list[str]:
    import re

    return re.findall(r"<span data-price-band>(.*?)</span>", html)


def _mugs(currency: str = "USD", other: str | None = None) -> None:
    shop = ShopFactory(name="Mugs", currency=currency)
    ProductFactory(shop=shop, title="Small mug", price=D("12.00"))
    ProductFactory(shop=shop, title="Big mug", price=D("30.00"))
    if other:
        ProductFactory(
            shop=ShopFactory(name="Tazas", currency=other), title="Blue mug", price=D("9.00")
        )
    search_vector_update(product_ids=Product.objects.values_list("pk", flat=True))


def test_the_bands_name_the_currency_of_the_prices(client: Client) -> None:
    _mugs()

    html = client.get("/search/", {"q": "mug"}).content.decode()

    assert _bands(html) == ["Under $25.00", "$25.00\u2013$50.00"]
    assert "data-price-band-approx" not in html


def test_a_chosen_band_is_named_in_the_chip_and_filters_on_the_shops_price(client: Client) -> None:
    _mugs()

    html = client.get("/search/", {"q": "mug", "price": "0-25"}).content.decode()

    assert "Small mug" in html and "Big mug" not in html
    assert "<span>Price: Under $25.00</span>" in html  # the chip, not "Price: 0-25"


def test_the_bands_are_in_spanish_money(client: Client) -> None:
    _mugs()

    html = client.get("/search/", {"q": "mug"}, headers={"Accept-Language": "es"}).content.decode()

    assert _bands(html)[0] == "Menos de 25,00\xa0US$"


@pytest.mark.parametrize("active", [True, False])
def test_with_a_display_currency_the_bounds_are_converted_beside_the_shops(
    client: Client, active: bool
) -> None:
    exchange_rates_store(data=EUR_TABLE)
    _mugs()
    client.cookies[DISPLAY_CURRENCY_COOKIE] = "EUR"

    with override_flag("display_currency", active=active):
        html = client.get("/search/", {"q": "mug"}).content.decode()
        filtered = client.get("/search/", {"q": "mug", "price": "0-25"}).content.decode()

    # The band still filters on the shop's dollars; its euros are the same rate as the cards'.
    assert _bands(html) == ["Under $25.00", "$25.00\u2013$50.00"]
    assert ("≈ €20.00</span>" in html and "≈ €20.00\u2013€40.00</span>" in html) is active
    assert ("data-price-band-approx" in html) is active
    assert "Small mug" in filtered and "Big mug" not in filtered


def test_mixed_currencies_get_bare_numbers_and_say_so(client: Client) -> None:
    exchange_rates_store(data=EUR_TABLE)
    _mugs(other="EUR")
    client.cookies[DISPLAY_CURRENCY_COOKIE] = "GBP"

    html = client.get("/search/", {"q": "mug"}).content.decode()

    assert _bands(html) == ["Under 25.00", "25.00\u201350.00"]
    assert "These products are priced in EUR, USD" in html
    assert "data-price-band-approx" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_shopper_picks_a_currency_in_the_footer_and_the_price_filter_follows(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, language: str
) -> None:
    exchange_rates_store(data=EUR_TABLE)
    _mugs()
    context = browser.new_context(locale=language, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    expected = {
        "en": ("Under $25.00", "≈ €20.00", "Currency", "Converted prices are approximate."),
        "es": ("Menos de 25,00\xa0US$", "≈ 20,00\xa0€", "Moneda", "Los precios convertidos"),
    }[language]

    # No flag set by the test: the picker is there by default.
    page.goto(live_server.url + "/search/?q=mug")
    before = page.inner_text("[data-price-band] >> nth=0")
    note = page.inner_text("[data-testid=currency-note]")
    with page.expect_navigation():
        page.select_option("#display-currency-select", "EUR")
    after = page.inner_text("[data-price-band-approx] >> nth=0")
    label = page.inner_text("label[for=display-currency-select]")
    for name, (width, height) in {"phone": (390, 844), "desktop": (1366, 900)}.items():
        page.set_viewport_size({"width": width, "height": height})
        if name == "phone":
            page.click("[data-drawer-open]")
            page.wait_for_timeout(500)  # the drawer slides in
        page.screenshot(
            path=str(artifacts_dir / f"search-price-filter-currency-{language}-{name}.png"),
            full_page=name == "desktop",
        )
        if name == "phone":
            page.keyboard.press("Escape")
        page.locator("footer").screenshot(
            path=str(artifacts_dir / f"footer-currency-{language}-{name}.png")
        )
    url = page.url
    context.close()

    assert (before, after, label) == expected[:3]
    assert note.startswith(expected[3])
    assert url.endswith("/search/?q=mug")
