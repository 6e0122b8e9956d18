"""Object-level authorization, swept over every URL that names an object.

Every URL pattern with a path parameter (API and pages) either has an entry in `MATRIX`, which
says whose object it names and how to build it, or a reason in `NOT_OBJECT_URLS` why its
parameter names nothing private. A new object URL without either fails
`test_every_object_url_is_in_the_sweep`.

For each entry and each HTTP method its view answers, three callers try the object:
- another user (a shopper with no relation to it),
- another shop (the owner of a different, active shop),
- its own owner after a ban, with the token or session they had before it;
and get 404 (or 403 from a shop-role check, 401 or the sign-in page once banned): never a 2xx,
never a 500. The owner, not banned, reaches the same URL (no 404), so a wrong URL in the matrix
cannot pass unnoticed.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_ban, user_tokens_issue, user_unban
from accounts.tests.factories import AddressFactory, UserFactory
from catalog.models import Product, ProductImage, ProductVariant, Review
from catalog.services.images import image_add
from catalog.services.reviews import review_create
from catalog.tests.factories import ProductFactory, VariantFactory
from catalog.tests.images import image_upload
from catalog.tests.purchases import order_of
from chat.models import Conversation, Message
from chat.tests.factories import ConversationFactory, MessageFactory, order_placed
from integrations.models import ShopApiKey, WebhookDelivery, WebhookEndpoint
from integrations.tests.factories import (
    ShopApiKeyFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory
from orders.models import CartItem, Order, Promotion, ShippingMethod
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.tests.factories import PromotionFactory, ShippingMethodFactory
from payments.models import Invoice, Payment
from payments.services.invoices import invoice_render
from payments.services.payments import payment_confirm_card, payments_create
from shops.models import Shop, ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db

TEST_CARD = "4242424242424242"


class World:
    """A buyer and a shop with one of everything, each made only when an entry asks for it."""

    def __init__(self) -> None:
        self.buyer: User = UserFactory(email="owner-buyer@example.com")
        self.shop: Shop = ShopFactory(owner=UserFactory(role=User.Role.VENDOR))
        self.vendor: User = self.shop.owner

    @cached_property
    def product(self) -> Product:
        return ProductFactory(shop=self.shop)

    @cached_property
    def variant(self) -> ProductVariant:
        return VariantFactory(product=self.product, inventory_count=10, price=Decimal("9.00"))

    @cached_property
    def image(self) -> ProductImage:
        return image_add(product=self.product, actor=self.vendor, upload=image_upload())

    @cached_property
    def member(self) -> ShopMember:
        return ShopMemberFactory(shop=self.shop, role=ShopMember.Role.STAFF)

    @cached_property
    def promotion(self) -> Promotion:
        return PromotionFactory(shop=self.shop)

    @cached_property
    def shipping_method(self) -> ShippingMethod:
        return ShippingMethodFactory(shop=self.shop)

    @cached_property
    def address(self) -> Any:
        return AddressFactory(user=self.buyer)

    @cached_property
    def cart_item(self) -> CartItem:
        cart = cart_get_or_create(user=self.buyer, session={})  # type: ignore[arg-type]
        cart_item_add(cart=cart, variant_id=self.variant.pk, quantity=1)
        return cart.items.get(variant=self.variant)

    @cached_property
    def order(self) -> Order:
        """Pending payment: what a buyer may still pay or cancel."""
        return order_placed(buyer=self.buyer, shop=self.shop)

    @cached_property
    def payment(self) -> Payment:
        return payments_create(buyer=self.buyer, order_ids=[self.order.pk])[0]

    @cached_property
    def paid_order(self) -> Order:
        order = order_placed(buyer=self.buyer, shop=self.shop)
        payment = payments_create(buyer=self.buyer, order_ids=[order.pk])[0]
        payment_confirm_card(payment=payment, card_number=TEST_CARD)
        return Order.objects.get(pk=order.pk)

    @cached_property
    def invoice(self) -> Invoice:
        return invoice_render(order=self.paid_order)

    @cached_property
    def review(self) -> Review:
        order_of(self.buyer, self.product)
        return review_create(buyer=self.buyer, product=self.product, rating=4, title="Good")

    @cached_property
    def conversation(self) -> Conversation:
        conversation = ConversationFactory(buyer=self.buyer, shop=self.shop)
        MessageFactory(conversation=conversation)
        return conversation

    @cached_property
    def message(self) -> Message:
        return self.conversation.messages.get()

    @cached_property
    def notification(self) -> Notification:
        return NotificationFactory(user=self.buyer)

    @cached_property
    def api_key(self) -> ShopApiKey:
        return ShopApiKeyFactory(shop=self.shop)

    @cached_property
    def webhook_endpoint(self) -> WebhookEndpoint:
        return WebhookEndpointFactory(shop=self.shop)

    @cached_property
    def webhook_delivery(self) -> WebhookDelivery:
        return WebhookDeliveryFactory(endpoint=self.webhook_endpoint)


@dataclass(frozen=True)
class Target:
    """Whose object a URL names (`buyer` or `shop`), its URL kwargs, the methods anyone may use
    on it (a public product's page, say), and the page (URL name) a form sends a refused caller
    back to, where the form acts only on the caller's own things (their cart)."""

    owner: str
    kwargs: Callable[[World], dict[str, Any]]
    public: frozenset[str] = frozenset()
    refused_to: str = ""


BUYER, SHOP = "buyer", "shop"


def _endpoint_kwargs(world: World) -> dict[str, Any]:
    return {"shop_id": world.shop.pk, "endpoint_id": world.webhook_endpoint.pk}


READ = frozenset({"get"})

MATRIX: dict[str, Target] = {
    # --- API: the buyer's objects
    "v1:users-me-address": Target(BUYER, lambda w: {"address_id": w.address.pk}),
    "v1:cart-item": Target(BUYER, lambda w: {"item_id": w.cart_item.pk}),
    "v1:order-detail": Target(BUYER, lambda w: {"order_id": w.order.pk}),
    "v1:order-cancel": Target(BUYER, lambda w: {"order_id": w.order.pk}),
    "v1:payment-detail": Target(BUYER, lambda w: {"pk": w.payment.pk}),
    "v1:payment-confirm": Target(BUYER, lambda w: {"pk": w.payment.pk}),
    "v1:order-invoice": Target(BUYER, lambda w: {"pk": w.invoice.order_id}),
    "v1:chat-conversation": Target(BUYER, lambda w: {"pk": w.conversation.pk}),
    "v1:chat-messages": Target(BUYER, lambda w: {"pk": w.conversation.pk}),
    "v1:chat-read": Target(BUYER, lambda w: {"pk": w.conversation.pk}),
    "v1:chat-report": Target(BUYER, lambda w: {"pk": w.conversation.pk}),
    "v1:notifications-read": Target(BUYER, lambda w: {"pk": w.notification.pk}),
    # --- API: the shop's objects
    "v1:shop-detail": Target(SHOP, lambda w: {"shop_id": w.shop.pk}, public=READ),
    "v1:shop-members": Target(SHOP, lambda w: {"shop_id": w.shop.pk}),
    "v1:shop-member-detail": Target(
        SHOP, lambda w: {"shop_id": w.shop.pk, "member_id": w.member.pk}
    ),
    "v1:shop-products": Target(SHOP, lambda w: {"shop_id": w.shop.pk}),
    "v1:product-detail": Target(SHOP, lambda w: {"product_id": w.product.pk}, public=READ),
    "v1:product-images": Target(SHOP, lambda w: {"product_id": w.product.pk}),
    "v1:product-images-order": Target(SHOP, lambda w: {"product_id": w.product.pk}),
    "v1:product-image-detail": Target(
        SHOP, lambda w: {"product_id": w.product.pk, "image_id": w.image.pk}
    ),
    "v1:product-variants": Target(SHOP, lambda w: {"product_id": w.product.pk}, public=READ),
    "v1:product-variant-detail": Target(
        SHOP, lambda w: {"product_id": w.product.pk, "variant_id": w.variant.pk}, public=READ
    ),
    "v1:inventory-adjustments": Target(SHOP, lambda w: {"variant_id": w.variant.pk}),
    "v1:order-ship": Target(SHOP, lambda w: {"order_id": w.paid_order.pk}),
    "v1:order-complete": Target(SHOP, lambda w: {"order_id": w.paid_order.pk}),
    "v1:order-refunds": Target(SHOP, lambda w: {"pk": w.paid_order.pk}),
    "v1:shop-balance": Target(SHOP, lambda w: {"pk": w.shop.pk}),
    "v1:shop-ledger": Target(SHOP, lambda w: {"pk": w.shop.pk}),
    "v1:shop-payouts": Target(SHOP, lambda w: {"pk": w.shop.pk}),
    "v1:review-reply": Target(SHOP, lambda w: {"review_id": w.review.pk}),
    "v1:shop-api-keys": Target(SHOP, lambda w: {"shop_id": w.shop.pk}),
    "v1:shop-api-key-detail": Target(
        SHOP, lambda w: {"shop_id": w.shop.pk, "key_id": w.api_key.pk}
    ),
    "v1:shop-webhooks": Target(SHOP, lambda w: {"shop_id": w.shop.pk}),
    "v1:shop-webhook-detail": Target(SHOP, lambda w: _endpoint_kwargs(w)),
    "v1:shop-webhook-deliveries": Target(SHOP, lambda w: _endpoint_kwargs(w)),
    "v1:shop-webhook-test": Target(SHOP, lambda w: _endpoint_kwargs(w)),
    "v1:shop-webhook-redeliver": Target(
        SHOP, lambda w: {**_endpoint_kwargs(w), "delivery_id": w.webhook_delivery.pk}
    ),
    # --- pages: the buyer's objects
    "accounts:address_update": Target(BUYER, lambda w: {"pk": w.address.pk}),
    "accounts:address_delete": Target(BUYER, lambda w: {"pk": w.address.pk}),
    "cart:item_update": Target(
        BUYER, lambda w: {"item_id": w.cart_item.pk}, refused_to="cart:detail"
    ),
    "cart:item_delete": Target(
        BUYER, lambda w: {"item_id": w.cart_item.pk}, refused_to="cart:detail"
    ),
    "orders:confirmation": Target(BUYER, lambda w: {"reference": w.order.checkout_reference}),
    "orders:detail": Target(BUYER, lambda w: {"number": w.order.number}),
    "orders:cancel": Target(BUYER, lambda w: {"number": w.order.number}),
    "payments:checkout": Target(BUYER, lambda w: {"reference": w.order.checkout_reference}),
    "payments:detail": Target(BUYER, lambda w: {"pk": w.payment.pk}),
    "payments:return": Target(BUYER, lambda w: {"pk": w.payment.pk}),
    "payments:invoice_download": Target(BUYER, lambda w: {"number": w.invoice.order.number}),
    "chat:detail": Target(BUYER, lambda w: {"pk": w.conversation.pk}),
    "chat:report": Target(BUYER, lambda w: {"pk": w.conversation.pk}),
    "notifications:read": Target(BUYER, lambda w: {"pk": w.notification.pk}),
    "moderation:report": Target(BUYER, lambda w: {"kind": "message", "pk": w.message.pk}),
    # --- pages: the shop's dashboard
    "dashboard:product_update": Target(SHOP, lambda w: {"pk": w.product.pk}),
    "dashboard:product_delete": Target(SHOP, lambda w: {"pk": w.product.pk}),
    "dashboard:product_images": Target(SHOP, lambda w: {"pk": w.product.pk}),
    "dashboard:product_image_order": Target(SHOP, lambda w: {"pk": w.product.pk}),
    "dashboard:product_image_update": Target(
        SHOP, lambda w: {"pk": w.product.pk, "image_pk": w.image.pk}
    ),
    "dashboard:product_image_delete": Target(
        SHOP, lambda w: {"pk": w.product.pk, "image_pk": w.image.pk}
    ),
    "dashboard:inventory_adjust": Target(SHOP, lambda w: {"pk": w.variant.pk}),
    "dashboard:member_update": Target(SHOP, lambda w: {"pk": w.member.pk}),
    "dashboard:member_delete": Target(SHOP, lambda w: {"pk": w.member.pk}),
    "dashboard_orders:detail": Target(SHOP, lambda w: {"number": w.paid_order.number}),
    "dashboard_orders:ship": Target(SHOP, lambda w: {"number": w.paid_order.number}),
    "dashboard_orders:complete": Target(SHOP, lambda w: {"number": w.paid_order.number}),
    "dashboard_orders:cancel": Target(SHOP, lambda w: {"number": w.paid_order.number}),
    "dashboard_orders:coupon_update": Target(SHOP, lambda w: {"pk": w.promotion.pk}),
    "dashboard_orders:shipping_update": Target(SHOP, lambda w: {"pk": w.shipping_method.pk}),
    "dashboard_messages:detail": Target(SHOP, lambda w: {"pk": w.conversation.pk}),
    "dashboard_messages:start_about_order": Target(SHOP, lambda w: {"number": w.order.number}),
    "dashboard_payouts:refund": Target(SHOP, lambda w: {"number": w.paid_order.number}),
    "dashboard_reviews:reply": Target(SHOP, lambda w: {"pk": w.review.pk}),
    "dashboard_integrations:key_delete": Target(SHOP, lambda w: {"pk": w.api_key.pk}),
    "dashboard_integrations:endpoint_detail": Target(SHOP, lambda w: {"pk": w.webhook_endpoint.pk}),
    "dashboard_integrations:endpoint_update": Target(SHOP, lambda w: {"pk": w.webhook_endpoint.pk}),
    "dashboard_integrations:endpoint_test": Target(SHOP, lambda w: {"pk": w.webhook_endpoint.pk}),
    "dashboard_integrations:endpoint_delete": Target(SHOP, lambda w: {"pk": w.webhook_endpoint.pk}),
    "dashboard_integrations:delivery_redeliver": Target(
        SHOP, lambda w: {"pk": w.webhook_endpoint.pk, "delivery_pk": w.webhook_delivery.pk}
    ),
}

NOT_OBJECT_URLS: dict[str, str] = {
    "account_confirm_email": "the key in the URL is the secret (allauth)",
    "account_reset_password_from_key": "the key in the URL is the secret (allauth)",
    "v1:shop-invitation-accept": "the token in the URL is the secret",
    "dashboard:invitation_accept": "the token in the URL is the secret",
    "dashboard_payouts:statement": "the dashboard's current shop; the URL names only a month",
    "chat:start": "any signed-in shopper may write to any active shop",
    "storefront:category": "public storefront page",
    "media": "public uploads only (products, logos, banners, avatars); never invoices",
    "storefront:shop": "public storefront page",
    "storefront:product": "public storefront page",
    "storefront:review_create": "a public product; the review is the caller's own",
    "storefront:wishlist_delete": "a public product, taken off the caller's own wishlist",
    "v1:product-reviews": "a public product's reviews; a new review is the caller's own",
    "v1:wishlist-item": "a public product, taken off the caller's own wishlist",
    "javascript_catalog": "public translations of the pages' scripts",
}

METHODS = ("get", "post", "put", "patch", "delete")
# Where the dashboard sends a signed-in user who works for no shop.
NO_SHOP_PAGES = ("dashboard:overview", "dashboard:shop_create")


def _object_urls() -> Iterator[tuple[str, URLPattern]]:
    """(namespaced name, pattern) of every URL with a path parameter, outside the admin."""

    def walk(
        patterns: list[Any], prefix: str, namespaces: tuple[str, ...]
    ) -> Iterator[tuple[str, str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = ":".join((*namespaces, pattern.name or "?"))
                yield prefix + str(pattern.pattern), name, pattern

    for route, name, pattern in walk(get_resolver().url_patterns, "", ()):
        has_parameter = bool(pattern.pattern.converters) or "(?P<" in route
        if has_parameter and not route.startswith("admin/"):
            yield name, pattern


def _methods(name: str) -> list[str]:
    pattern = dict(_object_urls())[name]
    view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    return [method for method in METHODS if hasattr(view, method)]


def test_every_object_url_is_in_the_sweep() -> None:
    names = {name for name, _pattern in _object_urls()}

    assert sorted(names - set(MATRIX) - set(NOT_OBJECT_URLS)) == []
    assert sorted((set(MATRIX) | set(NOT_OBJECT_URLS)) - names) == []
    assert set(MATRIX) & set(NOT_OBJECT_URLS) == set()


@pytest.fixture
def world(settings: Any) -> World:
    settings.RATELIMIT_ENABLE = False  # hundreds of requests from one test address
    return World()


def _api_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {user_tokens_issue(user=user)['access']}")
    return client


def _page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _client_of(name: str, user: User) -> Client:
    return _api_client(user) if _is_api(name) else _page_client(user)


def _call(client: Client, method: str, url: str) -> Any:
    if isinstance(client, APIClient):
        return getattr(client, method)(url, {} if method != "get" else None, format="json")
    return getattr(client, method)(url)


def _is_api(name: str) -> bool:
    return name.startswith("v1:")


def _refused(name: str, target: Target, response: Any) -> bool:
    """404 or 403; 401 on the API without a valid token; on pages, the way to the sign-in page
    (a dropped session) or to opening a shop (a dashboard page for someone without one)."""
    if response.status_code in (403, 404):
        return True
    if _is_api(name):
        return response.status_code == 401
    if response.status_code in (301, 302, 303):
        location = response["Location"].split("?")[0]
        pages = (settings.LOGIN_URL, *NO_SHOP_PAGES, *filter(None, [target.refused_to]))
        return location in {reverse(page) for page in pages}
    return False


def _owner(world: World, target: Target) -> User:
    return world.buyer if target.owner == BUYER else world.vendor


def _other_shop_owner() -> User:
    shop = ShopFactory(owner=UserFactory(role=User.Role.VENDOR))
    ProductFactory(shop=shop)
    return shop.owner


def _answers(
    client: Client, name: str, target: Target, url: str, methods: list[str]
) -> dict[str, int]:
    """The status of each method's request, for those the caller was not refused."""
    answers = {method: _call(client, method, url) for method in methods}
    return {
        method: answer.status_code
        for method, answer in answers.items()
        if not _refused(name, target, answer)
    }


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_only_the_owner_reaches_the_object(world: World, name: str) -> None:
    # given the object, its URL, the methods its view answers, and the owner signed in
    target = MATRIX[name]
    url = reverse(name, kwargs=target.kwargs(world))
    methods = _methods(name)
    private = [method for method in methods if method not in target.public]
    owner = _owner(world, target)
    signed_in_before_the_ban = _client_of(name, owner)
    strangers = {"another user": UserFactory(), "another shop": _other_shop_owner()}

    # when strangers try it, then the owner once banned (with the token or session they had),
    # then the owner unbanned and signed in again
    stranger_answers = {
        who: _answers(_client_of(name, user), name, target, url, private)
        for who, user in strangers.items()
    }
    user_ban(user=owner, actor=None, reason="Authorization sweep")
    banned_answers = _answers(signed_in_before_the_ban, name, target, url, methods)
    user_unban(user=owner, actor=None)
    owner_client = _client_of(name, owner)
    owner_answers = {method: _call(owner_client, method, url).status_code for method in methods}

    # then
    assert stranger_answers == {"another user": {}, "another shop": {}}
    assert banned_answers == {}
    assert {
        method: status for method, status in owner_answers.items() if status == 404 or status >= 500
    } == {}
