from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from catalog.exceptions import NotPurchasableError, OutOfStockError
from catalog.models import Product
from catalog.tests.factories import ProductFactory, VariantFactory
from marketmate.errors import NotFoundError
from orders.exceptions import CartError
from orders.models import Cart, CartItem
from orders.selectors import CART_SESSION_KEY, cart_get, cart_item_count, cart_summarise
from orders.services.cart import (
    cart_get_or_create,
    cart_item_add,
    cart_item_remove,
    cart_item_update,
    cart_merge,
    cart_merge_session_into_user,
    cart_prices_acknowledge,
)
from orders.tests.factories import CartFactory, CartItemFactory
from shops.models import Shop

pytestmark = pytest.mark.django_db


def test_adding_puts_the_variant_in_the_cart_at_its_current_price() -> None:
    cart = CartFactory()
    variant = VariantFactory(price=Decimal("12.50"), inventory_count=5)

    change = cart_item_add(cart=cart, variant_id=variant.pk, quantity=2)

    assert change.message == ""
    item = CartItem.objects.get(cart=cart)
    assert (item.variant_id, item.quantity, item.price_when_added) == (
        variant.pk,
        2,
        Decimal("12.50"),
    )


def test_adding_the_same_variant_again_adds_up() -> None:
    cart = CartFactory()
    variant = VariantFactory(inventory_count=5)

    cart_item_add(cart=cart, variant_id=variant.pk, quantity=2)
    cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)

    assert CartItem.objects.get(cart=cart).quantity == 3


def test_asking_for_more_than_the_stock_is_clamped_with_a_message() -> None:
    cart = CartFactory()
    variant = VariantFactory(inventory_count=3)

    change = cart_item_add(cart=cart, variant_id=variant.pk, quantity=5)

    assert change.item is not None and change.item.quantity == 3
    assert "Only 3 of" in change.message


def test_adding_when_the_cart_already_holds_all_the_stock_is_refused() -> None:
    cart = CartFactory()
    variant = VariantFactory(inventory_count=2)
    cart_item_add(cart=cart, variant_id=variant.pk, quantity=2)

    with pytest.raises(OutOfStockError):
        cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)

    assert CartItem.objects.get(cart=cart).quantity == 2


def test_an_out_of_stock_variant_is_refused() -> None:
    cart = CartFactory()
    variant = VariantFactory(inventory_count=0)

    with pytest.raises(OutOfStockError) as refused:
        cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)

    assert refused.value.status_code == 409
    assert not CartItem.objects.exists()


def test_untracked_stock_is_only_capped_by_the_line_limit(settings) -> None:
    settings.ORDERS_CART_MAX_QUANTITY = 20
    cart = CartFactory()
    product = ProductFactory(track_inventory=False, default_variant__inventory_count=0)

    change = cart_item_add(cart=cart, variant_id=product.variants.get().pk, quantity=25)

    assert change.item is not None and change.item.quantity == 20


@pytest.mark.parametrize(
    ("product_status", "shop_status"),
    [
        (Product.Status.DRAFT, Shop.Status.ACTIVE),
        (Product.Status.ARCHIVED, Shop.Status.ACTIVE),
        (Product.Status.ACTIVE, Shop.Status.SUSPENDED),
        (Product.Status.ACTIVE, Shop.Status.PENDING),
    ],
)
def test_items_that_are_not_for_sale_are_refused(product_status: str, shop_status: str) -> None:
    cart = CartFactory()
    product = ProductFactory(status=product_status, shop__status=shop_status)

    with pytest.raises(NotPurchasableError):
        cart_item_add(cart=cart, variant_id=product.variants.get().pk, quantity=1)


@pytest.mark.parametrize("quantity", [0, -1, 100_001])
def test_nonsense_quantities_are_refused(quantity: int) -> None:
    cart = CartFactory()
    variant = VariantFactory()

    with pytest.raises(CartError) as refused:
        cart_item_add(cart=cart, variant_id=variant.pk, quantity=quantity)

    assert refused.value.fields == {"quantity": [refused.value.message]}


def test_updating_sets_the_quantity_and_zero_removes() -> None:
    item = CartItemFactory(variant=VariantFactory(inventory_count=10), quantity=1)

    cart_item_update(cart=item.cart, item_id=item.pk, quantity=4)
    item.refresh_from_db()
    assert item.quantity == 4

    change = cart_item_update(cart=item.cart, variant_id=item.variant_id, quantity=0)
    assert change.item is None
    assert not CartItem.objects.exists()


def test_updating_beyond_the_stock_is_clamped() -> None:
    item = CartItemFactory(variant=VariantFactory(inventory_count=4), quantity=1)

    change = cart_item_update(cart=item.cart, item_id=item.pk, quantity=9)

    assert change.item is not None and change.item.quantity == 4
    assert change.message


def test_updating_an_item_no_longer_sold_is_refused() -> None:
    item = CartItemFactory(variant=VariantFactory(), quantity=1)
    Product.objects.filter(pk=item.variant.product_id).update(status=Product.Status.ARCHIVED)

    with pytest.raises(NotPurchasableError):
        cart_item_update(cart=item.cart, item_id=item.pk, quantity=2)


def test_another_carts_item_cannot_be_changed_or_removed() -> None:
    theirs = CartItemFactory(variant=VariantFactory())
    mine = CartFactory()

    with pytest.raises(NotFoundError):
        cart_item_update(cart=mine, item_id=theirs.pk, quantity=2)
    with pytest.raises(NotFoundError):
        cart_item_remove(cart=mine, item_id=theirs.pk)

    assert CartItem.objects.get(pk=theirs.pk).quantity == 1


def test_a_price_change_since_adding_is_shown_until_acknowledged() -> None:
    variant = VariantFactory(price=Decimal("10.00"))
    item = CartItemFactory(variant=variant, quantity=2)
    variant.price = Decimal("12.00")
    variant.save(update_fields=["price"])

    line = cart_summarise(cart=item.cart).lines[0]
    assert (line.price_changed, line.price_when_added, line.unit_price, line.line_total) == (
        True,
        Decimal("10.00"),
        Decimal("12.00"),
        Decimal("24.00"),
    )

    assert cart_prices_acknowledge(cart=item.cart) == 1
    assert cart_summarise(cart=item.cart).price_changes == []


def test_the_summary_groups_by_shop_and_totals_by_currency() -> None:
    usd = VariantFactory(product__shop__currency="USD", price=Decimal("3.00"))
    eur = VariantFactory(product__shop__currency="EUR", price=Decimal("4.50"))
    cart = CartFactory()
    CartItemFactory(cart=cart, variant=usd, quantity=2)
    CartItemFactory(cart=cart, variant=eur, quantity=1)

    summary = cart_summarise(cart=cart)

    assert len(summary.groups) == 2
    assert summary.item_count == 3
    assert summary.totals_by_currency == {"USD": Decimal("6.00"), "EUR": Decimal("4.50")}


def test_an_anonymous_cart_lives_with_the_session() -> None:
    session = SessionStore()

    cart = cart_get_or_create(user=AnonymousUser(), session=session)
    cart_item_add(cart=cart, variant_id=VariantFactory().pk, quantity=2)

    assert session[CART_SESSION_KEY] == cart.pk
    assert cart.user is None
    assert cart_get(user=AnonymousUser(), session=session) == cart
    assert cart_item_count(user=AnonymousUser(), session=session) == 2
    assert cart_get(user=AnonymousUser(), session=SessionStore()) is None


def test_a_session_cannot_point_at_a_users_cart() -> None:
    users_cart = CartFactory()
    session = SessionStore()
    session[CART_SESSION_KEY] = users_cart.pk

    assert cart_get(user=AnonymousUser(), session=session) is None


def test_merging_adds_quantities_clamped_to_stock_and_keeps_the_earlier_price() -> None:
    shared = VariantFactory(inventory_count=5, price=Decimal("8.00"))
    only_anonymous = VariantFactory(inventory_count=5)
    anonymous = CartFactory(user=None)
    CartItemFactory(cart=anonymous, variant=shared, quantity=4, price_when_added=Decimal("7.00"))
    CartItemFactory(cart=anonymous, variant=only_anonymous, quantity=1)
    users = CartFactory()
    CartItemFactory(cart=users, variant=shared, quantity=3)

    cart_merge(source=anonymous, target=users)

    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    items = {item.variant_id: item for item in users.items.all()}
    assert (items[shared.pk].quantity, items[shared.pk].price_when_added) == (5, Decimal("7.00"))
    assert items[only_anonymous.pk].quantity == 1


def test_merging_an_empty_session_cart_just_forgets_it() -> None:
    user = UserFactory()
    session = SessionStore()
    anonymous = cart_get_or_create(user=AnonymousUser(), session=session)

    cart_merge_session_into_user(session=session, user=user)

    assert CART_SESSION_KEY not in session
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert not Cart.objects.filter(user=user).exists()


def test_signing_in_merges_the_anonymous_cart_into_the_users_cart() -> None:
    # Given a shopper who filled a cart before signing in
    user = UserFactory(email="merge@example.com")
    kept = VariantFactory(inventory_count=9)
    CartItemFactory(cart=CartFactory(user=user), variant=kept, quantity=1)
    added = VariantFactory(inventory_count=9)
    client = Client()
    client.post("/api/v1/cart", {"variant_id": added.pk, "quantity": 2}, "application/json")
    client.post("/api/v1/cart", {"variant_id": kept.pk, "quantity": 2}, "application/json")

    # When they sign in
    assert client.login(email="merge@example.com", password=DEFAULT_PASSWORD)

    # Then their cart holds both
    quantities = dict(Cart.objects.get(user=user).items.values_list("variant_id", "quantity"))
    assert quantities == {kept.pk: 3, added.pk: 2}
    assert Cart.objects.filter(user__isnull=True).count() == 0
    assert client.get("/api/v1/cart").json()["item_count"] == 5
