"""Who hears about which domain event: orders, chat messages while away, shop moderation."""

from collections.abc import Callable

import pytest
from django.core import mail

from accounts.models import User
from chat.models import Conversation
from chat.services import conversation_mark_read, message_send
from chat.tests.factories import order_placed
from marketmate.realtime.presence import presence_touch
from notifications.models import Kind, Notification
from orders.models import Order
from orders.services.lifecycle import (
    order_cancel,
    order_complete,
    order_mark_paid,
    order_mark_refunded,
    order_ship,
)
from shops.models import Shop
from shops.services import shop_approve, shop_suspend
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _notified(kind: str) -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("user__email")
        .values_list("user__email", "title", "link")
    )


# --- Orders ---------------------------------------------------------------------------------------
def test_every_member_of_the_shop_hears_of_a_new_order(
    buyer: User, shop: Shop, owner: User, staff_member: User
) -> None:
    order = order_placed(buyer=buyer, shop=shop)

    link = f"/dashboard/orders/{order.number}/"
    assert _notified(Kind.ORDER_PLACED) == sorted(
        [
            (owner.email, f"New order {order.number}", link),
            (staff_member.email, f"New order {order.number}", link),
        ]
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [owner.email, staff_member.email]
    )
    assert Notification.objects.filter(user=buyer).count() == 0


Step = Callable[[Order, User], Order]


@pytest.mark.parametrize(
    ("steps", "kind", "title"),
    [
        ([lambda o, a: order_mark_paid(order=o)], Kind.ORDER_PAID, "Order {} is paid"),
        (
            [
                lambda o, a: order_mark_paid(order=o),
                lambda o, a: order_ship(order=o, actor=a, carrier="DHL", tracking_number="1"),
            ],
            Kind.ORDER_SHIPPED,
            "Order {} has shipped",
        ),
        (
            [lambda o, a: order_cancel(order=o, actor=a)],
            Kind.ORDER_CANCELLED,
            "Order {} was cancelled",
        ),
        (
            [
                lambda o, a: order_mark_paid(order=o),
                lambda o, a: order_mark_refunded(order=o, amount=o.total),
            ],
            Kind.ORDER_REFUNDED,
            "Order {} was refunded",
        ),
    ],
)
def test_the_buyer_hears_of_each_step_of_their_order(
    order: Order, buyer: User, owner: User, steps: list[Step], kind: str, title: str
) -> None:
    for step in steps:
        order = step(order, owner)

    (notification,) = Notification.objects.filter(user=buyer, kind=kind)
    assert notification.title == title.format(order.number)
    assert notification.link == f"/orders/{order.number}/"
    assert notification.data["order_id"] == order.pk
    assert title.format(order.number) in [message.subject for message in mail.outbox]


def test_completing_an_order_sends_no_notification(order: Order, buyer: User, owner: User) -> None:
    order = order_mark_paid(order=order)
    order = order_ship(order=order, actor=owner, carrier="DHL", tracking_number="1")
    before = Notification.objects.filter(user=buyer).count()

    order_complete(order=order, actor=owner)

    assert Notification.objects.filter(user=buyer).count() == before


# --- Chat -----------------------------------------------------------------------------------------
def test_shop_members_away_hear_of_a_buyers_message(
    conversation: Conversation, buyer: User, owner: User, staff_member: User
) -> None:
    message_send(conversation=conversation, sender=buyer, body="Is the green tea in stock?")

    link = f"/dashboard/messages/{conversation.pk}/"
    assert _notified(Kind.CHAT_MESSAGE) == sorted(
        [
            (owner.email, "New message from Bea Buyer", link),
            (staff_member.email, "New message from Bea Buyer", link),
        ]
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [owner.email, staff_member.email]
    )
    assert "Is the green tea in stock?" in mail.outbox[0].body


def test_a_member_online_gets_no_email_for_the_message_while_one_away_does(
    conversation: Conversation, buyer: User, owner: User, staff_member: User
) -> None:
    presence_touch(user_id=owner.pk, connection="specific.owner-socket")

    message_send(conversation=conversation, sender=buyer, body="Hello?")

    assert [message.to for message in mail.outbox] == [[staff_member.email]]
    assert Notification.objects.filter(user=owner).count() == 0


def test_the_buyer_away_hears_of_the_shops_reply_and_the_replying_member_does_not(
    conversation: Conversation, buyer: User, owner: User, staff_member: User
) -> None:
    message_send(conversation=conversation, sender=staff_member, body="Yes, plenty.")

    assert _notified(Kind.CHAT_MESSAGE) == [
        (buyer.email, "New message from Tea House", f"/chat/{conversation.pk}/")
    ]


def test_one_notification_per_unread_streak_not_per_message(
    conversation: Conversation, buyer: User, owner: User
) -> None:
    message_send(conversation=conversation, sender=owner, body="One")
    message_send(conversation=conversation, sender=owner, body="Two")
    assert Notification.objects.filter(user=buyer).count() == 1

    conversation_mark_read(conversation=conversation, reader=buyer)
    message_send(conversation=conversation, sender=owner, body="Three")

    assert Notification.objects.filter(user=buyer).count() == 2
    assert len(mail.outbox) == 2


# --- Shops ----------------------------------------------------------------------------------------
def test_the_members_hear_that_their_shop_was_approved_then_suspended() -> None:
    shop = ShopFactory(name="Tea House", status=Shop.Status.PENDING)
    member = ShopMemberFactory(shop=shop).user

    shop_approve(shop=shop, actor=None)
    shop_suspend(shop=shop, actor=None, reason="Counterfeit goods")

    assert sorted(Notification.objects.filter(user=member).values_list("kind", "title")) == [
        (Kind.SHOP_APPROVED, "Tea House is open for business"),
        (Kind.SHOP_SUSPENDED, "Tea House was suspended"),
    ]
    assert Notification.objects.filter(user=shop.owner).count() == 2
