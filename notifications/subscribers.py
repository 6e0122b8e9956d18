"""What each domain event tells whom. Imported by NotificationsConfig.ready().

Texts are written in each recipient's own language; `notification_dispatch` then sends them on
the channels the recipient chose.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.selectors import review_get
from marketmate.currency import money_format
from marketmate.events import subscribe
from marketmate.realtime.presence import user_is_online
from notifications.models import Kind
from notifications.services import notification_dispatch
from shops.models import Shop
from shops.selectors import shop_get, shop_member_users_active

logger = logging.getLogger(__name__)

# `side` of a `chat.message_sent` event written by the buyer (`chat.models.Side.BUYER`).
CHAT_SIDE_BUYER = "buyer"


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _shop_members(shop_id: int) -> list[User]:
    return shop_member_users_active(shop_id=shop_id)


def _reverse(name: str, **kwargs: object) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


# --- Orders -----------------------------------------------------------------------------------
BUYER_ORDER_TEXTS: dict[str, tuple[str, Callable[[], str], Callable[[], str]]] = {
    "order.paid": (
        Kind.ORDER_PAID,
        lambda: _("Order %(number)s is paid"),
        lambda: _("%(shop)s has your payment and is preparing your order."),
    ),
    "order.shipped": (
        Kind.ORDER_SHIPPED,
        lambda: _("Order %(number)s has shipped"),
        lambda: _("%(shop)s sent your order on its way."),
    ),
    "order.cancelled": (
        Kind.ORDER_CANCELLED,
        lambda: _("Order %(number)s was cancelled"),
        lambda: _("Your order from %(shop)s was cancelled."),
    ),
    "order.refunded": (
        Kind.ORDER_REFUNDED,
        lambda: _("Order %(number)s was refunded"),
        lambda: _("%(shop)s refunded your order."),
    ),
}


def _order(order_id: int) -> Any:
    from orders.selectors import order_queryset

    return order_queryset().filter(pk=order_id).first()


def order_buyer_notify(*, event: str, order_id: int) -> None:
    """Tell the buyer that their order was paid, shipped, cancelled or refunded."""
    order = _order(order_id)
    if order is None:
        return
    kind, title, body = BUYER_ORDER_TEXTS[event]
    buyer = order.buyer
    values = {"number": order.number, "shop": order.shop.name}
    with translation.override(_language(buyer)):
        notification_dispatch(
            user=buyer,
            kind=kind,
            title=title() % values,
            body=body() % values,
            link=order.get_absolute_url(),
            data={"order_id": order.pk, "number": order.number, "event": event},
            key=f"{event}:{order.pk}",
        )


def _buyer_subscriber(event: str) -> Callable[..., None]:
    def handler(*, order_id: int, **_payload: object) -> None:
        order_buyer_notify(event=event, order_id=order_id)

    handler.__qualname__ = f"order_buyer_notify[{event}]"
    return handler


for _event in BUYER_ORDER_TEXTS:
    subscribe(_event)(_buyer_subscriber(_event))


@subscribe("order.placed")
def order_placed_notify_shop(*, order_id: int, **_payload: object) -> None:
    """Tell every member of the shop about a new order."""
    order = _order(order_id)
    if order is None:
        return
    link = _reverse("dashboard_orders:detail", number=order.number) or _reverse(
        "dashboard:overview"
    )
    for member in _shop_members(order.shop_id):
        values = {"number": order.number, "shop": order.shop.name}
        with translation.override(_language(member)):
            notification_dispatch(
                user=member,
                kind=Kind.ORDER_PLACED,
                title=_("New order %(number)s") % values,
                body=_("%(shop)s has a new order to prepare.") % values,
                link=link,
                data={"order_id": order.pk, "number": order.number, "shop_id": order.shop_id},
                key=f"order.placed:{order.pk}",
            )


# --- Chat -------------------------------------------------------------------------------------
@subscribe("chat.message_sent")
def chat_message_notify(
    *,
    message_id: int,
    conversation_id: int,
    shop_id: int,
    buyer_id: int,
    sender_id: int | None,
    sender_name: str,
    side: str,
    body: str,
    has_earlier_unread: bool,
    **_payload: object,
) -> None:
    """Tell the other side of a conversation about a new message, unless they are online
    (the message reached their open pages live) or already have an unread one from this
    conversation (one notification per unread streak, not one per message)."""
    if has_earlier_unread:
        return
    if side == CHAT_SIDE_BUYER:
        recipients = [member for member in _shop_members(shop_id) if member.pk != sender_id]
        link = _reverse("dashboard_messages:detail", pk=conversation_id)
    else:
        recipients = list(User.objects.filter(pk=buyer_id))
        link = _reverse("chat:detail", pk=conversation_id)
    preview = body if len(body) <= 140 else body[:139] + "…"
    for recipient in recipients:
        if user_is_online(user_id=recipient.pk):
            continue
        with translation.override(_language(recipient)):
            notification_dispatch(
                user=recipient,
                kind=Kind.CHAT_MESSAGE,
                title=_("New message from %(sender)s") % {"sender": sender_name},
                body=preview,
                link=link,
                data={"conversation_id": conversation_id, "message_id": message_id},
                key=f"chat:{message_id}",
            )


# --- Shops ------------------------------------------------------------------------------------
@subscribe("shop.status_changed")
def shop_status_notify(*, shop_id: int, status: str, **_payload: object) -> None:
    """Tell the shop's members that staff approved (or reinstated) or suspended it."""
    shop = shop_get(shop_id=shop_id)
    if shop is None:
        return
    if status == Shop.Status.ACTIVE:
        kind = Kind.SHOP_APPROVED
    elif status == Shop.Status.SUSPENDED:
        kind = Kind.SHOP_SUSPENDED
    else:
        return
    for member in _shop_members(shop.pk):
        with translation.override(_language(member)):
            if kind == Kind.SHOP_APPROVED:
                title = _("%(shop)s is open for business") % {"shop": shop.name}
                body = _("Your shop is approved: shoppers can find and buy your products.")
            else:
                title = _("%(shop)s was suspended") % {"shop": shop.name}
                body = _(
                    "Your products are hidden from the storefront. "
                    "Contact support to find out more."
                )
            notification_dispatch(
                user=member,
                kind=kind,
                title=title,
                body=body,
                link=_reverse("dashboard:overview"),
                data={"shop_id": shop.pk, "status": status},
            )


# --- Reviews and wishlists --------------------------------------------------------------------
@subscribe("review.created")
def review_created_notify_shop(*, review_id: int, **_payload: object) -> None:
    """Tell every member of the shop that a buyer reviewed one of its products."""
    review = review_get(review_id=review_id)
    if review is None:
        return
    product = review.product
    link = _reverse("dashboard_reviews:list")
    for member in _shop_members(product.shop_id):
        values = {"rating": review.rating, "product": product.title}
        with translation.override(_language(member)):
            notification_dispatch(
                user=member,
                kind=Kind.REVIEW_RECEIVED,
                title=_("New %(rating)d-star review of %(product)s") % values,
                body=review.title or review.body[:140],
                link=link,
                data={"review_id": review.pk, "product_id": product.pk},
                key=f"review.created:{review.pk}",
            )


def _product_link(product: Any) -> str:
    return _reverse("storefront:product", pk=product.pk, slug=product.slug)


@subscribe("product.price_dropped")
def wishlist_price_drop_notify(*, product_id: int, **_payload: object) -> None:
    """Tell the users who saved the product that it costs less than when they saved it
    (once per drop: the catalog marks each item as told)."""
    from catalog.services.wishlists import wishlist_claim_price_drop

    with transaction.atomic():
        product, items = wishlist_claim_price_drop(product_id=product_id)
        for item in items:
            assert product is not None and item.price_alerted_at is not None
            price = item.price_alerted_at
            with translation.override(_language(item.user)):
                notification_dispatch(
                    user=item.user,
                    kind=Kind.WISHLIST_PRICE_DROP,
                    title=_("%(product)s costs less now") % {"product": product.title},
                    body=_("Now %(price)s, down from %(was)s when you saved it.")
                    % {
                        "price": money_format(amount=price, currency=product.currency),
                        "was": money_format(
                            amount=item.price_when_saved, currency=product.currency
                        ),
                    },
                    link=_product_link(product),
                    data={"product_id": product.pk, "price": str(price)},
                    key=f"product.price_dropped:{item.pk}:{price}",
                )


@subscribe("product.back_in_stock")
def wishlist_back_in_stock_notify(*, product_id: int, movement_id: int, **_payload: object) -> None:
    """Tell the users who saved the product that it can be bought again (once per restock)."""
    from catalog.services.wishlists import wishlist_claim_restock

    with transaction.atomic():
        product, items = wishlist_claim_restock(product_id=product_id, movement_id=movement_id)
        for item in items:
            assert product is not None
            with translation.override(_language(item.user)):
                notification_dispatch(
                    user=item.user,
                    kind=Kind.WISHLIST_BACK_IN_STOCK,
                    title=_("%(product)s is back in stock") % {"product": product.title},
                    body=_("An item on your wishlist can be ordered again."),
                    link=_product_link(product),
                    data={"product_id": product.pk},
                    key=f"product.back_in_stock:{item.pk}:{movement_id}",
                )
