"""The `order:{id}` room: who may listen, and the live status of every transition."""

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from accounts.models import User
from chat.events import SERVER_SCHEMAS, event_errors
from chat.tests.conftest import connected, joined
from orders.models import Order
from orders.services.lifecycle import (
    order_cancel,
    order_complete,
    order_mark_paid,
    order_mark_refunded,
    order_ship,
)
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _join(user: User, room: str) -> dict[str, Any]:
    @async_to_sync
    async def scenario() -> dict[str, Any]:
        communicator = await connected(user)
        await communicator.send_json_to({"type": "room:join", "room": room})
        answer: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return answer

    return scenario()


def test_the_buyer_and_every_shop_member_join_the_order_room(
    order: Order, buyer: User, owner: User, staff_member: User
) -> None:
    room = f"order:{order.pk}"

    for user in (buyer, owner, staff_member):
        assert _join(user, room) == {"type": "room:joined", "room": room}


def test_strangers_and_other_shops_cannot_join_an_order_room_nor_tell_it_exists(
    order: Order, stranger: User
) -> None:
    other_vendor = ShopFactory().owner
    missing = f"order:{order.pk + 1000}"
    forbidden = {"type": "error", "code": "forbidden", "message": "You cannot join this room."}

    assert _join(stranger, f"order:{order.pk}") == {**forbidden, "room": f"order:{order.pk}"}
    assert _join(other_vendor, f"order:{order.pk}") == {**forbidden, "room": f"order:{order.pk}"}
    assert _join(stranger, missing) == {**forbidden, "room": missing}


def _updates(
    listener: User, order: Order, steps: list[Callable[[Order], Order]]
) -> list[dict[str, Any]]:
    @async_to_sync
    async def scenario() -> list[dict[str, Any]]:
        communicator = await joined(listener, f"order:{order.pk}")
        current = order
        events = []
        for step in steps:
            current = await database_sync_to_async(step)(current)
            event = await communicator.receive_json_from(timeout=5)
            while event["type"] == "notification:new":  # the buyer also hears of it in their room
                event = await communicator.receive_json_from(timeout=5)
            events.append(event)
        await communicator.disconnect()
        return events

    return scenario()


def test_every_transition_on_the_happy_path_is_pushed_to_the_order_room(
    order: Order, buyer: User, owner: User
) -> None:
    events = _updates(
        buyer,
        order,
        [
            lambda o: order_mark_paid(order=o, payment_reference="pay_1"),
            lambda o: order_ship(order=o, actor=owner, carrier="DHL", tracking_number="JD01"),
            lambda o: order_complete(order=o, actor=owner),
        ],
    )

    order.refresh_from_db()
    for event in events:
        assert event_errors(SERVER_SCHEMAS["order:status:update"], event) == {}
    assert [(e["event"], e["status"], e["status_display"]) for e in events] == [
        ("order.paid", "paid", "Paid"),
        ("order.shipped", "shipped", "Shipped"),
        ("order.completed", "complete", "Complete"),
    ]
    assert events[-1] == {
        "type": "order:status:update",
        "order_id": order.pk,
        "number": order.number,
        "status": "complete",
        "status_display": "Complete",
        "event": "order.completed",
        "updated": order.updated.isoformat(),
    }


def test_cancelling_is_pushed_to_the_shop_members_in_the_room(
    order: Order, buyer: User, staff_member: User
) -> None:
    (event,) = _updates(staff_member, order, [lambda o: order_cancel(order=o, actor=buyer)])

    assert (event["event"], event["status"]) == ("order.cancelled", "cancelled")


def test_a_refund_is_pushed_to_the_order_room(order: Order, buyer: User) -> None:
    events = _updates(
        buyer,
        order,
        [
            lambda o: order_mark_paid(order=o),
            lambda o: order_mark_refunded(order=o, amount=o.total),
        ],
    )

    assert [(e["event"], e["status"]) for e in events] == [
        ("order.paid", "paid"),
        ("order.refunded", "refunded"),
    ]
