"""Prices for the active language, and the display currency: rates, their refresh, the
shopper's choice and the approximate prices, which never change what an order costs."""

import json
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from waffle.testutils import override_flag

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.models import ProductVariant
from catalog.tests.factories import VariantFactory
from demo.services import catalog_demo_seed
from marketmate.currency import (
    ExchangeRatesError,
    exchange_rate_find,
    exchange_rates_parse,
    exchange_rates_store,
    money_format,
    price_convert,
)
from marketmate.models import ExchangeRate, JobRecord
from marketmate.tasks import exchange_rates_refresh_task
from orders.models import Order

D = Decimal
ADDRESS = {
    "full_name": "Ada Shopper",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
}
EUR_TABLE = {"base": "EUR", "rates": {"USD": "1.25", "GBP": "0.8"}}


def render(source: str, **context: Any) -> str:
    return Template("{% load money_tags %}" + source).render(Context(context))


# --- Locale formatting ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€1,234.50 · $12.00"),
        ("es", "1.234,50\xa0€ · 12,00\xa0US$"),
        ("de", "1.234,50\xa0€ · 12,00\xa0$"),
    ],
)
def test_prices_are_formatted_for_the_language_and_keep_their_currency(
    language: str, expected: str
) -> None:
    with translation.override(language):
        text = render(
            "{{ big|money:'EUR' }} · {{ small|money:'USD' }}", big=D("1234.5"), small=D("12")
        )

    assert text == expected


def test_a_formatted_amount_is_kept_per_amount_currency_and_language() -> None:
    # The same value written otherwise, another language or currency: never the kept text of
    # another amount (-0 is written with its sign, as babel writes it).
    assert money_format(amount=D("0"), currency="USD", language="en") == "$0.00"
    assert money_format(amount=D("-0"), currency="USD", language="en") == "-$0.00"
    assert money_format(amount=D("12.5"), currency="USD", language="es") == "12,50\xa0US$"
    assert money_format(amount=D("12.50"), currency="EUR", language="en") == "€12.50"
    assert money_format(amount=D("12.5"), currency="", language="de") == "12,50"
    assert money_format(amount=D("NaN"), currency="USD", language="en") == "$NaN.00"


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "1,234.50"), ("es", "1.234,50"), ("de", "1.234,50")]
)
def test_an_amount_without_a_currency_is_a_localized_number(language: str, expected: str) -> None:
    with translation.override(language):
        assert render("{{ amount|money }}", amount=D("1234.5")) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "11/26/2026"), ("es", "26/11/2026"), ("de", "26.11.2026")]
)
def test_dates_are_formatted_for_the_language(language: str, expected: str) -> None:
    with translation.override(language):
        text = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(
            Context({"day": date(2026, 11, 26)})
        )

    assert text == expected


# --- Rates and conversion -------------------------------------------------------------------------
RATES = {("EUR", "USD"): D("1.25"), ("EUR", "GBP"): D("0.8")}


@pytest.mark.parametrize(
    ("base", "quote", "rate"),
    [
        ("EUR", "EUR", D("1")),
        ("EUR", "USD", D("1.25")),
        ("USD", "EUR", D("0.8")),
        ("USD", "GBP", D("0.64")),
        ("USD", "JPY", None),
    ],
)
def test_a_rate_is_found_directly_inverted_or_across_the_sources_base(
    base: str, quote: str, rate: Decimal | None
) -> None:
    assert exchange_rate_find(base=base, quote=quote, rates=RATES) == rate


def test_a_converted_price_is_decimal_rounded_once_to_the_cent_half_up() -> None:
    # 10.01 USD x 0.64 = 6.4064 GBP; 0.05 EUR x 1.25 = 0.0625 USD
    assert price_convert(amount=D("10.01"), base="USD", quote="GBP", rates=RATES) == D("6.41")
    assert price_convert(amount=D("0.05"), base="EUR", quote="USD", rates=RATES) == D("0.06")


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"rates": {"USD": "1.1"}},
        {"base": "euro", "rates": {"USD": "1.1"}},
        {"base": "EUR", "rates": {}},
        {"base": "EUR", "rates": {"usd": "1.1"}},
        {"base": "EUR", "rates": {"USD": "-1"}},
        {"base": "EUR", "rates": {"USD": "NaN"}},
        {"base": "EUR", "rates": {"USD": "lots"}},
        {"base": "EUR", "rates": {"USD": None}},
    ],
)
def test_anything_but_a_table_of_positive_rates_is_refused(data: object) -> None:
    with pytest.raises(ExchangeRatesError):
        exchange_rates_parse(data)


@pytest.mark.django_db
def test_storing_a_table_replaces_the_rates_of_its_base() -> None:
    exchange_rates_store(data={"base": "EUR", "rates": {"USD": "1.10"}})

    stored = exchange_rates_store(data=EUR_TABLE)

    assert stored == 2
    assert sorted(ExchangeRate.objects.values_list("base", "quote", "rate")) == [
        ("EUR", "GBP", D("0.8")),
        ("EUR", "USD", D("1.25")),
    ]


class RatesSource:
    """The configured rates source: a tiny JSON server on loopback."""

    def __init__(self) -> None:
        self.body = b"{}"
        self.requests = 0
        source = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                source.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(source.body)))
                self.end_headers()
                self.wfile.write(source.body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/latest"


@pytest.fixture
def rates_source(settings: Any) -> Iterator[RatesSource]:
    source = RatesSource()
    thread = threading.Thread(target=source.server.serve_forever, daemon=True)
    thread.start()
    settings.EXCHANGE_RATES_URL = source.url
    yield source
    source.server.shutdown()
    source.server.server_close()


@pytest.mark.django_db(transaction=True)
def test_the_beat_job_refreshes_the_rates_from_the_configured_source(
    rates_source: RatesSource,
) -> None:
    # JSON numbers are read as Decimal, never float.
    rates_source.body = b'{"base": "EUR", "rates": {"USD": 1.0832, "GBP": "0.8571"}}'

    exchange_rates_refresh_task.delay()

    assert rates_source.requests == 1
    assert dict(ExchangeRate.objects.values_list("quote", "rate")) == {
        "USD": D("1.0832"),
        "GBP": D("0.8571"),
    }
    job = JobRecord.objects.get(name="marketmate.exchange_rates_refresh_task")
    assert job.status == JobRecord.Status.SUCCEEDED


def test_the_refresh_job_is_on_the_beat_schedule(settings: Any) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["exchange-rates-refresh"] == {
        "task": "marketmate.exchange_rates_refresh_task",
        "schedule": 3600,
    }


@pytest.mark.django_db
def test_rates_load_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    path.write_text(json.dumps(EUR_TABLE))

    call_command("load_exchange_rates", str(path))

    assert ExchangeRate.objects.get(quote="USD").rate == D("1.25")


@pytest.mark.django_db
def test_a_bad_rates_file_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    path.write_text('{"base": "EUR", "rates": {"USD": "0"}}')

    with pytest.raises(CommandError):
        call_command("load_exchange_rates", str(path))

    assert not ExchangeRate.objects.exists()


# --- The shopper's display currency ---------------------------------------------------------------
def product_url(variant: ProductVariant) -> str:
    return reverse("storefront:product", args=[variant.product.pk, variant.product.slug])


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_picking_a_currency_sets_the_cookie_and_the_users_preferred_currency() -> None:
    user = UserFactory(currency="USD")
    shopper = signed_in(user)

    with override_flag("display_currency", active=True):
        response = shopper.post("/currency/", {"currency": "EUR", "next": "/cart/"})
        offsite = shopper.post("/currency/", {"currency": "EUR", "next": "https://evil.example"})

    assert response["Location"] == "/cart/"
    assert offsite["Location"] == "/"
    assert response.cookies["mm_currency"].value == "EUR"
    user.refresh_from_db()
    assert user.currency == "EUR"


@pytest.mark.django_db
@pytest.mark.parametrize(("active", "shown"), [(True, True), (False, False)])
def test_product_cards_and_pages_show_the_approximate_price_only_while_the_flag_is_on(
    client: Client, active: bool, shown: bool
) -> None:
    exchange_rates_store(data=EUR_TABLE)
    variant = VariantFactory(price=D("12.50"), product__price=D("12.50"))
    client.cookies["mm_currency"] = "EUR"

    with override_flag("display_currency", active=active):
        listing = client.get(f"/s/{variant.shop.slug}/").content.decode()
        page = client.get(product_url(variant)).content.decode()

    # 12.50 USD / 1.25 = 10.00 EUR
    assert ("≈ €10.00" in listing) is shown
    assert ("≈ €10.00" in page) is shown
    assert "$12.50" in page


@pytest.mark.django_db
def test_a_signed_in_shopper_without_the_cookie_sees_their_preferred_currency() -> None:
    exchange_rates_store(data=EUR_TABLE)
    variant = VariantFactory(price=D("12.50"))
    shopper = signed_in(UserFactory(currency="GBP"))

    with override_flag("display_currency", active=True):
        page = shopper.get(product_url(variant)).content.decode()

    # 12.50 USD / 1.25 x 0.8 = 8.00 GBP
    assert "≈ £8.00" in page


@pytest.mark.django_db
def test_choosing_the_shops_currency_only_shows_no_approximation() -> None:
    exchange_rates_store(data=EUR_TABLE)
    variant = VariantFactory(price=D("12.50"))
    shopper = signed_in(UserFactory(currency="GBP"))
    shopper.cookies["mm_currency"] = ""

    with override_flag("display_currency", active=True):
        page = shopper.get(product_url(variant)).content.decode()

    assert "≈" not in page


@pytest.mark.django_db
def test_orders_are_charged_in_the_shops_currency_whatever_the_display_currency() -> None:
    exchange_rates_store(data=EUR_TABLE)
    buyer = UserFactory(verified=True, currency="EUR")
    shopper = signed_in(buyer)
    variant = VariantFactory(price=D("12.00"), inventory_count=5)

    with override_flag("display_currency", active=True):
        shopper.post("/cart/add/", {"variant_id": variant.pk, "quantity": 2})
        cart = shopper.get("/cart/").content.decode()
        shopper.post("/checkout/", ADDRESS)
        shopper.post(
            "/checkout/shipping/", {f"shipping_{variant.shop_id}": "standard", "coupon": ""}
        )
        review = shopper.get("/checkout/review/")
        shopper.post("/checkout/place/", {"idempotency_key": review.context["idempotency_key"]})

    # The cart shows 24.00 USD and, beside it, about 19.20 EUR; the review before paying
    # shows the shop's currency only, the one that is charged.
    assert "$24.00" in cart and "≈ €19.20" in cart
    review_page = review.content.decode()
    assert "$24.00" in review_page and "≈" not in review_page and "€" not in review_page
    order = Order.objects.get(buyer=buyer)
    assert (order.currency, order.subtotal) == ("USD", D("24.00"))
    assert order.total == order.subtotal + order.shipping + order.tax - order.discount


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_shopper_picks_a_display_currency_in_the_footer(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, settings
) -> None:
    settings.ROOT_URLCONF = "catalog.tests.urls_with_media"
    catalog_demo_seed(owner=UserFactory())
    exchange_rates_store(data=EUR_TABLE)
    page = browser.new_page(viewport={"width": 1366, "height": 900})

    with override_flag("display_currency", active=True):
        page.goto(live_server.url + "/")
        with page.expect_navigation():
            page.select_option("#display-currency-select", "EUR")
        page.goto(live_server.url + "/search/?q=speckled")
        with page.expect_navigation():
            page.click(".product-card__link >> nth=0")
        first = page.inner_text("[data-variant-approx]")
        page.click("[data-option='size'] [data-option-value='Large']")
        second = page.inner_text("[data-variant-approx]")
        for name, size in {"phone": (390, 844), "desktop": (1366, 900)}.items():
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.screenshot(
                path=str(artifacts_dir / f"display-currency-product-{name}.png"), full_page=True
            )

    # The mug is 24.00 USD, its large variant 28.00 USD; 1 EUR = 1.25 USD.
    assert (first, second) == ("≈ €19.20", "≈ €22.40")
    assert page.locator("#display-currency-select").input_value() == "EUR"
    page.close()
