"""The domain events a shop's webhook endpoints can hear, turned into deliveries.

Each subscriber builds the event's payload now (so the receiver sees the state that the event
announced, even when it is delivered hours later) and hands it to `webhook_event_publish`.
"""

from typing import Any

from integrations import payloads
from integrations.selectors import shop_listens_to
from integrations.services import api_keys_revoke_for_member, webhook_event_publish
from marketmate.events import subscribe

ORDER_EVENTS = (
    "order.placed",
    "order.paid",
    "order.shipped",
    "order.completed",
    "order.cancelled",
    "order.refunded",
)


def _order_subscriber(event: str) -> None:
    @subscribe(event)
    def publish(*, order_id: int, **_payload: Any) -> None:
        order = payloads.order_get(order_id)
        if order is not None and shop_listens_to(shop_id=order.shop_id, event=event):
            webhook_event_publish(
                shop_id=order.shop_id, event=event, data=payloads.order_data(order)
            )

    publish.__qualname__ = f"webhook_{event.replace('.', '_')}"


for _event in ORDER_EVENTS:
    _order_subscriber(_event)


@subscribe("product.created")
def webhook_product_created(*, product_id: int, shop_id: int, **_payload: Any) -> None:
    if not shop_listens_to(shop_id=shop_id, event="product.created"):
        return
    data = payloads.product_data_for(product_id)
    if data is not None:
        webhook_event_publish(shop_id=shop_id, event="product.created", data=data)


@subscribe("product.updated")
def webhook_product_updated(
    *, product_id: int, shop_id: int, changed: list[str] | None = None, **_payload: Any
) -> None:
    if not shop_listens_to(shop_id=shop_id, event="product.updated"):
        return
    data = payloads.product_data_for(product_id)
    if data is not None:
        data["changed"] = list(changed or [])
        webhook_event_publish(shop_id=shop_id, event="product.updated", data=data)


@subscribe("product.deleted")
def webhook_product_deleted(
    *, product_id: int, shop_id: int, skus: list[str] | None = None, **_payload: Any
) -> None:
    data = {"product": {"id": product_id, "skus": list(skus or [])}}
    webhook_event_publish(shop_id=shop_id, event="product.deleted", data=data)


@subscribe("inventory.low")
def webhook_inventory_low(
    *,
    variant_id: int,
    product_id: int,
    shop_id: int,
    inventory_count: int,
    threshold: int,
    **_payload: Any,
) -> None:
    if not shop_listens_to(shop_id=shop_id, event="inventory.low"):
        return
    data = payloads.variant_low_data(
        variant_id=variant_id,
        product_id=product_id,
        inventory_count=inventory_count,
        threshold=threshold,
    )
    webhook_event_publish(shop_id=shop_id, event="inventory.low", data=data)


@subscribe("review.created")
def webhook_review_created(*, review_id: int, **_payload: Any) -> None:
    found = payloads.review_data_for(review_id)
    if found is not None:
        webhook_event_publish(shop_id=found[0], event="review.created", data=found[1])


@subscribe("payout.paid")
def webhook_payout_paid(*, payout_id: int, **_payload: Any) -> None:
    found = payloads.payout_data_for(payout_id)
    if found is not None:
        webhook_event_publish(shop_id=found[0], event="payout.paid", data=found[1])


@subscribe("shop.member_removed")
def api_keys_revoke_on_member_removed(*, shop_id: int, user_id: int, **_payload: Any) -> None:
    """A removed member's keys stop working with their membership (see docs/integrations.md)."""
    api_keys_revoke_for_member(shop_id=shop_id, user_id=user_id)
