"""Wishlists: saving and removing products, the list with price drops and restocks, and the
notifications that announce them exactly once."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.models import Product, StockMovement, WishlistItem
from catalog.services.products import product_update, variant_update
from catalog.services.stock import stock_adjust, stock_reserve
from catalog.services.wishlists import wishlist_add
from catalog.tests.factories import ProductFactory, VariantFactory
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def shopper() -> User:
    return UserFactory()


@pytest.fixture
def product() -> Product:
    return ProductFactory(price=Decimal("20.00"))


# --- Saving and removing ------------------------------------------------------------------------


def test_saving_a_product_remembers_its_lowest_price_and_stock(shopper: User) -> None:
    product = ProductFactory(price=Decimal("20.00"), default_variant__inventory_count=0)
    VariantFactory(product=product, price=Decimal("15.00"), inventory_count=0)

    response = _client(shopper).post("/api/v1/wishlist", {"product_id": product.pk})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["product_id"], body["price"], body["price_when_saved"]) == (
        product.pk,
        "15.00",
        "15.00",
    )
    assert (body["price_dropped"], body["in_stock"], body["back_in_stock"]) == (
        False,
        False,
        False,
    )
    item = WishlistItem.objects.get(user=shopper)
    assert (item.price_when_saved, item.had_stock_when_saved) == (Decimal("15.00"), False)


def test_saving_twice_keeps_one_item(shopper: User, product: Product) -> None:
    _client(shopper).post("/api/v1/wishlist", {"product_id": product.pk})

    response = _client(shopper).post("/api/v1/wishlist", {"product_id": product.pk})

    assert response.status_code == 200
    assert WishlistItem.objects.filter(user=shopper).count() == 1


def test_drafts_and_unknown_products_cannot_be_saved(shopper: User) -> None:
    draft = ProductFactory(status=Product.Status.DRAFT)

    for product_id in (draft.pk, 987654321):
        response = _client(shopper).post("/api/v1/wishlist", {"product_id": product_id})
        assert response.status_code == 404

    assert not WishlistItem.objects.exists()


def test_removing_a_product(shopper: User, product: Product) -> None:
    wishlist_add(user=shopper, product_id=product.pk)

    response = _client(shopper).delete(f"/api/v1/wishlist/{product.pk}")

    assert response.status_code == 204
    assert not WishlistItem.objects.exists()
    assert _client(shopper).delete(f"/api/v1/wishlist/{product.pk}").status_code == 404


def test_a_wishlist_is_its_owners_alone(shopper: User, product: Product) -> None:
    wishlist_add(user=shopper, product_id=product.pk)
    stranger = UserFactory()

    assert _client(stranger).get("/api/v1/wishlist").json()["results"] == []
    assert _client(stranger).delete(f"/api/v1/wishlist/{product.pk}").status_code == 404
    assert WishlistItem.objects.filter(user=shopper).count() == 1
    assert _client().get("/api/v1/wishlist").status_code == 401


def test_the_list_shows_price_drops_and_restocks(shopper: User) -> None:
    cheaper = ProductFactory(price=Decimal("20.00"))
    restocked = ProductFactory(default_variant__inventory_count=0)
    wishlist_add(user=shopper, product_id=cheaper.pk)
    wishlist_add(user=shopper, product_id=restocked.pk)
    product_update(product=cheaper, actor=None, data={"price": Decimal("16.50")})
    stock_adjust(
        variant=restocked.variants.get(),
        delta=3,
        reason=StockMovement.Reason.RESTOCK,
        actor=None,
    )

    response = _client(shopper).get("/api/v1/wishlist")

    by_id = {item["product_id"]: item for item in response.json()["results"]}
    assert (
        by_id[cheaper.pk]["price"],
        by_id[cheaper.pk]["price_when_saved"],
        by_id[cheaper.pk]["price_dropped"],
    ) == ("16.50", "20.00", True)
    assert (by_id[restocked.pk]["in_stock"], by_id[restocked.pk]["back_in_stock"]) == (True, True)


def test_the_wishlist_endpoint_keeps_to_its_query_budget(
    shopper: User, django_assert_max_num_queries
) -> None:
    for _ in range(6):
        wishlist_add(user=shopper, product_id=ProductFactory().pk)

    with django_assert_max_num_queries(5):
        response = _client(shopper).get("/api/v1/wishlist")

    assert len(response.json()["results"]) == 6


# --- Notifications --------------------------------------------------------------------------------


def _notifications(kind: str) -> list[tuple[User, str]]:
    return [
        (notification.user, notification.title)
        for notification in Notification.objects.filter(kind=kind).order_by("user_id")
    ]


def test_a_price_drop_is_announced_to_each_saver_once(
    product: Product, django_capture_on_commit_callbacks
) -> None:
    first, second = UserFactory(), UserFactory()
    wishlist_add(user=first, product_id=product.pk)
    wishlist_add(user=second, product_id=product.pk)

    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=product, actor=None, data={"price": Decimal("18.00")})
    with django_capture_on_commit_callbacks(execute=True):
        # The same price again, and a change that is no drop: nothing new to tell.
        product_update(product=product, actor=None, data={"price": Decimal("19.00")})
        product_update(product=product, actor=None, data={"price": Decimal("18.00")})

    assert _notifications(Kind.WISHLIST_PRICE_DROP) == [
        (first, f"{product.title} costs less now"),
        (second, f"{product.title} costs less now"),
    ]
    notification = Notification.objects.filter(user=first).get()
    assert notification.data == {"product_id": product.pk, "price": "18.00"}
    assert notification.link == f"/p/{product.pk}/{product.slug}/"


def test_a_further_drop_is_announced_again(
    product: Product, shopper: User, django_capture_on_commit_callbacks
) -> None:
    wishlist_add(user=shopper, product_id=product.pk)
    variant = product.variants.get()

    with django_capture_on_commit_callbacks(execute=True):
        variant_update(variant=variant, actor=None, data={"price": Decimal("17.00")})
    with django_capture_on_commit_callbacks(execute=True):
        variant_update(variant=variant, actor=None, data={"price": Decimal("12.00")})

    prices = [n.data["price"] for n in Notification.objects.order_by("created", "id")]
    assert prices == ["17.00", "12.00"]


def test_a_redelivered_price_drop_event_is_not_announced_twice(
    product: Product, shopper: User, django_capture_on_commit_callbacks
) -> None:
    from notifications.subscribers import wishlist_price_drop_notify

    wishlist_add(user=shopper, product_id=product.pk)
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=product, actor=None, data={"price": Decimal("15.00")})

    wishlist_price_drop_notify(product_id=product.pk)

    assert Notification.objects.filter(kind=Kind.WISHLIST_PRICE_DROP).count() == 1


def test_a_price_rise_is_not_announced(
    product: Product, shopper: User, django_capture_on_commit_callbacks
) -> None:
    wishlist_add(user=shopper, product_id=product.pk)

    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=product, actor=None, data={"price": Decimal("25.00")})

    assert not Notification.objects.exists()


def test_back_in_stock_is_announced_once_per_restock(
    shopper: User, django_capture_on_commit_callbacks
) -> None:
    product = ProductFactory(default_variant__inventory_count=0)
    variant = product.variants.get()
    wishlist_add(user=shopper, product_id=product.pk)

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(variant=variant, delta=2, reason=StockMovement.Reason.RESTOCK, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        # More stock on top of some: the product never sold out, nothing to tell.
        stock_adjust(variant=variant, delta=5, reason=StockMovement.Reason.RESTOCK, actor=None)

    assert _notifications(Kind.WISHLIST_BACK_IN_STOCK) == [
        (shopper, f"{product.title} is back in stock")
    ]

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(variant=variant, quantity=7)
        stock_adjust(variant=variant, delta=1, reason=StockMovement.Reason.RETURN, actor=None)

    assert len(_notifications(Kind.WISHLIST_BACK_IN_STOCK)) == 2


def test_a_variant_restocked_while_another_had_stock_is_no_news(
    shopper: User, django_capture_on_commit_callbacks
) -> None:
    product = ProductFactory(default_variant__inventory_count=4)
    empty = VariantFactory(product=product, inventory_count=0)
    wishlist_add(user=shopper, product_id=product.pk)

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(variant=empty, delta=3, reason=StockMovement.Reason.RESTOCK, actor=None)

    assert not Notification.objects.exists()


def test_a_redelivered_restock_event_is_not_announced_twice(
    shopper: User, django_capture_on_commit_callbacks
) -> None:
    from notifications.subscribers import wishlist_back_in_stock_notify

    product = ProductFactory(default_variant__inventory_count=0)
    wishlist_add(user=shopper, product_id=product.pk)
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(
            variant=product.variants.get(),
            delta=2,
            reason=StockMovement.Reason.RESTOCK,
            actor=None,
        )
    movement = StockMovement.objects.filter(variant__product=product).latest("id")

    wishlist_back_in_stock_notify(product_id=product.pk, movement_id=movement.pk)

    assert Notification.objects.filter(kind=Kind.WISHLIST_BACK_IN_STOCK).count() == 1
