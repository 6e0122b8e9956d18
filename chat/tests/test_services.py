"""Chat services and selectors beyond what the socket, API and page tests cover."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from chat import selectors, services
from chat.models import Conversation
from chat.tests.factories import ConversationFactory, MessageFactory
from marketmate.errors import ApplicationError
from marketmate.models import AuditLog
from marketmate.ratelimits import rate_limit_hit, rate_parse
from marketmate.realtime.presence import presence_leave, presence_touch, user_is_online
from shops.models import Shop

pytestmark = pytest.mark.django_db


def test_conversations_are_listed_by_latest_message_those_without_last(
    buyer: User, shop: Shop
) -> None:
    now = timezone.now()
    quiet = ConversationFactory(buyer=buyer)
    old = ConversationFactory(buyer=buyer, last_message_at=now - timedelta(days=2))
    recent = ConversationFactory(buyer=buyer, last_message_at=now - timedelta(minutes=5))

    listed = list(selectors.conversation_list_for_buyer(user=buyer))
    everything = list(selectors.conversation_list_for_user(user=buyer))

    assert listed == [recent, old, quiet]
    assert everything == [recent, old, quiet]


def test_the_unread_total_counts_both_sides_of_a_user(
    conversation: Conversation, buyer: User, owner: User
) -> None:
    MessageFactory.create_batch(2, conversation=conversation)
    MessageFactory(conversation=conversation, side="shop", sender=owner)

    assert selectors.unread_message_count_for_user(user=buyer) == 1
    assert selectors.unread_message_count_for_user(user=owner) == 2


def test_a_shops_list_is_empty_for_non_members(conversation: Conversation, stranger: User) -> None:
    assert list(selectors.conversation_list_for_shop(user=stranger, shop=conversation.shop)) == []


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("20/m", (20, 60)), ("5/10s", (5, 10)), ("100/h", (100, 3600)), ("1/2d", (1, 172800))],
)
def test_rates_are_count_per_period(rate: str, parsed: tuple[int, int]) -> None:
    assert rate_parse(rate) == parsed


@pytest.mark.parametrize("rate", ["", "20", "20/week", "x/m", "-1/m"])
def test_a_bad_rate_is_refused(rate: str) -> None:
    with pytest.raises(ValueError, match="Invalid rate"):
        rate_parse(rate)


def test_a_rate_counts_per_key() -> None:
    hits = [rate_limit_hit(key="k1", rate="2/m") for _ in range(3)]

    assert hits[:2] == [None, None]
    assert hits[2] is not None
    assert rate_limit_hit(key="k2", rate="2/m") is None


def test_presence_without_redis_uses_the_cache(settings) -> None:
    settings.REDIS_URL = ""

    presence_touch(user_id=1, connection="a")
    presence_touch(user_id=1, connection="b")
    presence_leave(user_id=1, connection="a")
    online = user_is_online(user_id=1)
    presence_leave(user_id=1, connection="b")

    assert (online, user_is_online(user_id=1)) == (True, False)


def test_a_socket_that_stopped_renewing_no_longer_counts(settings) -> None:
    settings.REALTIME_PRESENCE_TTL = -1

    presence_touch(user_id=2, connection="stale")

    assert user_is_online(user_id=2) is False


def test_a_report_needs_a_reason(conversation: Conversation, buyer: User) -> None:
    with pytest.raises(ApplicationError) as error:
        services.conversation_report(conversation=conversation, reporter=buyer, reason="  ")

    assert error.value.fields == {"reason": ["This field is required."]}


def test_closing_twice_records_once_and_dismissing_a_report_is_audited(
    conversation: Conversation, buyer: User
) -> None:
    services.conversation_report(conversation=conversation, reporter=buyer, reason="Spam")

    services.conversation_close(conversation=conversation, actor=None)
    services.conversation_close(conversation=conversation, actor=None)
    services.conversation_report_dismiss(conversation=conversation, actor=None)

    conversation.refresh_from_db()
    assert (conversation.is_closed, conversation.reported_at) == (True, None)
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        "chat.conversation_report",
        "chat.conversation_close",
        "chat.conversation_report_dismiss",
    ]


def test_a_stranger_cannot_mark_read_or_report(conversation: Conversation, stranger: User) -> None:
    from chat.exceptions import ConversationNotFoundError

    with pytest.raises(ConversationNotFoundError):
        services.conversation_mark_read(conversation=conversation, reader=stranger)
    with pytest.raises(ConversationNotFoundError):
        services.conversation_report(conversation=conversation, reporter=stranger, reason="x")
    with pytest.raises(ConversationNotFoundError):
        services.message_send(conversation=conversation, sender=stranger, body="x")
