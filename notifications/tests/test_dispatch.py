"""One dispatch service: every channel the user chose, after commit, in their language."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import User
from accounts.tests.factories import UserFactory
from marketmate.models import JobRecord
from notifications.models import Channel, Kind, Notification
from notifications.selectors import channels_enabled_for, preference_matrix_for_user
from notifications.services import notification_dispatch, preferences_update
from notifications.tests.factories import NotificationPreferenceFactory, PushSubscriptionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _dispatch(user: User, **extra: object) -> Notification | None:
    return notification_dispatch(
        user=user,
        kind=Kind.ORDER_SHIPPED,
        title="Order MM-7 has shipped",
        body="Tea House sent your order on its way.",
        link="/orders/MM-7/",
        data={"order_id": 7},
        **extra,  # type: ignore[arg-type]
    )


def _push_jobs() -> int:
    return JobRecord.objects.filter(name="notifications.send_push_task").count()


def test_by_default_every_channel_is_used(settings) -> None:
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    user = UserFactory(email="bea@example.com", name="Bea Buyer")
    PushSubscriptionFactory(user=user)

    notification = _dispatch(user)

    assert notification is not None
    stored = Notification.objects.get()
    assert (stored.user, stored.kind, stored.title, stored.link, stored.data) == (
        user,
        "order_shipped",
        "Order MM-7 has shipped",
        "/orders/MM-7/",
        {"order_id": 7},
    )
    assert [message.to for message in mail.outbox] == [["bea@example.com"]]
    assert _push_jobs() == 1


@pytest.mark.parametrize(
    ("switched_off", "stored", "emails", "pushes"),
    [
        ([Channel.IN_APP], 0, 1, 1),
        ([Channel.EMAIL], 1, 0, 1),
        ([Channel.PUSH], 1, 1, 0),
        ([Channel.IN_APP, Channel.EMAIL, Channel.PUSH], 0, 0, 0),
    ],
)
def test_each_channel_follows_the_users_preference(
    settings, switched_off: list[str], stored: int, emails: int, pushes: int
) -> None:
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    user = UserFactory()
    PushSubscriptionFactory(user=user)
    for channel in switched_off:
        NotificationPreferenceFactory(user=user, kind=Kind.ORDER_SHIPPED, channel=channel)

    _dispatch(user)

    assert Notification.objects.count() == stored
    assert len(mail.outbox) == emails
    assert _push_jobs() == pushes


def test_a_preference_for_one_kind_leaves_the_others_alone() -> None:
    user = UserFactory()
    NotificationPreferenceFactory(user=user, kind=Kind.ORDER_SHIPPED, channel=Channel.EMAIL)

    assert channels_enabled_for(user=user, kind=Kind.ORDER_SHIPPED) == {"in_app", "push"}
    assert channels_enabled_for(user=user, kind=Kind.ORDER_PAID) == {"in_app", "email", "push"}


def test_without_a_push_subscription_no_push_job_is_queued() -> None:
    _dispatch(UserFactory())

    assert _push_jobs() == 0


def test_nothing_goes_out_when_the_transaction_rolls_back() -> None:
    user = UserFactory()
    PushSubscriptionFactory(user=user)

    with pytest.raises(RuntimeError), transaction.atomic():
        _dispatch(user)
        raise RuntimeError("the order change failed")

    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert _push_jobs() == 0


def test_the_same_key_sends_the_email_once() -> None:
    user = UserFactory()

    _dispatch(user, key="order.shipped:7")
    _dispatch(user, key="order.shipped:7")

    assert len(mail.outbox) == 1


def test_inactive_users_are_not_notified() -> None:
    assert _dispatch(UserFactory(is_active=False)) is None
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notification_dispatch(user=UserFactory(), kind="party", title="Hi")


def test_the_email_says_what_happened_links_to_it_and_to_the_preferences(settings) -> None:
    settings.SITE_URL = "https://marketmate.example"
    user = UserFactory(email="bea@example.com", name="Bea Buyer")

    _dispatch(user)

    (message,) = mail.outbox
    assert message.subject == "Order MM-7 has shipped"
    assert message.body == (
        "Hello Bea,\n\n"
        "Order MM-7 has shipped\n\n"
        "Tea House sent your order on its way.\n\n"
        "See it on the site: https://marketmate.example/orders/MM-7/\n\n"
        "--\n"
        "Choose which e-mails you get: https://marketmate.example/notifications/preferences/\n"
    )
    html = message.alternatives[0][0]
    assert "Order MM-7 has shipped</h1>" in html
    assert 'href="https://marketmate.example/orders/MM-7/"' in html
    assert 'href="https://marketmate.example/notifications/preferences/"' in html


def test_the_email_is_escaped_and_in_the_users_language() -> None:
    user = UserFactory(language="de", name="Eva <script>")

    notification_dispatch(
        user=user, kind=Kind.CHAT_MESSAGE, title="<b>Hi</b>", body="<img src=x onerror=alert(1)>"
    )

    html = mail.outbox[0].alternatives[0][0]
    assert 'lang="de"' in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;Hi&lt;/b&gt;" in html


def test_preferences_are_stored_per_kind_and_channel() -> None:
    user = UserFactory()

    preferences_update(
        user=user, matrix={Kind.CHAT_MESSAGE: {Channel.EMAIL: False, Channel.PUSH: False}}
    )
    preferences_update(user=user, matrix={Kind.CHAT_MESSAGE: {Channel.PUSH: True}})

    matrix = preference_matrix_for_user(user=user)
    assert matrix[Kind.CHAT_MESSAGE] == {"in_app": True, "email": False, "push": True}
    assert matrix[Kind.REVIEW_RECEIVED] == {"in_app": True, "email": False, "push": True}
    assert matrix[Kind.ORDER_PAID] == {"in_app": True, "email": True, "push": True}
