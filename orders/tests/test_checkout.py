from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.exceptions import NotPurchasableError, OutOfStockError
from catalog.models import Product, StockMovement
from catalog.tests.factories import CategoryFactory, ProductFactory
from marketmate.models import AuditLog
from orders.exceptions import CheckoutError, IdempotencyKeyReusedError, NotVerifiedError
from orders.models import CartItem, CheckoutRequest, Order, Promotion, PromotionUsage
from orders.services.checkout import checkout_place
from orders.tests.factories import (
    PromotionFactory,
    ShippingMethodFactory,
    TaxRateFactory,
    WeightBandFactory,
)
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
D = Decimal


def variant_of(shop=None, *, price="10.00", stock=10, weight=0, **product):
    product = ProductFactory(
        **({"shop": shop} if shop is not None else {}),
        price=D(price),
        default_variant__inventory_count=stock,
        default_variant__weight_grams=weight,
        **product,
    )
    return product.variants.get()


# --- Placing orders -------------------------------------------------------------------------------
def test_a_cart_from_two_shops_becomes_two_orders_with_stock_reserved(buyer, place) -> None:
    mugs = variant_of(ShopFactory(name="Mugs", currency="USD"), price="12.00", stock=5)
    tea = variant_of(ShopFactory(name="Tea", currency="EUR"), price="4.50", stock=3)

    result = place(buyer, (mugs, 2), (tea, 3))

    orders = sorted(result.orders, key=lambda order: order.currency)
    assert [(o.shop.name, o.currency, o.status, o.total) for o in orders] == [
        ("Tea", "EUR", "pending", D("13.50")),
        ("Mugs", "USD", "pending", D("24.00")),
    ]
    assert len({order.checkout_reference for order in orders}) == 1
    mugs.refresh_from_db()
    tea.refresh_from_db()
    assert (mugs.inventory_count, tea.inventory_count) == (3, 0)
    assert set(
        StockMovement.objects.filter(reason="order").values_list("reference", flat=True)
    ) == {order.number for order in orders}
    assert not CartItem.objects.filter(cart__user=buyer).exists()


def test_an_order_snapshots_its_lines_address_and_history(buyer, place, address) -> None:
    variant = variant_of(price="7.25", title="Blue mug")
    variant.options = {"colour": "blue"}
    variant.save(update_fields=["options"])

    order = place(buyer, (variant, 2)).orders[0]

    line = order.lines.get()
    assert (line.product_title, line.sku, line.options, line.unit_price, line.quantity) == (
        "Blue mug",
        variant.sku,
        {"colour": "blue"},
        D("7.25"),
        2,
    )
    assert (line.subtotal, line.discount, line.tax, line.total) == (
        D("14.50"),
        D("0.00"),
        D("0.00"),
        D("14.50"),
    )
    assert order.shipping_address == address
    assert order.shipping_method_name == "Standard"
    assert order.number.startswith(f"MM-{timezone.now():%y%m%d}-")
    assert len(order.number) == 15
    assert list(order.status_changes.values_list("from_status", "to_status")) == [("", "pending")]
    assert AuditLog.objects.filter(action="order.place", entity_id=str(order.pk)).count() == 1


def test_an_unverified_shopper_cannot_check_out(fill_cart, address) -> None:
    shopper = UserFactory(verified=False)
    cart = fill_cart(shopper, (variant_of(), 1))

    with pytest.raises(NotVerifiedError) as refused:
        checkout_place(buyer=shopper, cart=cart, address=address)

    assert refused.value.status_code == 403
    assert not Order.objects.exists()


def test_an_empty_cart_cannot_be_checked_out(buyer, fill_cart, address) -> None:
    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=fill_cart(buyer), address=address)

    assert refused.value.code == "cart_empty"


def test_an_item_withdrawn_after_adding_stops_the_checkout(buyer, fill_cart, address) -> None:
    variant = variant_of()
    cart = fill_cart(buyer, (variant, 1))
    Product.objects.filter(pk=variant.product_id).update(status=Product.Status.ARCHIVED)

    with pytest.raises(NotPurchasableError):
        checkout_place(buyer=buyer, cart=cart, address=address)

    assert not Order.objects.exists()


def test_stock_sold_elsewhere_meanwhile_is_409_and_nothing_is_placed(
    buyer, fill_cart, address
) -> None:
    plenty = variant_of(stock=10)
    scarce = variant_of(stock=2)
    cart = fill_cart(buyer, (plenty, 1), (scarce, 2))
    type(scarce).objects.filter(pk=scarce.pk).update(inventory_count=1)

    with pytest.raises(OutOfStockError) as refused:
        checkout_place(buyer=buyer, cart=cart, address=address)

    assert refused.value.status_code == 409
    plenty.refresh_from_db()
    assert plenty.inventory_count == 10
    assert not Order.objects.exists()
    assert cart.items.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("full_name", ""), ("line1", "  "), ("country", "XX"), ("city", "")],
)
def test_an_incomplete_address_is_refused_with_field_messages(
    buyer, fill_cart, address, field, value
) -> None:
    cart = fill_cart(buyer, (variant_of(), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=cart, address={**address, field: value})

    assert list(refused.value.fields["shipping_address"]) == [field]


def test_an_address_id_that_is_not_the_shoppers_is_refused(buyer, fill_cart) -> None:
    cart = fill_cart(buyer, (variant_of(), 1))
    someone_elses = AddressFactory()

    for address_id in (999_999, someone_elses.pk):
        with pytest.raises(CheckoutError) as refused:
            checkout_place(buyer=buyer, cart=cart, address_id=address_id)
        assert refused.value.fields == {"address_id": ["Not one of your saved addresses."]}
    assert not Order.objects.exists()


def test_a_saved_address_is_snapshotted_onto_the_order(buyer, place) -> None:
    saved = AddressFactory(
        user=buyer,
        full_name="Grace Hopper",
        line1="1 Navy Yard",
        city="Berlin",
        postal_code="10115",
        country="DE",
        phone="+49 30 1",
    )

    order = place(buyer, (variant_of(), 1), address_id=saved.pk, address=None).orders[0]
    saved.delete()

    order.refresh_from_db()
    assert order.shipping_address == {
        "full_name": "Grace Hopper",
        "line1": "1 Navy Yard",
        "line2": "",
        "city": "Berlin",
        "region": "",
        "postal_code": "10115",
        "country": "DE",
        "phone": "+49 30 1",
    }


# --- Idempotency ----------------------------------------------------------------------------------
def test_replaying_the_same_key_and_body_returns_the_same_orders(buyer, fill_cart, address) -> None:
    variant = variant_of(stock=5)
    cart = fill_cart(buyer, (variant, 2))

    first = checkout_place(buyer=buyer, cart=cart, address=address, idempotency_key="k-1")
    fill_cart(buyer, (variant, 1))  # the cart changes; a replay must still not buy again
    again = checkout_place(buyer=buyer, cart=cart, address=address, idempotency_key="k-1")

    assert again.replayed is True
    assert again.checkout_reference == first.checkout_reference
    assert [o.pk for o in again.orders] == [o.pk for o in first.orders]
    assert Order.objects.count() == 1
    variant.refresh_from_db()
    assert variant.inventory_count == 3
    assert CheckoutRequest.objects.get(user=buyer).key == "k-1"


def test_the_same_key_with_a_different_body_is_refused(buyer, fill_cart, address) -> None:
    cart = fill_cart(buyer, (variant_of(), 1))
    checkout_place(buyer=buyer, cart=cart, address=address, idempotency_key="k-2")
    fill_cart(buyer, (variant_of(), 1))

    with pytest.raises(IdempotencyKeyReusedError) as refused:
        checkout_place(
            buyer=buyer, cart=cart, address={**address, "city": "Elsewhere"}, idempotency_key="k-2"
        )

    assert refused.value.status_code == 422
    assert Order.objects.count() == 1


def test_keys_are_per_shopper(buyer, fill_cart, address) -> None:
    other = UserFactory()
    checkout_place(
        buyer=buyer, cart=fill_cart(buyer, (variant_of(), 1)), address=address, idempotency_key="k"
    )

    result = checkout_place(
        buyer=other, cart=fill_cart(other, (variant_of(), 1)), address=address, idempotency_key="k"
    )

    assert result.replayed is False
    assert Order.objects.count() == 2


def test_a_failed_checkout_does_not_burn_its_key(buyer, fill_cart, address) -> None:
    variant = variant_of(stock=1)
    cart = fill_cart(buyer, (variant, 1))
    type(variant).objects.filter(pk=variant.pk).update(inventory_count=0)
    with pytest.raises(OutOfStockError):
        checkout_place(buyer=buyer, cart=cart, address=address, idempotency_key="k-3")
    type(variant).objects.filter(pk=variant.pk).update(inventory_count=1)

    result = checkout_place(buyer=buyer, cart=cart, address=address, idempotency_key="k-3")

    assert result.replayed is False
    assert len(result.orders) == 1


# --- Tax ------------------------------------------------------------------------------------------
def test_tax_exclusive_shop_adds_the_destination_rate(buyer, place, address) -> None:
    TaxRateFactory(country="DE", rate=D("0.19"))
    shop = ShopFactory(prices_include_tax=False, currency="EUR")

    order = place(buyer, (variant_of(shop, price="19.99"), 3), address={**address, "country": "DE"})
    order = order.orders[0]

    assert (order.subtotal, order.tax, order.shipping, order.total) == (
        D("59.97"),
        D("11.39"),
        D("0.00"),
        D("71.36"),
    )
    assert order.tax_rate == D("0.1900")


def test_tax_inclusive_shop_shows_the_tax_inside_the_price(buyer, place, address) -> None:
    TaxRateFactory(country="DE", rate=D("0.19"))
    shop = ShopFactory(prices_include_tax=True, currency="EUR")

    order = place(buyer, (variant_of(shop, price="11.90"), 2), address={**address, "country": "DE"})
    order = order.orders[0]

    assert (order.subtotal, order.tax, order.total) == (D("23.80"), D("3.80"), D("23.80"))
    assert order.lines.get().tax == D("3.80")


def test_a_regional_rate_wins_over_the_countrys(buyer, place, address) -> None:
    TaxRateFactory(country="CA", rate=D("0.05"), name="GST")
    TaxRateFactory(country="CA", region="QC", rate=D("0.14975"), name="GST+QST")
    shop = ShopFactory(prices_include_tax=False, currency="CAD")

    quebec = place(
        buyer,
        (variant_of(shop, price="100.00"), 1),
        address={**address, "country": "CA", "region": "qc"},
    ).orders[0]
    ontario = place(
        buyer,
        (variant_of(shop, price="100.00"), 1),
        address={**address, "country": "CA", "region": "ON"},
    ).orders[0]

    assert (quebec.tax, quebec.total) == (D("14.98"), D("114.98"))
    assert (ontario.tax, ontario.total) == (D("5.00"), D("105.00"))


def test_a_destination_without_a_rate_pays_no_tax(buyer, place) -> None:
    order = place(buyer, (variant_of(ShopFactory(prices_include_tax=False)), 1)).orders[0]

    assert (order.tax, order.total) == (D("0.00"), D("10.00"))


# --- Shipping -------------------------------------------------------------------------------------
def test_a_shop_without_methods_ships_free_with_standard(buyer, place) -> None:
    order = place(buyer, (variant_of(), 1)).orders[0]

    assert (order.shipping_method, order.shipping_method_name, order.shipping) == (
        None,
        "Standard",
        D("0.00"),
    )


def test_the_default_method_applies_unless_another_is_chosen(buyer, place) -> None:
    shop = ShopFactory()
    ShippingMethodFactory(shop=shop, name="Economy", price=D("3.00"))
    express = ShippingMethodFactory(shop=shop, name="Express", price=D("9.00"), is_default=True)
    economy = shop.shipping_methods.get(name="Economy")

    by_default = place(buyer, (variant_of(shop), 1)).orders[0]
    chosen = place(buyer, (variant_of(shop), 1), shipping_methods={shop.pk: economy.pk}).orders[0]

    assert (by_default.shipping_method, by_default.shipping, by_default.total) == (
        express,
        D("9.00"),
        D("19.00"),
    )
    assert (chosen.shipping_method, chosen.shipping, chosen.total) == (
        economy,
        D("3.00"),
        D("13.00"),
    )


def test_flat_rate_free_above_a_threshold(buyer, place) -> None:
    shop = ShopFactory()
    ShippingMethodFactory(shop=shop, kind="free_above", price=D("4.90"), free_above=D("30.00"))

    small = place(buyer, (variant_of(shop, price="29.99"), 1)).orders[0]
    big = place(buyer, (variant_of(shop, price="15.00"), 2)).orders[0]

    assert (small.shipping, small.total) == (D("4.90"), D("34.89"))
    assert (big.shipping, big.total) == (D("0.00"), D("30.00"))


def test_weight_bands_price_by_the_parcels_weight(buyer, place) -> None:
    shop = ShopFactory()
    light = WeightBandFactory(method__shop=shop, up_to_grams=1000, price=D("4.00"))
    WeightBandFactory(method=light.method, up_to_grams=5000, price=D("11.50"))

    parcel = place(buyer, (variant_of(shop, weight=600), 2)).orders[0]

    assert (parcel.shipping, parcel.total) == (D("11.50"), D("31.50"))


def test_a_parcel_heavier_than_every_band_cannot_ship(buyer, fill_cart, address) -> None:
    shop = ShopFactory(name="Anvils")
    WeightBandFactory(method__shop=shop, up_to_grams=1000, price=D("4.00"))
    cart = fill_cart(buyer, (variant_of(shop, weight=1500), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=cart, address=address)

    assert refused.value.code == "invalid_shipping"
    assert refused.value.fields == {
        "shipping_methods": {
            str(shop.pk): ["Anvils does not ship this order to United States of America."]
        }
    }


def test_methods_only_ship_to_their_country_group(buyer, fill_cart, address) -> None:
    shop = ShopFactory()
    europe = ShippingMethodFactory(shop=shop, countries=["DE", "FR"])
    cart = fill_cart(buyer, (variant_of(shop), 1))

    with pytest.raises(CheckoutError) as to_us:
        checkout_place(buyer=buyer, cart=cart, address=address)
    to_france = checkout_place(buyer=buyer, cart=cart, address={**address, "country": "FR"})

    assert to_us.value.code == "invalid_shipping"
    assert to_france.orders[0].shipping_method == europe


def test_another_shops_method_cannot_be_chosen(buyer, fill_cart, address) -> None:
    shop = ShopFactory()
    ShippingMethodFactory(shop=shop)
    elsewhere = ShippingMethodFactory()
    cart = fill_cart(buyer, (variant_of(shop), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(
            buyer=buyer, cart=cart, address=address, shipping_methods={shop.pk: elsewhere.pk}
        )

    assert refused.value.fields == {
        "shipping_methods": {
            str(shop.pk): ["Choose one of the shipping methods offered for this address."]
        }
    }


def test_a_method_for_a_shop_not_in_the_cart_is_refused(buyer, fill_cart, address) -> None:
    stranger = ShopFactory()
    cart = fill_cart(buyer, (variant_of(), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=cart, address=address, shipping_methods={stranger.pk: 1})

    assert refused.value.code == "invalid_shipping"


def test_inactive_methods_are_not_offered(buyer, place) -> None:
    shop = ShopFactory()
    ShippingMethodFactory(shop=shop, is_active=False, price=D("2.00"))
    live = ShippingMethodFactory(shop=shop, price=D("6.00"))

    order = place(buyer, (variant_of(shop), 1)).orders[0]

    assert order.shipping_method == live


# --- Promotions -----------------------------------------------------------------------------------
def test_a_percentage_coupon_discounts_and_counts_one_use(buyer, place) -> None:
    coupon = PromotionFactory(code="TEN", value=D("10"))

    order = place(buyer, (variant_of(price="25.00"), 2), coupon_code="ten").orders[0]

    assert (order.discount, order.total, order.coupon, order.coupon_code) == (
        D("5.00"),
        D("45.00"),
        coupon,
        "TEN",
    )
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    assert PromotionUsage.objects.get().user == buyer


def test_a_platform_percentage_coupon_applies_to_every_shops_order(buyer, place) -> None:
    PromotionFactory(code="ALL10", value=D("10"), currency="")

    orders = place(
        buyer,
        (variant_of(ShopFactory(currency="USD"), price="20.00"), 1),
        (variant_of(ShopFactory(currency="EUR"), price="30.00"), 1),
        coupon_code="ALL10",
    ).orders

    assert sorted(order.discount for order in orders) == [D("2.00"), D("3.00")]
    assert PromotionUsage.objects.count() == 1


def test_a_platform_fixed_coupon_is_taken_once_from_the_biggest_order(buyer, place) -> None:
    PromotionFactory(code="FIVE", kind="fixed", value=D("5.00"), currency="USD")

    orders = place(
        buyer,
        (variant_of(ShopFactory(currency="USD"), price="20.00"), 1),
        (variant_of(ShopFactory(currency="USD"), price="30.00"), 1),
        coupon_code="FIVE",
    ).orders

    assert sorted((order.subtotal, order.discount) for order in orders) == [
        (D("20.00"), D("0.00")),
        (D("30.00"), D("5.00")),
    ]
    assert sorted(order.coupon_code for order in orders) == ["", "FIVE"]


def test_a_shop_coupon_discounts_only_that_shops_order(buyer, place) -> None:
    mine = ShopFactory(currency="USD")
    PromotionFactory(code="SHOP", kind="fixed", value=D("3.00"), shop=mine)

    orders = place(
        buyer,
        (variant_of(mine, price="10.00"), 1),
        (variant_of(ShopFactory(currency="USD"), price="10.00"), 1),
        coupon_code="SHOP",
    ).orders

    assert {order.shop_id: order.discount for order in orders} == {
        mine.pk: D("3.00"),
        orders[1].shop_id if orders[0].shop_id == mine.pk else orders[0].shop_id: D("0.00"),
    }


def test_a_free_shipping_coupon(buyer, place) -> None:
    shop = ShopFactory()
    ShippingMethodFactory(shop=shop, price=D("6.50"))
    PromotionFactory(code="SHIPFREE", kind="free_shipping", value=D("0"))

    order = place(buyer, (variant_of(shop), 1), coupon_code="SHIPFREE").orders[0]

    assert (order.shipping, order.total) == (D("0.00"), D("10.00"))


def test_an_automatic_category_promotion_needs_no_code(buyer, place) -> None:
    clothing = CategoryFactory(name="Clothing")
    shirts = CategoryFactory(child_of=clothing, name="Shirts", slug="shirts")
    promotion = PromotionFactory(code="", value=D("10"), name="Autumn")
    promotion.categories.add(clothing)
    shirt = variant_of(price="40.00")
    shirt.product.categories.add(shirts)
    mug = variant_of(price="10.00")

    order = place(buyer, (shirt, 1), (mug, 1)).orders
    discounts = {line.sku: line.discount for o in order for line in o.lines.all()}

    assert discounts == {shirt.sku: D("4.00"), mug.sku: D("0.00")}
    promotion.refresh_from_db()
    assert promotion.times_used == 1


def test_an_automatic_promotion_of_another_shop_does_not_apply(buyer, place) -> None:
    PromotionFactory(code="", value=D("50"), shop=ShopFactory())

    order = place(buyer, (variant_of(price="10.00"), 1)).orders[0]

    assert order.discount == D("0.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"is_active": False}, "This coupon is no longer active."),
        ({"starts_at": timezone.now() + timedelta(days=1)}, "This coupon is not valid yet."),
        ({"ends_at": timezone.now() - timedelta(seconds=1)}, "This coupon has expired."),
        ({"usage_limit": 2, "times_used": 2}, "This coupon has been used up."),
        ({"minimum_subtotal": D("50.01")}, "Spend at least 50.01 USD to use this coupon."),
        ({"shop": "other"}, "This coupon is for a shop you are not buying from."),
        (
            {"currency": "EUR", "kind": "fixed", "value": D("5")},
            "No item in your cart qualifies for this coupon.",
        ),
    ],
)
def test_coupon_refusals_explain_themselves_and_place_nothing(
    buyer, fill_cart, address, changes, message
) -> None:
    if changes.get("shop") == "other":
        changes = {"shop": ShopFactory()}
    PromotionFactory(code="NOPE", **changes)
    cart = fill_cart(buyer, (variant_of(price="50.00"), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=cart, address=address, coupon_code="NOPE")

    assert refused.value.code == "invalid_coupon"
    assert refused.value.fields == {"coupon": [message]}
    assert not Order.objects.exists()


def test_an_unknown_coupon_is_refused(buyer, fill_cart, address) -> None:
    cart = fill_cart(buyer, (variant_of(), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=cart, address=address, coupon_code="NOSUCH")

    assert refused.value.fields == {"coupon": ["There is no coupon with this code."]}


def test_a_category_coupon_without_a_matching_item_is_refused(buyer, fill_cart, address) -> None:
    coupon = PromotionFactory(code="SHIRTS")
    coupon.categories.add(CategoryFactory())
    cart = fill_cart(buyer, (variant_of(), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=cart, address=address, coupon_code="SHIRTS")

    assert refused.value.fields == {"coupon": ["No item in your cart qualifies for this coupon."]}


def test_the_per_shopper_limit_counts_earlier_checkouts(buyer, place, fill_cart, address) -> None:
    PromotionFactory(code="ONCE", usage_limit_per_user=1)
    place(buyer, (variant_of(), 1), coupon_code="ONCE")
    cart = fill_cart(buyer, (variant_of(), 1))

    with pytest.raises(CheckoutError) as refused:
        checkout_place(buyer=buyer, cart=cart, address=address, coupon_code="ONCE")
    someone_else = place(UserFactory(), (variant_of(), 1), coupon_code="ONCE")

    assert refused.value.fields == {"coupon": ["You have already used this coupon."]}
    assert someone_else.orders[0].coupon_code == "ONCE"


def test_the_total_limit_stops_at_exactly_the_limit(buyer, place, fill_cart, address) -> None:
    coupon = PromotionFactory(code="TWICE", usage_limit=2)
    place(UserFactory(), (variant_of(), 1), coupon_code="TWICE")
    place(UserFactory(), (variant_of(), 1), coupon_code="TWICE")
    cart = fill_cart(buyer, (variant_of(), 1))

    with pytest.raises(CheckoutError):
        checkout_place(buyer=buyer, cart=cart, address=address, coupon_code="TWICE")

    coupon.refresh_from_db()
    assert coupon.times_used == 2


def test_promotion_validation_rules() -> None:
    from django.core.exceptions import ValidationError

    cases = [
        (PromotionFactory.build(kind="percentage", value=D("0")), "value"),
        (PromotionFactory.build(kind="percentage", value=D("100.01")), "value"),
        (PromotionFactory.build(kind="fixed", value=D("0")), "value"),
        (PromotionFactory.build(kind="fixed", value=D("5"), currency=""), "currency"),
        (
            PromotionFactory.build(
                starts_at=timezone.now(), ends_at=timezone.now() - timedelta(days=1)
            ),
            "ends_at",
        ),
    ]
    for promotion, field in cases:
        with pytest.raises(ValidationError) as invalid:
            promotion.full_clean()
        assert field in invalid.value.message_dict


def test_coupon_codes_are_unique_whatever_their_case() -> None:
    from django.core.exceptions import ValidationError

    PromotionFactory(code="SPRING")

    with pytest.raises(ValidationError):
        PromotionFactory.build(code="spring").full_clean()
    assert Promotion.objects.count() == 1


def test_the_catalog_knows_a_product_with_orders_must_be_archived(buyer, place) -> None:
    from catalog.selectors import product_has_orders
    from catalog.tests.factories import ProductFactory as Products

    bought = Products(track_inventory=False)
    place(buyer, (bought.variants.get(), 1))

    assert product_has_orders(product=bought) is True
    assert product_has_orders(product=Products()) is False


def test_an_automatic_promotion_respects_its_per_shopper_limit_and_currency(buyer, place):
    PromotionFactory(code="", value=D("10"), usage_limit_per_user=1, name="Welcome")
    PromotionFactory(code="", kind="fixed", value=D("3"), currency="EUR", name="Euro only")

    first = place(buyer, (variant_of(price="20.00"), 1)).orders[0]
    second = place(buyer, (variant_of(price="20.00"), 1)).orders[0]

    assert (first.discount, second.discount) == (D("2.00"), D("0.00"))
