from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.tests.factories import VariantFactory
from orders.models import CartItem, Order, Promotion
from orders.services.lifecycle import order_mark_paid
from orders.tests.factories import OrderFactory, PromotionFactory, ShippingMethodFactory
from shops.models import ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db
D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shopper(buyer) -> Client:
    return signed_in(buyer)


@pytest.fixture
def order(buyer, place) -> Order:
    return place(buyer, (VariantFactory(inventory_count=5, price=D("15.00")), 2)).orders[0]


# --- Cart -----------------------------------------------------------------------------------------
def test_the_empty_cart_page_invites_to_shop(client) -> None:
    response = client.get("/cart/")

    assert response.status_code == 200
    assert "Your cart is empty" in response.content.decode()


def test_adding_with_a_plain_form_redirects_back_with_a_message(client) -> None:
    variant = VariantFactory(price=D("9.99"))

    response = client.post(
        "/cart/add/", {"variant_id": variant.pk, "quantity": 2, "next": "/"}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    assert "Added to your cart." in response.content.decode()
    page = client.get("/cart/").content.decode()
    assert "$19.98" in page
    assert 'class="mini-cart__count"' in page


def test_adding_with_htmx_answers_the_mini_cart_and_triggers_an_update(client) -> None:
    variant = VariantFactory()

    response = client.post("/cart/add/", {"variant_id": variant.pk, "quantity": 3}, **HTMX)

    assert response["HX-Trigger"] == "cart-changed"
    assert 'id="mini-cart"' in response.content.decode()
    assert '<span aria-hidden="true">3</span>' in response.content.decode()


def test_an_offsite_next_is_ignored(client) -> None:
    response = client.post(
        "/cart/add/", {"variant_id": VariantFactory().pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/cart/"


def test_adding_something_out_of_stock_shows_why(client) -> None:
    variant = VariantFactory(inventory_count=0)

    response = client.post("/cart/add/", {"variant_id": variant.pk}, follow=True)

    assert "is out of stock." in response.content.decode()
    assert not CartItem.objects.exists()


def test_quantity_changes_and_removal_swap_the_cart_body(shopper) -> None:
    variant = VariantFactory(inventory_count=4)
    shopper.post("/cart/add/", {"variant_id": variant.pk})
    item = CartItem.objects.get()

    changed = shopper.post(
        f"/cart/items/{item.pk}/update/", {"quantity": 9, "fragment": "cart"}, **HTMX
    )
    removed = shopper.post(f"/cart/items/{item.pk}/delete/", {"fragment": "cart"}, **HTMX)

    assert 'id="cart-body"' in changed.content.decode()
    assert "Only 4 of" in changed.content.decode()
    assert changed["HX-Trigger"] == "cart-changed"
    assert "Your cart is empty" in removed.content.decode()


def test_adding_from_a_product_page_with_htmx_answers_with_the_added_panel(shopper) -> None:
    variant = VariantFactory(
        product__title="Linen shirt", options={"size": "M", "colour": "Rust"}, price=D("40.00")
    )

    response = shopper.post(
        "/cart/add/", {"variant_id": variant.pk, "quantity": 2, "fragment": "added"}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "cart-changed"
    assert "Added to your cart" in html
    assert "Linen shirt" in html and "Size: M · Colour: Rust" in html
    assert "2 in your cart" in html and "$80.00" in html
    assert 'href="/cart/"' in html
    assert CartItem.objects.get().quantity == 2


def test_a_refused_add_shows_why_in_the_panel(shopper) -> None:
    variant = VariantFactory(product__track_inventory=True, inventory_count=0)

    response = shopper.post("/cart/add/", {"variant_id": variant.pk, "fragment": "added"}, **HTMX)

    html = response.content.decode()
    assert "Not added" in html and "message--error" in html
    assert not CartItem.objects.exists()


def test_cart_lines_show_option_names_and_values_not_skus(shopper) -> None:
    variant = VariantFactory(sku="LS-M-RUST", options={"size": "M", "colour": "Rust"})
    shopper.post("/cart/add/", {"variant_id": variant.pk})

    html = shopper.get("/cart/").content.decode()

    assert "Size: M · Colour: Rust" in html
    assert "LS-M-RUST" not in html
    assert 'class="line-thumb"' in html


def test_someone_elses_cart_item_cannot_be_removed_from_a_page(shopper) -> None:
    shopper.post("/cart/add/", {"variant_id": VariantFactory().pk})
    item = CartItem.objects.get()

    response = signed_in(UserFactory()).post(f"/cart/items/{item.pk}/delete/", follow=True)

    assert "This item is not in your cart." in response.content.decode()
    assert CartItem.objects.filter(pk=item.pk).exists()


def test_a_price_change_is_shown_on_the_cart_page_until_accepted(shopper) -> None:
    variant = VariantFactory(price=D("10.00"))
    shopper.post("/cart/add/", {"variant_id": variant.pk})
    variant.price = D("11.50")
    variant.save(update_fields=["price"])

    before = shopper.get("/cart/").content.decode()
    shopper.post("/cart/prices/accept/")
    after = shopper.get("/cart/").content.decode()

    assert "was $10.00, now $11.50" in before
    assert "Price changed" not in after


def test_the_header_counts_the_cart_in_one_query(shopper, django_assert_max_num_queries) -> None:
    shopper.post("/cart/add/", {"variant_id": VariantFactory().pk, "quantity": 2})

    # the session, the user, and the count
    with django_assert_max_num_queries(3):
        response = shopper.get("/cart/mini/")

    assert '<span aria-hidden="true">2</span>' in response.content.decode()


# --- Checkout pages -------------------------------------------------------------------------------
def test_a_shopper_checks_out_two_shops_through_the_pages(shopper, buyer, address) -> None:
    mugs = VariantFactory(product__shop__name="Mugs", price=D("12.00"))
    tea = VariantFactory(product__shop__name="Tea", price=D("5.00"))
    express = ShippingMethodFactory(shop=tea.shop, name="Express", price=D("3.00"))
    ShippingMethodFactory(shop=tea.shop, name="Slow", price=D("1.00"), is_default=True)
    PromotionFactory(code="TEN", value=D("10"))
    shopper.post("/cart/add/", {"variant_id": mugs.pk, "quantity": 2})
    shopper.post("/cart/add/", {"variant_id": tea.pk})

    assert shopper.get("/checkout/").status_code == 200
    to_shipping = shopper.post("/checkout/", address)
    assert to_shipping["Location"] == "/checkout/shipping/"
    shipping_page = shopper.get("/checkout/shipping/").content.decode()
    assert "Express" in shipping_page and "Standard" in shipping_page
    to_review = shopper.post(
        "/checkout/shipping/",
        {
            f"shipping_{tea.shop_id}": express.pk,
            f"shipping_{mugs.shop_id}": "standard",
            "coupon": "ten",
        },
    )
    assert to_review["Location"] == "/checkout/review/"
    review = shopper.get("/checkout/review/")
    assert "Place 2 orders" in review.content.decode()
    key = review.context["idempotency_key"]

    placed = shopper.post("/checkout/place/", {"idempotency_key": key})
    again = shopper.post("/checkout/place/", {"idempotency_key": key})

    orders = list(Order.objects.filter(buyer=buyer).order_by("total"))
    assert [(o.shop.name, o.shipping_method_name, o.discount, o.total) for o in orders] == [
        ("Tea", "Express", D("0.50"), D("7.50")),
        ("Mugs", "Standard", D("2.40"), D("21.60")),
    ]
    assert placed["Location"] == again["Location"]
    assert placed["Location"] == f"/payments/checkout/{orders[0].checkout_reference}/"
    payment_page = shopper.get(placed["Location"], follow=True).content.decode()
    assert all(order.number in payment_page for order in orders)
    assert "Pay for your order" in payment_page
    assert "Not paid yet." in payment_page
    assert "Thank you" not in payment_page


def test_the_shipping_step_shows_each_options_price_and_delivery_estimate(
    shopper, address, settings
) -> None:
    settings.TIME_ZONE = "UTC"
    tea = VariantFactory(product__shop__name="Tea", price=D("20.00"))
    ShippingMethodFactory(
        shop=tea.shop,
        name="Express",
        price=D("6.50"),
        delivery_days_min=1,
        delivery_days_max=2,
    )
    ShippingMethodFactory(
        shop=tea.shop,
        name="Letter",
        kind="free_above",
        price=D("3.00"),
        free_above=D("15.00"),
        is_default=True,
    )
    shopper.post("/cart/add/", {"variant_id": tea.pk})
    shopper.post("/checkout/", address)

    today = timezone.localdate()

    page = shopper.get("/checkout/shipping/")

    options = page.context["form"].shop_fields[0][2]
    assert [(o.choice.name, o.price, o.arrives_from, o.arrives_by) for o in options] == [
        ("Letter", D("0.00"), None, None),
        ("Express", D("6.50"), today + timedelta(days=1), today + timedelta(days=2)),
    ]
    html = page.content.decode()
    start, end = (date_format(today + timedelta(days=days), "MONTH_DAY_FORMAT") for days in (1, 2))
    assert f"Estimated delivery: {start} \u2013 {end}" in html
    assert "$6.50" in html and "Free" in html
    assert "Delivery time not given by the shop" in html


def test_the_built_in_standard_method_reads_in_spanish_at_every_step(
    shopper, buyer, address
) -> None:
    mugs = VariantFactory(product__shop__name="Mugs", price=D("12.00"))
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    shopper.post("/cart/add/", {"variant_id": mugs.pk})
    shopper.post("/checkout/", address)

    shipping_page = shopper.get("/checkout/shipping/", **spanish).content.decode()
    shopper.post("/checkout/shipping/", {f"shipping_{mugs.shop_id}": "standard"})
    review = shopper.get("/checkout/review/", **spanish)
    shopper.post("/checkout/place/", {"idempotency_key": review.context["idempotency_key"]})
    order = Order.objects.get(buyer=buyer)
    order_page = shopper.get(f"/orders/{order.number}/", **spanish).content.decode()
    vendor = signed_in(order.shop.owner)
    vendor_es = vendor.get(f"/dashboard/orders/{order.number}/", **spanish).content.decode()
    vendor_en = vendor.get(f"/dashboard/orders/{order.number}/").content.decode()

    # Stored as the stable key, shown in the reader's language.
    assert (order.shipping_method_id, order.shipping_method_name) == (None, "Standard")
    assert 'class="shipping-option__name">Estándar</span>' in shipping_page
    assert '<span class="muted">Estándar</span>' in review.content.decode()
    assert '<p class="muted small">Estándar</p>' in order_page
    assert '<p class="muted small">Estándar</p>' in vendor_es
    assert '<p class="muted small">Standard</p>' in vendor_en


def test_an_existing_standard_order_and_a_shops_own_method_read_right_in_spanish(
    shopper, buyer
) -> None:
    # An order placed before the name was translated at display time stored the same key.
    builtin = OrderFactory(buyer=buyer, shipping_method=None, shipping_method_name="Standard")
    own = ShippingMethodFactory(name="Standard")
    shop_named = OrderFactory(
        buyer=buyer, shop=own.shop, shipping_method=own, shipping_method_name="Standard"
    )

    with translation.override("es"):
        labels = (builtin.shipping_method_label, shop_named.shipping_method_label)
    page = shopper.get(f"/orders/{builtin.number}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert labels == ("Estándar", "Standard")
    assert '<p class="muted small">Estándar</p>' in page


def test_an_address_typed_at_checkout_can_be_saved_to_the_address_book_once(
    shopper, buyer, address
) -> None:
    shopper.post("/cart/add/", {"variant_id": VariantFactory().pk})

    first = shopper.post("/checkout/", {**address, "save_address": "on"}, follow=True)
    shopper.post("/checkout/", {**address, "save_address": "on"})
    shopper.post("/checkout/", {**address, "city": "Shelbyville"})

    book = list(buyer.addresses.values_list("full_name", "city", "is_default_shipping"))
    assert book == [("Ada Shopper", "Springfield", True)]
    assert "The address is saved to your address book." in first.content.decode()


def test_the_address_step_shows_field_errors(shopper, address) -> None:
    shopper.post("/cart/add/", {"variant_id": VariantFactory().pk})

    response = shopper.post("/checkout/", {**address, "city": "", "country": "ZZ"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"city", "country"}


def test_a_refused_coupon_shows_on_the_shipping_step(shopper, address) -> None:
    shopper.post("/cart/add/", {"variant_id": VariantFactory().pk})
    shopper.post("/checkout/", address)

    response = shopper.post("/checkout/shipping/", {"coupon": "NOSUCH"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"coupon": ["There is no coupon with this code."]}


def test_checkout_pages_need_a_verified_shopper(address) -> None:
    unverified = signed_in(UserFactory(verified=False))
    unverified.post("/cart/add/", {"variant_id": VariantFactory().pk})

    response = unverified.get("/checkout/")

    assert response.status_code == 403
    assert "Confirm your e-mail address to check out" in response.content.decode()


def test_staff_verifying_the_email_address_lets_the_shopper_check_out_at_once(address) -> None:
    user = UserFactory(verified=False)
    shopper = signed_in(user)
    shopper.post("/cart/add/", {"variant_id": VariantFactory().pk})
    before = shopper.get("/checkout/").status_code

    # what ticking "verified" on the address in the admin does
    EmailAddress.objects.filter(user=user).update(verified=True)

    assert (before, shopper.get("/checkout/").status_code) == (403, 200)


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(shopper) -> None:
    assert shopper.get("/checkout/review/")["Location"] == "/cart/"


def test_anonymous_checkout_asks_to_sign_in(client) -> None:
    response = client.get("/checkout/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Buyer order pages ----------------------------------------------------------------------------
def test_order_history_and_detail_with_timeline(shopper, order) -> None:
    order_mark_paid(order=order)

    history = shopper.get("/orders/").content.decode()
    detail = shopper.get(f"/orders/{order.number}/").content.decode()

    assert order.number in history
    assert "$30.00" in history
    assert "Awaiting payment" in detail and "Paid" in detail
    assert "Cancel order" in detail
    assert f'<form method="post" action="/orders/{order.number}/cancel/">' in detail


def test_unpaid_orders_lead_to_the_payment_page_and_paid_ones_do_not(shopper, order) -> None:
    pay_url = f"/payments/checkout/{order.checkout_reference}/"

    confirmation = shopper.get(f"/orders/placed/{order.checkout_reference}/").content.decode()
    unpaid = shopper.get(f"/orders/{order.number}/").content.decode()
    payment_page = shopper.get(pay_url, follow=True)
    order_mark_paid(order=order)
    paid = shopper.get(f"/orders/{order.number}/").content.decode()

    assert f'href="{pay_url}"' in confirmation
    assert "Your order is not paid yet" in confirmation
    assert "Thank you" not in confirmation
    assert f'href="{pay_url}"' in unpaid
    assert "Not paid yet." in unpaid and "Not paid yet." not in paid
    assert pay_url not in paid
    assert payment_page.status_code == 200
    assert "Test mode: no real money moves." in payment_page.content.decode()


def test_the_unpaid_notice_says_until_when_the_order_is_held(shopper, order, settings) -> None:
    settings.ORDER_PENDING_EXPIRY_MINUTES = 30
    settings.TIME_ZONE = "UTC"
    Order.objects.filter(pk=order.pk).update(created=datetime(2026, 3, 14, 9, 5, tzinfo=UTC))

    detail = shopper.get(f"/orders/{order.number}/").content.decode()

    assert "We hold your items until 9:35 a.m. on March 14, 2026." in detail


def test_a_paid_checkout_says_thank_you(shopper, order) -> None:
    order_mark_paid(order=order)

    confirmation = shopper.get(f"/orders/placed/{order.checkout_reference}/").content.decode()

    assert "Thank you for your order" in confirmation
    assert "Not paid yet." not in confirmation


def test_another_buyers_order_pages_are_404(order) -> None:
    attacker = signed_in(UserFactory())

    assert attacker.get(f"/orders/{order.number}/").status_code == 404
    assert attacker.post(f"/orders/{order.number}/cancel/").status_code == 404
    assert attacker.get(f"/orders/placed/{order.checkout_reference}/").status_code == 404


def test_the_buyer_cancels_from_the_order_page(shopper, order) -> None:
    response = shopper.post(
        f"/orders/{order.number}/cancel/", {"reason": "Wrong size"}, follow=True
    )

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert "Your order is cancelled." in response.content.decode()


def test_the_order_history_keeps_a_query_budget(
    buyer, shopper, place, django_assert_max_num_queries
):
    for _ in range(5):
        place(buyer, (VariantFactory(), 1))
    shopper.get("/orders/")  # the header's cached parts (categories menu, feature flags) warm

    with django_assert_max_num_queries(8):
        response = shopper.get("/orders/")

    assert response.content.decode().count('class="card order-card"') == 5


# --- Vendor pages ---------------------------------------------------------------------------------
def test_the_vendor_lists_filters_and_searches_orders(order, buyer, place) -> None:
    vendor = signed_in(order.shop.owner)
    paid = order_mark_paid(
        order=place(buyer, (VariantFactory(product__shop=order.shop), 1)).orders[0]
    )

    every = vendor.get("/dashboard/orders/").content.decode()
    only_paid = vendor.get("/dashboard/orders/?status=paid").content.decode()
    searched = vendor.get(f"/dashboard/orders/?q={order.number[-5:]}").content.decode()
    nothing = vendor.get("/dashboard/orders/?q=NOPE").content.decode()

    assert order.number in every and paid.number in every
    assert paid.number in only_paid and order.number not in only_paid
    assert order.number in searched and paid.number not in searched
    assert "No orders match" in nothing
    assert reverse("dashboard_orders:list") == "/dashboard/orders/"


def test_the_vendor_ships_and_completes_from_the_detail_page(order) -> None:
    vendor = signed_in(order.shop.owner)
    order_mark_paid(order=order)

    page = vendor.get(f"/dashboard/orders/{order.number}/").content.decode()
    missing = vendor.post(f"/dashboard/orders/{order.number}/ship/", {"carrier": "DHL"})
    vendor.post(
        f"/dashboard/orders/{order.number}/ship/", {"carrier": "DHL", "tracking_number": "JJD9"}
    )
    vendor.post(f"/dashboard/orders/{order.number}/complete/")

    assert "Mark as shipped" in page
    assert missing.status_code == 400
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == ("complete", "JJD9")


def test_a_wrong_step_on_the_dashboard_is_explained(order) -> None:
    vendor = signed_in(order.shop.owner)

    response = vendor.post(f"/dashboard/orders/{order.number}/complete/", follow=True)

    assert "cannot become Complete" in response.content.decode()


def test_the_vendor_cancels_and_restocks(order) -> None:
    vendor = signed_in(order.shop.owner)
    page = vendor.get(f"/dashboard/orders/{order.number}/").content.decode()
    assert f'<form method="post" action="/dashboard/orders/{order.number}/cancel/">' in page
    assert "Cancel order and restock" in page

    vendor.post(f"/dashboard/orders/{order.number}/cancel/", {"reason": "Out of paint"})

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.lines.get().variant.inventory_count == 5


def test_shop_staff_may_fulfil_but_not_cancel(order) -> None:
    staff = signed_in(ShopMemberFactory(shop=order.shop, role=ShopMember.Role.STAFF).user)

    page = staff.get(f"/dashboard/orders/{order.number}/").content.decode()
    response = staff.post(f"/dashboard/orders/{order.number}/cancel/")

    assert "Cancel order and restock" not in page
    assert response.status_code == 403


def test_another_shops_order_is_404_on_the_dashboard(order) -> None:
    rival = signed_in(ShopFactory().owner)

    assert rival.get(f"/dashboard/orders/{order.number}/").status_code == 404
    assert rival.post(f"/dashboard/orders/{order.number}/cancel/").status_code == 404
    assert order.number not in rival.get("/dashboard/orders/").content.decode()


def test_the_vendor_order_list_keeps_a_query_budget(buyer, place, django_assert_max_num_queries):
    shop = ShopFactory()
    for _ in range(6):
        place(buyer, (VariantFactory(product__shop=shop), 1))
    vendor = signed_in(shop.owner)

    with django_assert_max_num_queries(14):
        response = vendor.get("/dashboard/orders/")

    assert response.status_code == 200


def test_the_vendor_creates_and_edits_a_shop_coupon(order) -> None:
    vendor = signed_in(order.shop.owner)
    form = {
        "name": "Spring sale",
        "code": "spring10",
        "kind": "percentage",
        "value": "10",
        "minimum_subtotal": "0",
        "is_active": "on",
    }

    created = vendor.post("/dashboard/orders/coupons/create/", form)
    promotion = Promotion.objects.get()
    invalid = vendor.post(
        f"/dashboard/orders/coupons/{promotion.pk}/update/", {**form, "value": "150"}
    )
    listing = vendor.get("/dashboard/orders/coupons/").content.decode()

    assert created["Location"] == "/dashboard/orders/coupons/"
    assert (promotion.code, promotion.shop, promotion.currency) == ("SPRING10", order.shop, "USD")
    assert invalid.status_code == 400
    assert "SPRING10" in listing


def test_a_vendor_cannot_edit_another_shops_coupon(order) -> None:
    theirs = PromotionFactory(shop=ShopFactory())
    vendor = signed_in(order.shop.owner)

    assert vendor.get(f"/dashboard/orders/coupons/{theirs.pk}/update/").status_code == 404


def test_the_address_step_starts_from_the_default_saved_address(shopper, buyer) -> None:
    AddressFactory(user=buyer, full_name="Grace Hopper", is_default_shipping=True)
    shopper.post("/cart/add/", {"variant_id": VariantFactory().pk})

    response = shopper.get("/checkout/")

    assert response.context["form"].initial["full_name"] == "Grace Hopper"


def test_a_yen_shop_coupon_takes_whole_yen() -> None:
    shop = ShopFactory(currency="JPY")
    vendor = signed_in(shop.owner)
    form = {
        "name": "Spring sale",
        "code": "yen100",
        "kind": "fixed",
        "value": "100.5",
        "minimum_subtotal": "0",
        "is_active": "on",
    }

    refused = vendor.post("/dashboard/orders/coupons/create/", form)
    refused_minimum = vendor.post(
        "/dashboard/orders/coupons/create/", {**form, "value": "100", "minimum_subtotal": "9.9"}
    )
    created = vendor.post("/dashboard/orders/coupons/create/", {**form, "value": "100"})

    assert refused.status_code == 400
    assert refused.context["form"].errors == {"value": ["JPY amounts have no decimals."]}
    assert refused_minimum.context["form"].errors == {
        "minimum_subtotal": ["JPY amounts have no decimals."]
    }
    assert created.status_code == 302
    assert Promotion.objects.get(shop=shop).value == Decimal("100")
