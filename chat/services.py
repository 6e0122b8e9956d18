"""Writes of the chat: starting conversations, sending and reading messages, reports.

Every change is sent live to the conversation's buyer (`user:{id}`) and shop (`shop:{id}`)
after it commits; a new message also emits `chat.message_sent` for the notifications.
"""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.selectors import product_queryset_public
from chat.exceptions import (
    ChatErrorCode,
    ChatRateLimitedError,
    ConversationClosedError,
    ConversationNotFoundError,
)
from chat.models import Conversation, Message, Side
from chat.selectors import conversation_side_of
from marketmate.audit import audit_record
from marketmate.errors import ApplicationError, NotFoundError
from marketmate.events import event_emit
from marketmate.ratelimits import rate_limit_hit
from marketmate.realtime.rooms import realtime_send, shop_room, user_room
from orders.models import Order
from orders.selectors import order_get_for_shop, order_list_for_buyer
from shops.exceptions import ShopNotFoundError
from shops.models import Shop
from shops.selectors import shop_get_public, user_is_shop_member


def message_payload(message: Message) -> dict[str, Any]:
    """A message as the API and the `chat:message` event show it."""
    sender = message.sender
    if message.side == Side.SHOP:
        sender_name = message.conversation.shop.name
    else:
        sender_name = sender.get_full_name() if sender is not None else _("Deleted user")
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "sender_id": message.sender_id,
        "sender_name": sender_name,
        "side": message.side,
        "body": message.body,
        "created": message.created.isoformat(),
        "read_at": message.read_at.isoformat() if message.read_at else None,
    }


def _conversation_rooms(conversation: Conversation) -> list[str]:
    return [user_room(conversation.buyer_id), shop_room(conversation.shop_id)]


def conversation_start(
    *,
    buyer: User,
    shop_id: int,
    product_id: int | None = None,
    order_id: int | None = None,
) -> Conversation:
    """The buyer's conversation with shop `shop_id` (about a product or an order), opened now
    or found again: contacting a shop twice from the same page opens the same thread.

    Shops that are not selling, products of another shop or not on sale (drafts, archived)
    and other people's orders are not found; shop members cannot open a conversation with their
    own shop.
    """
    try:
        shop = shop_get_public(shop_id=shop_id, user=buyer)
    except ShopNotFoundError as exc:
        raise NotFoundError(exc.message) from exc
    if user_is_shop_member(user=buyer, shop_id=shop.pk):
        raise ApplicationError(
            _("You cannot start a conversation with your own shop."), code=ChatErrorCode.OWN_SHOP
        )
    product = None
    if product_id is not None:
        # Only a product the buyer may see (members never get here): a draft or archived one
        # is as unknown as a missing one, like on the product API.
        product = product_queryset_public().filter(pk=product_id, shop_id=shop.pk).first()
        if product is None:
            raise NotFoundError(_("Product not found."))
    order = None
    if order_id is not None:
        order = _order_of_buyer(buyer=buyer, shop=shop, order_id=order_id)
    subject: dict[str, Any] = {"buyer": buyer, "shop": shop, "product": product, "order": order}
    try:
        with transaction.atomic():
            conversation, _created = Conversation.objects.get_or_create(**subject)
    except IntegrityError:
        # Two clicks at once: the other one created it.
        conversation = Conversation.objects.get(**subject)
    return conversation


def conversation_start_about_order(*, member: User, shop: Shop, order_number: str) -> Conversation:
    """The shop's conversation with the customer of its order `order_number`, opened now or
    found again (the customer's own thread about that order, if they wrote first).

    Only the shop's members may open it; another shop's order is not found.
    """
    if not user_is_shop_member(user=member, shop_id=shop.pk):
        raise NotFoundError(_("Order not found."))
    order = order_get_for_shop(shop=shop, number=order_number)
    if order is None:
        raise NotFoundError(_("Order not found."))
    if order.buyer_id is None or user_is_shop_member(user=order.buyer, shop_id=shop.pk):
        raise ApplicationError(
            _("You cannot start a conversation with your own shop."), code=ChatErrorCode.OWN_SHOP
        )
    subject: dict[str, Any] = {"buyer": order.buyer, "shop": shop, "product": None, "order": order}
    try:
        with transaction.atomic():
            conversation, _created = Conversation.objects.get_or_create(**subject)
    except IntegrityError:
        conversation = Conversation.objects.get(**subject)
    return conversation


def _order_of_buyer(*, buyer: User, shop: Shop, order_id: int) -> Order:
    order = order_list_for_buyer(buyer=buyer).filter(pk=order_id, shop_id=shop.pk).first()
    if order is None:
        raise NotFoundError(_("Order not found."))
    return order


def _body_clean(body: str) -> str:
    cleaned = body.strip()
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if not cleaned:
        raise ApplicationError(
            _("Write a message first."),
            code=ChatErrorCode.VALIDATION_ERROR,
            fields={"body": [_("This field may not be blank.")]},
        )
    if len(cleaned) > limit:
        raise ApplicationError(
            _("The message is too long."),
            code=ChatErrorCode.VALIDATION_ERROR,
            fields={
                "body": [
                    _("Ensure this field has no more than %(limit)d characters.") % {"limit": limit}
                ]
            },
        )
    return cleaned


def chat_rate_check(*, user: User) -> None:
    """Count one message of `user` against `CHAT_MESSAGE_RATE_LIMIT` (every process shares the
    count); raises ChatRateLimitedError past it."""
    retry_after = rate_limit_hit(key=f"chat:send:{user.pk}", rate=settings.CHAT_MESSAGE_RATE_LIMIT)
    if retry_after is not None:
        raise ChatRateLimitedError(
            _("You are sending messages too fast. Try again in %(seconds)d seconds.")
            % {"seconds": retry_after},
            retry_after=retry_after,
        )


def message_send(*, conversation: Conversation, sender: User, body: str) -> Message:
    """Post `body` to the conversation as the sender's side (buyer or shop) and push it live.

    Raises ConversationNotFoundError when the sender is not part of it, ConversationClosedError
    when staff closed it, ChatRateLimitedError past the per-user message rate.
    """
    side = conversation_side_of(conversation=conversation, user=sender)
    if side is None:
        raise ConversationNotFoundError(_("Conversation not found."))
    cleaned = _body_clean(body)
    if conversation.is_closed:
        raise ConversationClosedError(_("This conversation is closed."))
    chat_rate_check(user=sender)
    with transaction.atomic():
        message = Message(conversation=conversation, sender=sender, side=side, body=cleaned)
        message.full_clean()
        message.save()
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=message.created, updated=message.created
        )
        conversation.last_message_at = message.created
        message.conversation = conversation
        realtime_send(
            rooms=_conversation_rooms(conversation),
            payload={
                "type": "chat:message",
                "conversation_id": conversation.pk,
                "shop_id": conversation.shop_id,
                "buyer_id": conversation.buyer_id,
                "message": message_payload(message),
            },
        )
        event_emit("chat.message_sent", **_message_sent_payload(message))
    return message


def _message_sent_payload(message: Message) -> dict[str, Any]:
    """What `chat.message_sent` tells its subscribers: enough for the notifications (who wrote
    to whom, and whether the other side already has an unread message from this side)."""
    conversation = message.conversation
    earlier_unread = Message.objects.filter(
        conversation_id=conversation.pk,
        side=message.side,
        read_at__isnull=True,
        pk__lt=message.pk,
    ).exists()
    if message.side == Side.BUYER:
        sender_name = conversation.buyer.get_full_name()
    else:
        sender_name = conversation.shop.name
    return {
        "message_id": message.pk,
        "conversation_id": conversation.pk,
        "shop_id": conversation.shop_id,
        "buyer_id": conversation.buyer_id,
        "sender_id": message.sender_id,
        "sender_name": sender_name,
        "side": str(message.side),
        "body": message.body,
        "has_earlier_unread": earlier_unread,
    }


def conversation_mark_read(*, conversation: Conversation, reader: User) -> int:
    """Mark every message from the other side read by the reader's side; returns how many.

    Tells both sides live (`chat:read`) when any message changed.
    """
    side = conversation_side_of(conversation=conversation, user=reader)
    if side is None:
        raise ConversationNotFoundError(_("Conversation not found."))
    other_side = Side.SHOP if side == Side.BUYER else Side.BUYER
    now = timezone.now()
    with transaction.atomic():
        count = Message.objects.filter(
            conversation_id=conversation.pk, side=other_side, read_at__isnull=True
        ).update(read_at=now)
        if count:
            realtime_send(
                rooms=_conversation_rooms(conversation),
                payload={
                    "type": "chat:read",
                    "conversation_id": conversation.pk,
                    "side": side,
                    "reader_id": reader.pk,
                    "read_at": now.isoformat(),
                    "count": count,
                },
            )
    return count


@transaction.atomic
def conversation_report(*, conversation: Conversation, reporter: User, reason: str) -> Conversation:
    """Flag the conversation for staff (the admin lists reported ones). Audited."""
    if conversation_side_of(conversation=conversation, user=reporter) is None:
        raise ConversationNotFoundError(_("Conversation not found."))
    cleaned = reason.strip()
    if not cleaned:
        raise ApplicationError(
            _("Tell us what is wrong."),
            code=ChatErrorCode.VALIDATION_ERROR,
            fields={"reason": [_("This field is required.")]},
        )
    before = conversation.reported_at
    conversation.reported_at = timezone.now()
    conversation.reported_by = reporter
    conversation.report_reason = cleaned[:2000]
    conversation.save(update_fields=["reported_at", "reported_by", "report_reason", "updated"])
    audit_record(
        actor=reporter,
        action="chat.conversation_report",
        entity=conversation,
        changes={"reported_at": (before, conversation.reported_at)},
        reason=conversation.report_reason,
    )
    return conversation


@transaction.atomic
def conversation_close(
    *, conversation: Conversation, actor: User | None, reason: str = ""
) -> Conversation:
    """Staff end a conversation: no more messages can be sent in it. Audited."""
    if conversation.is_closed:
        return conversation
    conversation.is_closed = True
    conversation.save(update_fields=["is_closed", "updated"])
    audit_record(
        actor=actor,
        action="chat.conversation_close",
        entity=conversation,
        changes={"is_closed": (False, True)},
        reason=reason,
    )
    return conversation


@transaction.atomic
def conversation_report_dismiss(*, conversation: Conversation, actor: User | None) -> Conversation:
    """Staff clear the report flag after looking at the conversation. Audited."""
    before = conversation.reported_at
    conversation.reported_at = None
    conversation.save(update_fields=["reported_at", "updated"])
    audit_record(
        actor=actor,
        action="chat.conversation_report_dismiss",
        entity=conversation,
        changes={"reported_at": (before, None)},
    )
    return conversation
