from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.models import ProductVariant
from orders.models import Cart
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import CheckoutResult, checkout_place


@pytest.fixture
def buyer(db: None) -> User:
    return UserFactory(email="shopper@example.com", verified=True)


@pytest.fixture
def address() -> dict[str, str]:
    return {
        "full_name": "Ada Shopper",
        "line1": "1 Market Street",
        "line2": "",
        "city": "Springfield",
        "region": "",
        "postal_code": "12345",
        "country": "US",
        "phone": "",
    }


@pytest.fixture
def fill_cart() -> Callable[..., Cart]:
    """`fill_cart(user, (variant, quantity), ...)`: the user's cart holding those items."""

    def fill(user: User, *items: tuple[ProductVariant, int]) -> Cart:
        cart = cart_get_or_create(user=user, session={})  # type: ignore[arg-type]
        for variant, quantity in items:
            cart_item_add(cart=cart, variant_id=variant.pk, quantity=quantity)
        return cart

    return fill


@pytest.fixture
def place(address: dict[str, str], fill_cart: Callable[..., Cart]) -> Callable[..., CheckoutResult]:
    """`place(user, (variant, quantity), ..., **checkout_place kwargs)`: a placed checkout."""

    def do(user: User, *items: tuple[ProductVariant, int], **kwargs: Any) -> CheckoutResult:
        cart = fill_cart(user, *items)
        kwargs.setdefault("address", address)
        return checkout_place(buyer=user, cart=cart, **kwargs)

    return do
