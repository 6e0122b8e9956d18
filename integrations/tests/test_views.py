"""Dashboard pages of integrations: keys and endpoints for owners and managers only, the key and
the secret shown once, another shop's objects a 404."""

import pytest
from django.test import Client
from django.utils import timezone

from integrations.models import ShopApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.tests.factories import ShopApiKeyFactory, WebhookEndpointFactory
from shops.models import ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_creates_a_key_and_sees_it_once() -> None:
    shop = ShopFactory()
    client = _client(shop.owner)

    created = client.post(
        "/dashboard/integrations/",
        {"name": "Warehouse", "scopes": ["inventory:write"], "expires_on": "2099-01-31"},
    )
    listed = client.get("/dashboard/integrations/")

    key = ShopApiKey.objects.get()
    assert created.status_code == 201
    assert created.context["raw_key"].startswith(f"{key.prefix}.")
    assert created.context["raw_key"] in created.content.decode()
    assert key.expires_at.isoformat() == "2099-01-31T00:00:00+00:00"
    assert key.prefix in listed.content.decode()
    assert created.context["raw_key"] not in listed.content.decode()


def test_a_key_without_scopes_is_refused_on_the_form() -> None:
    shop = ShopFactory()

    answer = _client(shop.owner).post("/dashboard/integrations/", {"name": "x"})

    assert answer.status_code == 400
    assert list(answer.context["form"].errors) == ["scopes"]


def test_staff_members_do_not_get_the_integrations_pages() -> None:
    shop = ShopFactory()
    staff = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user

    answers = [
        _client(staff).get("/dashboard/integrations/"),
        _client(staff).get("/dashboard/integrations/webhooks/"),
    ]

    assert [answer.status_code for answer in answers] == [403, 403]


def test_revoking_a_key_of_another_shop_is_a_404() -> None:
    mine = ShopFactory()
    theirs = ShopApiKeyFactory()

    answer = _client(mine.owner).post(f"/dashboard/integrations/keys/{theirs.pk}/delete/")

    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_owner_revokes_a_key() -> None:
    key = ShopApiKeyFactory()

    answer = _client(key.shop.owner).post(f"/dashboard/integrations/keys/{key.pk}/delete/")

    assert answer.status_code == 302
    key.refresh_from_db()
    assert key.revoked_reason == "revoked by the shop"


def test_an_endpoint_is_added_with_its_secret_shown_once(settings) -> None:
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    shop = ShopFactory()
    client = _client(shop.owner)

    created = client.post(
        "/dashboard/integrations/webhooks/",
        {"url": "http://127.0.0.1:9/hooks", "events": ["order.paid", "inventory.low"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    detail = client.get(f"/dashboard/integrations/webhooks/{endpoint.pk}/")

    assert created.status_code == 201
    assert endpoint.secret in created.content.decode()
    assert endpoint.events == ["inventory.low", "order.paid"]
    assert detail.status_code == 200
    assert endpoint.secret not in detail.content.decode()


def test_a_private_address_is_refused_on_the_form() -> None:
    shop = ShopFactory()

    answer = _client(shop.owner).post(
        "/dashboard/integrations/webhooks/",
        {"url": "https://10.0.0.8/hooks", "events": ["order.paid"]},
    )

    assert answer.status_code == 400
    assert answer.context["form"].errors["url"] == ["Use a public address."]
    assert WebhookEndpoint.objects.count() == 0


def test_another_shops_endpoint_pages_and_actions_are_404() -> None:
    mine = ShopFactory()
    theirs = WebhookEndpointFactory()
    client = _client(mine.owner)
    base = f"/dashboard/integrations/webhooks/{theirs.pk}"

    answers = [
        client.get(f"{base}/"),
        client.post(f"{base}/update/"),
        client.post(f"{base}/test/"),
        client.post(f"{base}/delete/"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert WebhookEndpoint.objects.get(pk=theirs.pk).is_active is True


def test_an_owner_switches_an_endpoint_off_and_on() -> None:
    endpoint = WebhookEndpointFactory()
    client = _client(endpoint.shop.owner)

    client.post(f"/dashboard/integrations/webhooks/{endpoint.pk}/update/")
    endpoint.refresh_from_db()
    off = endpoint.is_active
    client.post(f"/dashboard/integrations/webhooks/{endpoint.pk}/update/")
    endpoint.refresh_from_db()

    assert (off, endpoint.is_active) == (False, True)


def test_the_delivery_log_page_has_a_query_budget(django_assert_max_num_queries) -> None:
    endpoint = WebhookEndpointFactory()
    for number in range(5):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, message_id=f"msg_{number}", event="order.paid", payload={}
        )
        WebhookAttempt.objects.create(
            delivery=delivery, number=1, started=timezone.now(), status_code=500
        )
    client = _client(endpoint.shop.owner)

    with django_assert_max_num_queries(16):
        answer = client.get(f"/dashboard/integrations/webhooks/{endpoint.pk}/")

    assert answer.content.decode().count("data-delivery=") == 5
