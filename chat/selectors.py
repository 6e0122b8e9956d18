"""Reads of conversations and messages, always scoped to who asks."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.models import User
from chat.exceptions import ConversationNotFoundError
from chat.models import Conversation, Message, Side
from orders.selectors import order_is_visible_to
from shops.models import Shop
from shops.selectors import shop_ids_for_member, user_is_shop_member


def conversation_side_of(*, conversation: Conversation, user: User | AnonymousUser) -> str | None:
    """The side the user speaks for in the conversation, or None when they are not part of it."""
    if not user.is_authenticated:
        return None
    if conversation.buyer_id == user.pk:
        return Side.BUYER
    if user_is_shop_member(user=user, shop_id=conversation.shop_id):
        return Side.SHOP
    return None


def _with_last_body(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Annotate `last_body`, the text of the newest message (for previews), and order by the
    latest activity (explicitly: Meta.ordering does not apply to the grouped queries here)."""
    newest = Message.objects.filter(conversation_id=OuterRef("pk")).order_by("-created", "-id")
    return queryset.annotate(last_body=Subquery(newest.values("body")[:1])).order_by(
        F("last_message_at").desc(nulls_last=True), "-created", "-id"
    )


def _with_unread(queryset: QuerySet[Conversation], *, unread_side: str) -> QuerySet[Conversation]:
    """Annotate `unread_count`: messages from `unread_side` that the other side has not read,
    and `last_body`."""
    return _with_last_body(queryset).annotate(
        unread_count=Count(
            "messages",
            filter=Q(messages__side=unread_side, messages__read_at__isnull=True),
        )
    )


def conversation_list_for_buyer(*, user: User) -> QuerySet[Conversation]:
    """The user's conversations as a buyer, latest first, with `unread_count`."""
    queryset = Conversation.objects.filter(buyer_id=user.pk).select_related(
        "shop", "product", "order"
    )
    return _with_unread(queryset, unread_side=Side.SHOP)


def conversation_list_for_shop(*, user: User, shop: Shop) -> QuerySet[Conversation]:
    """A shop's conversations, for its members only, latest first, with `unread_count`."""
    if not user_is_shop_member(user=user, shop_id=shop.pk):
        return Conversation.objects.none()
    queryset = Conversation.objects.filter(shop_id=shop.pk).select_related(
        "buyer", "shop", "product", "order"
    )
    return _with_unread(queryset, unread_side=Side.BUYER)


def conversation_list_for_user(*, user: User) -> QuerySet[Conversation]:
    """Every conversation the user is part of, as a buyer or for one of their shops, with
    `unread_count` counted for the side they are on."""
    shop_ids = shop_ids_for_member(user=user)
    return (
        _with_last_body(Conversation.objects.filter(Q(buyer_id=user.pk) | Q(shop_id__in=shop_ids)))
        .select_related("buyer", "shop", "product", "order")
        .annotate(
            unread_count=Count(
                "messages",
                filter=Q(messages__read_at__isnull=True)
                & (
                    Q(buyer_id=user.pk, messages__side=Side.SHOP)
                    | (~Q(buyer_id=user.pk) & Q(messages__side=Side.BUYER))
                ),
            )
        )
    )


def conversation_get_for_user(*, user: User | AnonymousUser, conversation_id: int) -> Conversation:
    """The conversation, if the user is its buyer or works for its shop; else not found.

    The result carries `viewer_side`, the side the user speaks for.
    """
    conversation = (
        Conversation.objects.select_related("buyer", "shop", "product", "order")
        .filter(pk=conversation_id)
        .first()
    )
    side = (
        None if conversation is None else conversation_side_of(conversation=conversation, user=user)
    )
    if conversation is None or side is None:
        raise ConversationNotFoundError(_("Conversation not found."))
    conversation.viewer_side = side  # type: ignore[attr-defined]
    return conversation


def message_list_for_conversation(*, conversation: Conversation) -> QuerySet[Message]:
    """The messages of a conversation the caller already may see (newest last)."""
    return Message.objects.filter(conversation_id=conversation.pk).select_related("sender")


def unread_message_count_for_user(*, user: User | AnonymousUser) -> int:
    """How many messages wait for the user, as a buyer and for their shops."""
    if not user.is_authenticated:
        return 0
    shop_ids = shop_ids_for_member(user=user)
    return Message.objects.filter(
        Q(conversation__buyer_id=user.pk, side=Side.SHOP)
        | (
            Q(conversation__shop_id__in=shop_ids, side=Side.BUYER)
            & ~Q(conversation__buyer_id=user.pk)
        ),
        read_at__isnull=True,
    ).count()


def unread_message_count_for_shop(*, shop: Shop, reader: User) -> int:
    """How many shoppers' messages wait for `shop` (the caller has checked that `reader` works
    for it); a member's own purchases from the shop are theirs to read as a buyer."""
    return (
        Message.objects.filter(conversation__shop_id=shop.pk, side=Side.BUYER, read_at__isnull=True)
        .exclude(conversation__buyer_id=reader.pk)
        .count()
    )


def room_may_join(*, user: User | AnonymousUser, room: str) -> bool:
    """Whether the user may listen in `room` (`user:{id}`, `shop:{id}`, `order:{id}`).

    The user's own room; a shop's room for its members; an order's room for its buyer and the
    members of its shop. Every other answer is the same False, whether the room exists or not.
    """
    if not user.is_authenticated:
        return False
    kind, _, raw_id = room.partition(":")
    if not raw_id.isdigit():
        return False
    room_id = int(raw_id)
    if kind == "user":
        return room_id == user.pk
    if kind == "shop":
        return user_is_shop_member(user=user, shop_id=room_id)
    if kind == "order":
        return order_is_visible_to(user=user, order_id=room_id)
    return False


def message_get(*, message_id: int) -> Message | None:
    """Message `message_id` with its conversation, shop, buyer and sender, or None: for jobs and
    subscribers, never for a lookup a user asked for."""
    return (
        Message.objects.select_related("conversation__shop", "conversation__buyer", "sender")
        .filter(pk=message_id)
        .first()
    )


def message_follows_unread(*, message: Message) -> bool:
    """Whether an earlier message from the same side of the conversation is still unread."""
    return Message.objects.filter(
        conversation_id=message.conversation_id,
        side=message.side,
        read_at__isnull=True,
        pk__lt=message.pk,
    ).exists()
