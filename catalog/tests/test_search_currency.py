"""The search page's price bands name the currency of the prices they filter on: the shop's,
or the shopper's display currency, when they then compare the approximate prices shown."""

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.test import Client
from waffle.testutils import override_flag

from catalog import search
from catalog.models import Product
from catalog.search import search_vector_update
from catalog.tests.factories import ProductFactory
from marketmate.currency import DISPLAY_CURRENCY_COOKIE, exchange_rates_store, price_convert
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

# 1 EUR = 1.25 USD
EUR_TABLE = {"base": "EUR", "rates": {"USD": "1.25"}}


def _bands(html: str) -> list[str]:
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


def _titles(html: str) -> list[str]:
    return sorted(re.findall(r'<h3 class="product-card__title">(.*?)</h3>', html))


def _approximate_prices(html: str) -> dict[str, D]:
    """Each card's title and the approximate euro price it shows (after "≈ €")."""
    cards = re.findall(
        r'product-card__title">(.*?)</h3>.*?≈ €([\d.,]+)</span>', html, flags=re.DOTALL
    )
    return {title: D(amount.replace(",", "")) for title, amount in cards}


def test_price_bounds_in_another_currency_follow_the_approximate_prices() -> None:
    # 1 EUR = 1.25 USD: $31.24 shows as ≈ €24.99, $31.25 as ≈ €25.00. 1 EUR = 160 JPY.
    rates = {("EUR", "USD"): D("1.25"), ("EUR", "JPY"): D("160")}

    bands = search.price_bands_in(display="EUR", rates=rates)

    assert bands.per_currency["EUR"][0] == ("0-25", None, D("25"))
    assert bands.per_currency["USD"][:2] == [
        ("0-25", None, D("31.25")),
        ("25-50", D("31.25"), D("62.50")),
    ]
    assert bands.per_currency["JPY"][0] == ("0-25", None, D("3999.20"))
    assert price_convert(amount=D("31.24"), base="USD", quote="EUR", rates=rates) == D("24.99")
    assert price_convert(amount=D("3999.19"), base="JPY", quote="EUR", rates=rates) == D("24.99")
    assert price_convert(amount=D("3999.20"), base="JPY", quote="EUR", rates=rates) == D("25.00")
    assert "GBP" not in bands.per_currency  # no rate: compared by its own price


@pytest.mark.parametrize("active", [True, False])
def test_with_a_display_currency_the_bands_are_in_it_and_compare_the_shown_prices(
    client: Client, active: bool
) -> None:
    exchange_rates_store(data=EUR_TABLE)
    _mugs()
    shop = ShopFactory(name="Jugs", currency="USD")
    ProductFactory(shop=shop, title="Tall mug", price=D("31.24"))  # ≈ €24.99
    ProductFactory(shop=shop, title="Wide mug", price=D("31.25"))  # ≈ €25.00
    search_vector_update(product_ids=Product.objects.values_list("pk", flat=True))
    client.cookies[DISPLAY_CURRENCY_COOKIE] = "EUR"

    with override_flag("display_currency", active=active):
        html = client.get("/search/", {"q": "mug"}).content.decode()
        under = client.get("/search/", {"q": "mug", "price": "0-25"}).content.decode()

    if active:
        # The shopper sees euros: the bands are euros, and "Under €25.00" holds exactly the
        # products whose shown ≈ price is under €25.00.
        shown = _approximate_prices(html)
        assert _bands(html) == ["Under €25.00", "€25.00\u2013€50.00"]
        assert shown == {
            "Big mug": D("24.00"),
            "Small mug": D("9.60"),
            "Tall mug": D("24.99"),
            "Wide mug": D("25.00"),
        }
        assert _titles(under) == sorted(t for t, amount in shown.items() if amount < 25)
        assert "<span>Price: Under €25.00</span>" in under
        assert "Bands compare the approximate prices in EUR" in html
        assert "data-price-band-approx" not in html
    else:
        assert _bands(html) == ["Under $25.00", "$25.00\u2013$50.00"]
        assert _titles(under) == ["Small mug"]
        assert "Bands compare the approximate prices" not in html


def test_mixed_currencies_share_the_display_currencys_bands(client: Client) -> None:
    exchange_rates_store(data=EUR_TABLE)
    _mugs(other="EUR")  # $12.00 ≈ €9.60, $30.00 ≈ €24.00, €9.00
    ProductFactory(
        shop=ShopFactory(name="Cups", currency="EUR"), title="Gold mug", price=D("26.00")
    )
    search_vector_update(product_ids=Product.objects.values_list("pk", flat=True))
    client.cookies[DISPLAY_CURRENCY_COOKIE] = "EUR"

    html = client.get("/search/", {"q": "mug"}).content.decode()
    under = client.get("/search/", {"q": "mug", "price": "0-25"}, HTTP_ACCEPT_LANGUAGE="es")

    counted = re.findall(r"<span data-price-band>(.*?)</span>.*?facet__count\">(\d+)", html)
    assert counted == [("Under €25.00", "3"), ("€25.00\u2013€50.00", "1")]
    assert "These products are priced in" not in html
    assert _titles(under.content.decode()) == ["Big mug", "Blue mug", "Small mug"]
    assert "Menos de 25,00\xa0€" in under.content.decode()


def test_a_display_currency_the_shops_already_use_adds_no_note(client: Client) -> None:
    exchange_rates_store(data=EUR_TABLE)
    _mugs()
    client.cookies[DISPLAY_CURRENCY_COOKIE] = "USD"

    html = client.get("/search/", {"q": "mug"}).content.decode()

    assert _bands(html) == ["Under $25.00", "$25.00\u2013$50.00"]
    assert "Bands compare the approximate prices" not in html
    assert "data-price-band-approx" not in html


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
        "en": ("Under $25.00", "Under €25.00", "Currency", "Converted prices are approximate."),
        "es": ("Menos de 25,00\xa0US$", "Menos de 25,00\xa0€", "Moneda", "Los precios convertidos"),
    }[language]

    # No flag set by the test: the picker is there by default.
    page.goto(live_server.url + "/search/?q=mug")
    before = page.inner_text("[data-price-band] >> nth=0")
    note = page.inner_text("[data-testid=currency-note]")
    with page.expect_navigation():
        page.select_option("#display-currency-select", "EUR")
    after = page.inner_text("[data-price-band] >> nth=0")
    label = page.inner_text("label[for=display-currency-select]")
    # The euro band holds the cards whose approximate euro price is under €25.00.
    page.click(".facet a:has([data-price-band]) >> nth=0")
    page.wait_for_url("**price=0-25**")
    page.locator(".facet a[aria-current=true]:has([data-price-band])").wait_for()
    shown = page.locator(".product-card .price + .muted").all_inner_texts()
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
    amounts = [D(re.sub(r"[^\d]", "", text)) / 100 for text in shown]
    assert sorted(amounts) == [D("9.60"), D("24.00")]
    assert note.startswith(expected[3])
    assert url.endswith("/search/?q=mug&price=0-25")  # the currency choice kept the search
