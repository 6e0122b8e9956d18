"""The notification pages, the header bell and the service worker."""

import pytest
from django.test import Client

from accounts.models import User
from notifications.models import Notification, NotificationPreference
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url", ["/notifications/", "/notifications/preferences/", "/notifications/bell/"]
)
def test_the_pages_need_a_signed_in_user(url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_list_shows_the_users_notifications_escaped_with_the_unread_ones_marked(
    client_in: Client, user: User
) -> None:
    NotificationFactory(user=user, title="<script>alert(1)</script>")
    NotificationFactory(title="Someone else's")

    response = client_in.get("/notifications/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Someone else" not in html
    assert html.count('class="notification notification--unread"') == 1
    assert "Mark all read" in html


def test_the_header_bell_shows_the_unread_count(client_in: Client, user: User) -> None:
    NotificationFactory.create_batch(3, user=user)

    html = client_in.get("/notifications/bell/").content.decode()
    page = client_in.get("/notifications/").content.decode()

    assert 'data-notification-badge aria-hidden="true">3</span>' in html
    assert 'aria-label="Notifications, 3 unread"' in html
    assert 'id="notification-bell"' in page
    assert "js/realtime.js" in page


def test_the_bell_hides_its_badge_when_all_is_read(client_in: Client, user: User) -> None:
    html = client_in.get("/notifications/bell/").content.decode()

    assert 'data-notification-badge aria-hidden="true" hidden>' in html
    assert 'aria-label="Notifications"' in html


def test_anonymous_pages_load_no_realtime_script() -> None:
    html = Client().get("/").content.decode()

    assert "js/realtime.js" not in html
    assert "notification-bell" not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    client_in: Client, user: User
) -> None:
    notification = NotificationFactory(user=user, link="/orders/MM-1/")

    response = client_in.post(f"/notifications/{notification.pk}/read/", {"follow": "1"})

    assert response["Location"] == "/orders/MM-1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_not_followed(client_in: Client, user: User) -> None:
    notification = NotificationFactory(user=user, link="https://evil.example/")

    response = client_in.post(f"/notifications/{notification.pk}/read/", {"follow": "1"})

    assert response["Location"] == "/notifications/"


def test_another_users_notification_is_404(client_in: Client) -> None:
    theirs = NotificationFactory()

    assert client_in.post(f"/notifications/{theirs.pk}/read/").status_code == 404


def test_mark_all_read(client_in: Client, user: User) -> None:
    NotificationFactory.create_batch(2, user=user)

    client_in.post("/notifications/read-all/")

    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_the_preferences_form_saves_the_ticked_boxes(client_in: Client, user: User) -> None:
    page = client_in.get("/notifications/preferences/").content.decode()

    client_in.post(
        "/notifications/preferences/",
        {"chat_message__in_app": "on", "chat_message__push": "on"},
    )

    assert page.count('type="checkbox"') == 36  # 12 kinds, 3 channels each
    assert (
        NotificationPreference.objects.get(user=user, kind="chat_message", channel="email").enabled
        is False
    )
    assert (
        NotificationPreference.objects.get(user=user, kind="chat_message", channel="push").enabled
        is True
    )
    assert (
        NotificationPreference.objects.get(user=user, kind="order_paid", channel="in_app").enabled
        is False
    )


def test_the_service_worker_is_served_from_the_root_with_its_scope() -> None:
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert b'addEventListener("push"' in response.content


def test_the_list_has_a_query_budget(
    django_assert_max_num_queries, client_in: Client, user: User
) -> None:
    NotificationFactory.create_batch(15, user=user)

    with django_assert_max_num_queries(12):
        response = client_in.get("/notifications/")

    assert response.content.decode().count('class="notification notification--unread"') == 15
