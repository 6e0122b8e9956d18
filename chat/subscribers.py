"""Live order updates: every order transition is pushed to the order's room. Imported by
ChatConfig.ready()."""

from collections.abc import Callable

from django.utils import timezone

from marketmate.events import subscribe
from marketmate.realtime.rooms import (
    order_room,
    realtime_send,
    user_rooms_recheck,
    user_sockets_close,
)

ORDER_EVENTS = (
    "order.placed",
    "order.paid",
    "order.shipped",
    "order.completed",
    "order.cancelled",
    "order.refunded",
)


def order_status_push(*, event: str, order_id: int) -> None:
    """Send `order:status:update` with the order's current status to `order:{id}`."""
    from orders.selectors import order_queryset

    order = order_queryset().filter(pk=order_id).first()
    if order is None:
        return
    updated = getattr(order, "updated", None) or timezone.now()
    realtime_send(
        rooms=[order_room(order.pk)],
        payload={
            "type": "order:status:update",
            "order_id": order.pk,
            "number": order.number,
            "status": order.status,
            "status_display": str(order.get_status_display()),
            "event": event,
            "updated": updated.isoformat(),
        },
    )


def _subscriber(event: str) -> Callable[..., None]:
    def handler(*, order_id: int, **_payload: object) -> None:
        order_status_push(event=event, order_id=order_id)

    handler.__qualname__ = f"order_status_push[{event}]"
    return handler


for _event in ORDER_EVENTS:
    subscribe(_event)(_subscriber(_event))


@subscribe("shop.member_removed")
def shop_room_revoke(*, shop_id: int, user_id: int, **_payload: object) -> None:
    """A removed member's open sockets stop hearing the shop's room and the rooms of its
    orders (each socket checks its rooms again; the user may still hear an order as its
    buyer)."""
    user_rooms_recheck(user_id=user_id)


@subscribe("user.sign_ins_ended")
def user_sockets_end(*, user_id: int, **_payload: object) -> None:
    """A banned or deactivated user, or one whose sessions were all ended, loses every open
    socket at once."""
    user_sockets_close(user_id=user_id)
