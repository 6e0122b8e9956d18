"""The end-to-end journeys of issue 11 in a real chromium, numbered screenshots of every step
at a phone's and a desktop's size under test-artifacts/journeys/<journey>/: a new shopper (in
English and in Spanish), the vendor's dashboard (in English and in Spanish), a vendor with a
buyer on the live WebSocket server, and staff banning a user."""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from catalog.models import Product, ProductImage, ProductVariant
from catalog.services.imports import COLUMNS
from catalog.tests.factories import ProductFactory
from chat.models import Conversation
from chat.tests.factories import ADDRESS
from chat.tests.servers import asgi_servers
from demo.services import demo_photo
from marketmate.models import AuditLog
from marketmate.tests.journeys import (
    CARD_NUMBER,
    COUPON_CODE,
    LIVE_TIMEOUT,
    VIEWPORT,
    Shots,
    Store,
    confirmation_link,
    outside_the_browser_loop,
    signed_in,
    store_with_three_shops,
)
from orders.models import Order
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import checkout_place
from orders.services.lifecycle import order_ship
from payments.services.payments import payment_confirm_card, payments_create
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRODUCTS_CSV = "\n".join(
    [
        ",".join(COLUMNS),
        "speckled-mug,Speckled Mug,<p>Wheel-thrown stoneware.</p>,active,24.00,,true,,"
        "handmade|ceramic,MUG-S,size=Small,,12",
        "speckled-mug,Speckled Mug,,active,24.00,,true,,,MUG-L,size=Large,28.00,6",
        "bud-vase,Bud Vase,<p>For one stem.</p>,active,18.00,22.00,true,,ceramic,VASE-1,,,9",
    ]
).encode()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """`new_context(**options)`: a fresh browser context, closed after the test even when a
    step fails (an open page would keep the live server's connections busy)."""
    opened: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", VIEWPORT)
        context = browser.new_context(**options)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def store(settings: Any) -> Store:
    settings.ROOT_URLCONF = "catalog.tests.urls_with_media"
    return store_with_three_shops()


def shopper_journey(
    new_context: Any, base_url: str, shots: Shots, *, email: str, locale: str
) -> tuple[Any, User]:
    """Sign up, confirm the e-mail, search, narrow by a facet, buy from two shops with a coupon,
    pay with the test card, and download an invoice. Returns the page (left on the order) and
    the new user."""
    context = new_context(locale=locale, accept_downloads=True)
    page = context.new_page()

    # Sign up on allauth's page, then confirm the address from the e-mailed link.
    page.goto(f"{base_url}/accounts/signup/")
    page.fill("#id_name", "Nora Newcomer")
    page.fill("#id_email", email)
    page.fill("#id_password1", "correct-horse-battery-77")
    page.fill("#id_password2", "correct-horse-battery-77")
    shots.take(page, "sign-up")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    user = User.objects.get(email=email)
    assert user.verified is False
    page.goto(confirmation_link(email=email))
    shots.take(page, "confirm-email")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    user.refresh_from_db()
    assert user.verified is True

    # The home page, signed in.
    page.goto(f"{base_url}/")
    shots.take(page, "home")

    # Search, then narrow the results to one category with its facet.
    page.fill("#site-search", "ceramic")
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    assert page.locator(".product-card").count() == 4
    page.click(".facet a[href*='category=home-kitchen-tableware']")
    page.wait_for_url("**category=home-kitchen-tableware**")
    page.locator(".facet a[aria-current=true]").wait_for()
    assert page.locator(".product-card").count() == 3
    shots.take(page, "search-with-facet")

    # Add a mug from Harbour Ceramics, then a notebook from Paper & Pine.
    with page.expect_navigation():
        page.click(".product-card__link[href*='speckled-stoneware-mug']")
    shots.take(page, "product")
    page.click("[data-add-button]")
    page.locator("[data-cart-added]").wait_for()
    page.fill("#site-search", "notebook")
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    with page.expect_navigation():
        page.click(".product-card__link[href*='hardcover-notebook']")
    page.click("[data-add-button]")
    page.locator("[data-cart-added]").wait_for()
    page.goto(f"{base_url}/cart/")
    assert page.locator(".cart-shop").count() == 2
    shots.take(page, "cart")

    # Check out: address, shipping with the coupon, review, place two orders.
    with page.expect_navigation():
        page.click("a[href='/checkout/']")
    page.fill("#id_full_name", "Nora Newcomer")
    page.fill("#id_line1", "12 Harbour Street")
    page.fill("#id_city", "Springfield")
    page.fill("#id_postal_code", "62701")
    page.select_option("#id_country", "US")
    shots.take(page, "checkout-address")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.fill("#id_coupon", COUPON_CODE.lower())
    shots.take(page, "shipping-and-coupon")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".badge--success").count() == 2
    shots.take(page, "review")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    orders = list(Order.objects.filter(buyer=user).order_by("total"))
    assert [(order.total, order.status) for order in orders] == [
        (Decimal("17.10"), Order.Status.PENDING),
        (Decimal("21.60"), Order.Status.PENDING),
    ]
    # Placing leads straight to paying: not paid yet, held for a while.
    page.locator("[data-unpaid-notice]").wait_for()
    shots.take(page, "payment-due")

    # Pay both orders at once with the dummy gateway's test card.
    page.fill("#id_card_number", CARD_NUMBER)
    page.fill("#id_expiry", "12/34")
    page.fill("#id_cvc", "123")
    shots.take(page, "pay")
    with page.expect_navigation():
        page.click(".payment__form button[type=submit]")
    page.locator('[data-order-status="paid"]').first.wait_for()
    assert page.locator('[data-order-status="paid"]').count() == 2
    shots.take(page, "paid")

    # Two orders in the account; the first one's invoice downloads as a PDF.
    page.goto(f"{base_url}/orders/")
    assert page.locator(".order-card").count() == 2
    shots.take(page, "orders")
    with page.expect_navigation():
        page.click(f".order-card__number[href$='/{orders[0].number}/']")
    with page.expect_download() as download:
        page.click(f"a[href='/payments/invoices/{orders[0].number}.pdf']")
    assert download.value.suggested_filename == f"INV-{orders[0].number}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    shots.take(page, "order-with-invoice")
    return page, user


def test_a_new_shopper_signs_up_and_buys_from_two_shops_with_a_coupon(
    new_context: Any, live_server: Any, artifacts_dir: Path, store: Store
) -> None:
    shots = Shots.of(artifacts_dir, "shopper")

    page, _ = shopper_journey(
        new_context, live_server.url, shots, email="nora@example.com", locale="en-GB"
    )

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".order-status").inner_text() == "Paid"
    assert len(shots.taken) == 14
    assert len(list(shots.directory.glob("*-phone.png"))) == 14
    assert len(list(shots.directory.glob("*-desktop.png"))) == 14


def test_the_same_shopper_journey_in_spanish(
    new_context: Any, live_server: Any, artifacts_dir: Path, store: Store
) -> None:
    shots = Shots.of(artifacts_dir, "shopper-es")

    page, _ = shopper_journey(
        new_context, live_server.url, shots, email="nuria@example.com", locale="es-ES"
    )

    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".order-status").inner_text() == "Pagado"
    page.goto(f"{live_server.url}/cart/")
    assert page.locator("h1").inner_text() == "Tu carrito"


def place_and_pay(*, buyer: User, variant: ProductVariant, quantity: int) -> Order:
    """The buyer's checkout and test-card payment, through the real services."""
    cart = cart_get_or_create(user=buyer, session={})  # type: ignore[arg-type]
    cart_item_add(cart=cart, variant_id=variant.pk, quantity=quantity)
    order = checkout_place(buyer=buyer, cart=cart, address=ADDRESS).orders[0]
    payment_confirm_card(
        payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
        card_number=CARD_NUMBER,
    )
    return order


@pytest.mark.parametrize("locale", ["en-GB", "es-ES"])
def test_the_vendors_dashboard_in_english_and_spanish(
    new_context: Any, live_server: Any, artifacts_dir: Path, store: Store, locale: str
) -> None:
    language = locale[:2]
    shots = Shots.of(artifacts_dir, f"vendor-dashboard-{language}")
    buyer: User = UserFactory(name="Bea Buyer", verified=True)  # type: ignore[assignment]
    variant = ProductVariant.objects.filter(product__shop__owner=store.vendor).order_by("pk")[0]
    order = outside_the_browser_loop(place_and_pay, buyer=buyer, variant=variant, quantity=1)
    vendor = signed_in(new_context, live_server.url, store.vendor, locale=locale).new_page()

    for path, step in [
        ("/dashboard/", "overview"),
        ("/dashboard/products/", "products"),
        ("/dashboard/orders/", "orders"),
        (f"/dashboard/orders/{order.number}/", "order"),
    ]:
        vendor.goto(f"{live_server.url}{path}")
        assert vendor.locator("h1").count() == 1
        shots.take(vendor, step)

    assert vendor.locator("html").get_attribute("lang") == language
    assert len(list(shots.directory.glob("*-phone.png"))) == 4
    assert len(list(shots.directory.glob("*-desktop.png"))) == 4


@pytest.fixture
def asgi_server(tmp_path: Path) -> Iterator[str]:
    """A uvicorn process serving HTTP and WebSockets on the test database and Redis."""
    with asgi_servers(
        count=1, logs_dir=tmp_path, app="marketmate.tests.asgi_media:application"
    ) as ports:
        yield f"http://127.0.0.1:{ports[0]}"


def test_a_vendor_opens_a_shop_imports_sells_chats_and_ships_while_the_buyer_watches(
    new_context: Any, asgi_server: str, artifacts_dir: Path, tmp_path: Path
) -> None:
    shots = Shots.of(artifacts_dir, "vendor")
    vendor_user: User = UserFactory(name="Vera Vendor", verified=True)  # type: ignore[assignment]
    buyer_user: User = UserFactory(name="Bea Buyer", verified=True)  # type: ignore[assignment]
    vendor = signed_in(new_context, asgi_server, vendor_user).new_page()
    buyer = signed_in(new_context, asgi_server, buyer_user).new_page()

    # Open a shop on the application page.
    vendor.goto(f"{asgi_server}/dashboard/shops/create/")
    vendor.fill("#id_name", "Harbour Ceramics")
    vendor.fill("#id_description", "Hand-thrown stoneware from a small studio by the sea.")
    vendor.select_option("#id_currency", "USD")
    shots.take(vendor, "vendor-shop-application")
    with vendor.expect_navigation():
        vendor.click("form:has(#id_name) button[type=submit]")
    shop = Shop.objects.get(owner=vendor_user)
    assert shop.status == Shop.Status.ACTIVE

    # Import two products (three variants) from a CSV file.
    vendor.goto(f"{asgi_server}/dashboard/products/import/")
    vendor.set_input_files(
        "#id_file",
        files=[{"name": "products.csv", "mimeType": "text/csv", "buffer": PRODUCTS_CSV}],
    )
    shots.take(vendor, "vendor-import")
    with vendor.expect_navigation():
        vendor.click("form:has(#id_file) button[type=submit]")
    assert vendor.url == f"{asgi_server}/dashboard/products/"
    mug = Product.objects.get(shop=shop, slug="speckled-mug")
    assert sorted(
        ProductVariant.objects.filter(product__shop=shop).values_list("sku", flat=True)
    ) == [
        "MUG-L",
        "MUG-S",
        "VASE-1",
    ]
    shots.take(vendor, "vendor-products")

    # Upload a photo of the mug; the tile shows the thumbnail the job made.
    photo = tmp_path / "mug.jpg"
    photo.write_bytes(demo_photo(title="Speckled Mug", shape="mug", hue=0.08, size=600))
    vendor.goto(f"{asgi_server}/dashboard/products/{mug.pk}/update/")
    vendor.set_input_files("#id_image", str(photo))
    vendor.fill("#id_alt_text", "A speckled mug")
    vendor.click("form:has(#id_image) button[type=submit]")
    vendor.wait_for_function(
        "() => { const i = document.querySelector('.image-tile img.thumb');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=LIVE_TIMEOUT,
    )
    assert ProductImage.objects.get(product=mug).alt_text == "A speckled mug"
    shots.take(vendor, "vendor-image")

    # With the vendor's dashboard open, the buyer orders two mugs and pays: the bell counts it.
    vendor.goto(f"{asgi_server}/dashboard/orders/")
    vendor.wait_for_selector("html[data-realtime=connected]", timeout=LIVE_TIMEOUT)
    badge = vendor.locator("#notification-bell [data-notification-badge]")
    assert badge.is_hidden()
    order = outside_the_browser_loop(
        place_and_pay, buyer=buyer_user, variant=mug.variants.get(sku="MUG-L"), quantity=2
    )
    badge.filter(has_text="1").wait_for(timeout=LIVE_TIMEOUT)
    shots.take(vendor, "vendor-order-notification")

    # The buyer asks about the order from its page; the vendor answers in the dashboard.
    buyer.goto(f"{asgi_server}/orders/{order.number}/")
    assert buyer.locator('.order-status[data-order-status="paid"]').count() == 1
    with buyer.expect_navigation():
        buyer.click(f"a[href*='/chat/start/{shop.pk}/']")
    buyer.fill("#id_body", "Could the mugs be gift-wrapped?")
    with buyer.expect_navigation():
        buyer.click("form:has(#id_body) button[type=submit]")
    conversation = Conversation.objects.get(buyer=buyer_user, shop=shop)
    vendor.goto(f"{asgi_server}/dashboard/messages/{conversation.pk}/")
    vendor.wait_for_selector(f"html[data-realtime-joined-shop-{shop.pk}]", timeout=LIVE_TIMEOUT)
    buyer.wait_for_selector("html[data-realtime=connected]", timeout=LIVE_TIMEOUT)
    vendor.fill("#id_body", "Of course, in brown paper.")
    vendor.keyboard.press("Enter")
    buyer.locator(".chat-message--theirs", has_text="Of course, in brown paper.").wait_for(
        timeout=LIVE_TIMEOUT
    )
    shots.take(vendor, "vendor-chat")
    shots.take(buyer, "buyer-chat")

    # The vendor ships with a tracking number; the buyer's open order page follows.
    buyer.goto(f"{asgi_server}/orders/{order.number}/")
    buyer.wait_for_selector(f"html[data-realtime-joined-order-{order.pk}]", timeout=LIVE_TIMEOUT)
    vendor.goto(f"{asgi_server}/dashboard/orders/{order.number}/")
    vendor.fill("input[name=carrier]", "DHL")
    vendor.fill("input[name=tracking_number]", "JD014600006281234567")
    with vendor.expect_navigation():
        vendor.click("form:has(input[name=tracking_number]) button[type=submit]")
    shots.take(vendor, "vendor-shipped")
    buyer.locator('.order-status[data-order-status="shipped"]').wait_for(timeout=LIVE_TIMEOUT)
    # The whole status block follows: tracking shown, the Cancel form gone, no reload.
    buyer.locator("[data-order-tracking]", has_text="JD014600006281234567").wait_for(
        timeout=LIVE_TIMEOUT
    )
    assert buyer.locator("form[action$='/cancel/']").count() == 0
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (
        Order.Status.SHIPPED,
        "DHL",
        "JD014600006281234567",
    )
    shots.take(buyer, "buyer-order-shipped")


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}], ids=str
)
def test_the_buyers_open_order_page_follows_shipping_live(
    new_context: Any, asgi_server: str, artifacts_dir: Path, viewport: dict[str, int]
) -> None:
    shop = ShopFactory(currency="USD")
    variant = ProductFactory(shop=shop, title="Speckled mug").variants.get()
    buyer_user: User = UserFactory()  # type: ignore[assignment]
    order = outside_the_browser_loop(place_and_pay, buyer=buyer_user, variant=variant, quantity=1)
    buyer = signed_in(new_context, asgi_server, buyer_user, viewport=viewport).new_page()
    buyer.goto(f"{asgi_server}/orders/{order.number}/")
    buyer.wait_for_selector(f"html[data-realtime-joined-order-{order.pk}]", timeout=LIVE_TIMEOUT)
    assert buyer.locator("form[action$='/cancel/']").count() == 1
    steps = buyer.locator(".timeline__step").count()

    outside_the_browser_loop(
        order_ship, order=order, actor=shop.owner, carrier="DHL", tracking_number="JD0146"
    )

    buyer.locator("[data-order-tracking]", has_text="DHL JD0146").wait_for(timeout=LIVE_TIMEOUT)
    assert buyer.locator("form[action$='/cancel/']").count() == 0
    assert buyer.locator(".timeline__step").count() == steps + 1
    assert buyer.locator('.order-status[data-order-status="shipped"]').count() == 1
    name = "phone" if viewport["width"] < 500 else "desktop"
    buyer.screenshot(path=str(artifacts_dir / f"order-live-shipped-{name}.png"), full_page=True)


def test_staff_ban_a_user_in_the_admin_and_their_next_request_is_logged_out(
    new_context: Any, live_server: Any, artifacts_dir: Path
) -> None:
    shots = Shots.of(artifacts_dir, "staff")
    staff_user: User = StaffFactory(name="Stella Staff")  # type: ignore[assignment]
    troll: User = UserFactory(name="Tom Troll", email="tom@example.com", verified=True)  # type: ignore[assignment]
    staff = signed_in(new_context, live_server.url, staff_user).new_page()
    user = signed_in(new_context, live_server.url, troll).new_page()
    user.goto(f"{live_server.url}/account/profile/")
    assert user.url == f"{live_server.url}/account/profile/"
    shots.take(user, "user-signed-in")

    # Staff pick the user in the admin's list, choose the ban action and give a reason.
    staff.goto(f"{live_server.url}/admin/accounts/user/?q=tom%40example.com")
    staff.check(f"input[name=_selected_action][value='{troll.pk}']")
    staff.select_option("select[name=action]", "ban_users")
    shots.take(staff, "admin-select")
    with staff.expect_navigation():
        staff.click("#changelist-form button[name=index]")
    staff.fill("#id_reason", "Spam in chat messages")
    shots.take(staff, "admin-reason")
    with staff.expect_navigation():
        staff.click("form:has(#id_reason) [type=submit][name=apply]")
    assert staff.locator(".messagelist .success").count() == 1
    shots.take(staff, "admin-banned")
    troll.refresh_from_db()
    assert (troll.is_active, troll.is_banned) == (False, True)
    assert AuditLog.objects.get(action="user.banned").reason == "Spam in chat messages"

    # The user's next request, in their own browser, finds them signed out.
    user.goto(f"{live_server.url}/account/profile/")
    assert user.url.startswith(f"{live_server.url}/accounts/login/")
    assert user.locator("a[href^='/accounts/login/']").count() >= 1
    shots.take(user, "user-logged-out")
