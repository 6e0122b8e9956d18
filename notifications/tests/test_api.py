"""The notifications API: each user sees and changes only their own."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from notifications.models import Notification, PushSubscription
from notifications.tests.factories import NotificationFactory, PushSubscriptionFactory

pytestmark = pytest.mark.django_db


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/notifications"),
        ("get", "/api/v1/notifications/unread-count"),
        ("post", "/api/v1/notifications/read-all"),
        ("get", "/api/v1/notifications/preferences"),
        ("put", "/api/v1/notifications/preferences"),
        ("post", "/api/v1/notifications/push-subscriptions"),
    ],
)
def test_every_endpoint_needs_a_signed_in_user(method: str, url: str) -> None:
    assert getattr(APIClient(), method)(url).status_code == 401


def test_the_list_is_the_users_own_newest_first_with_a_cursor(user: User) -> None:
    mine = NotificationFactory.create_batch(3, user=user)
    NotificationFactory()  # someone else's

    response = client_for(user).get("/api/v1/notifications?page_size=2")
    body = response.json()
    second = client_for(user).get(body["next"]).json()

    assert [n["id"] for n in body["results"]] == [mine[2].pk, mine[1].pk]
    assert [n["id"] for n in second["results"]] == [mine[0].pk]
    assert body["results"][0] == {
        "id": mine[2].pk,
        "kind": "order_shipped",
        "title": mine[2].title,
        "body": "Your order is on its way.",
        "link": "/orders/",
        "data": {},
        "read_at": None,
        "created": body["results"][0]["created"],
    }


def test_marking_one_read_and_the_unread_count(user: User) -> None:
    first, _second = NotificationFactory.create_batch(2, user=user)
    client = client_for(user)

    response = client.post(f"/api/v1/notifications/{first.pk}/read")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread_count": 1}


def test_another_users_notification_cannot_be_marked_read(user: User) -> None:
    theirs = NotificationFactory()

    response = client_for(user).post(f"/api/v1/notifications/{theirs.pk}/read")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_the_users_own(user: User) -> None:
    NotificationFactory.create_batch(3, user=user)
    theirs = NotificationFactory()

    response = client_for(user).post("/api/v1/notifications/read-all")

    assert response.json() == {"count": 3}
    assert Notification.objects.filter(read_at__isnull=True).get() == theirs


def test_preferences_are_read_and_changed_in_part(user: User) -> None:
    client = client_for(user)

    before = client.get("/api/v1/notifications/preferences").json()
    after = client.put(
        "/api/v1/notifications/preferences",
        {"chat_message": {"email": False}, "order_paid": {"push": False, "in_app": True}},
        format="json",
    )

    assert before["chat_message"] == {"in_app": True, "email": True, "push": True}
    assert after.status_code == 200
    assert after.json()["chat_message"] == {"in_app": True, "email": False, "push": True}
    assert after.json()["order_paid"] == {"in_app": True, "email": True, "push": False}
    assert sorted(after.json()) == sorted(before)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"party": {"email": True}}, {"party": ["Unknown notification kind."]}),
        (
            {"chat_message": {"email": "maybe"}},
            {"chat_message": {"email": ["Must be a valid boolean."]}},
        ),
        (
            {"chat_message": "off"},
            {
                "chat_message": {
                    "non_field_errors": ["Invalid data. Expected a dictionary, but got str."]
                }
            },
        ),
    ],
)
def test_bad_preferences_are_field_errors(user: User, payload: object, fields: object) -> None:
    response = client_for(user).put("/api/v1/notifications/preferences", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields


def test_a_browser_registers_and_unregisters_its_push_subscription(user: User) -> None:
    client = client_for(user)
    subscription = {
        "endpoint": "https://push.example/send/abc",
        "keys": {
            "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
            "auth": "tBHItJI5svbpez7KI4CCXg",
        },
    }

    registered = client.post(
        "/api/v1/notifications/push-subscriptions",
        subscription,
        format="json",
        HTTP_USER_AGENT="Firefox",
    )
    stored = PushSubscription.objects.get()
    removed = client.post(
        "/api/v1/notifications/push-subscriptions/unregister",
        {"endpoint": "https://push.example/send/abc"},
        format="json",
    )

    assert registered.status_code == 201
    assert (stored.user, stored.user_agent, stored.auth) == (
        user,
        "Firefox",
        "tBHItJI5svbpez7KI4CCXg",
    )
    assert removed.status_code == 204
    assert PushSubscription.objects.count() == 0


def test_a_push_subscription_needs_an_https_endpoint_and_keys(user: User) -> None:
    response = client_for(user).post(
        "/api/v1/notifications/push-subscriptions",
        {"endpoint": "http://169.254.169.254/latest", "keys": {"p256dh": "x", "auth": "y"}},
        format="json",
    )
    missing = client_for(user).post(
        "/api/v1/notifications/push-subscriptions",
        {"endpoint": "https://push.example/1"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"endpoint": ["Use an https address."]}
    assert missing.json()["error"]["fields"] == {"keys": ["This field is required."]}
    assert PushSubscription.objects.count() == 0


def test_another_users_push_subscription_cannot_be_removed(user: User) -> None:
    theirs = PushSubscriptionFactory(user=UserFactory())

    response = client_for(user).post(
        "/api/v1/notifications/push-subscriptions/unregister",
        {"endpoint": theirs.endpoint},
        format="json",
    )

    assert response.status_code == 404
    assert PushSubscription.objects.count() == 1


def test_the_push_key_is_the_vapid_public_key(settings, user: User) -> None:
    settings.VAPID_PUBLIC_KEY = "BPublicKey"

    assert client_for(user).get("/api/v1/notifications/push-key").json() == {
        "public_key": "BPublicKey"
    }


def test_another_users_push_endpoint_cannot_be_taken_over(user: User) -> None:
    # Given the victim's browser registered its push endpoint
    victim = UserFactory()
    theirs = PushSubscriptionFactory(user=victim, auth="victim-auth-secret")

    # When the attacker registers the same endpoint with keys of their own
    response = client_for(user).post(
        "/api/v1/notifications/push-subscriptions",
        {
            "endpoint": theirs.endpoint,
            "keys": {
                "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
                "auth": "attacker-auth-secret",
            },
        },
        format="json",
    )

    # Then it is refused and the endpoint stays the victim's, with the victim's keys
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "push_endpoint_taken"
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.auth) == (victim, "victim-auth-secret")
