"""The gateways: the test-mode dummy's card rules, and Stripe against a real localstripe."""

from decimal import Decimal

import pytest
import requests

from payments.exceptions import GatewayError, InvalidCardError, PayoutUnavailableError
from payments.gateways import gateway_get
from payments.gateways.base import IntentStatus, from_minor_units, to_minor_units
from payments.gateways.dummy import DummyGateway, card_number_clean
from payments.gateways.stripe import StripeGateway
from payments.tests.conftest import STRIPE_SECRET_KEY


def test_amounts_go_to_providers_in_minor_units_and_back() -> None:
    assert to_minor_units(Decimal("19.99"), "USD") == 1999
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert from_minor_units(1999, "eur") == Decimal("19.99")
    assert from_minor_units(1500, "JPY") == Decimal("1500.00")


def test_the_dummy_gateway_is_used_without_a_stripe_key(settings) -> None:
    settings.STRIPE_SECRET_KEY = ""

    assert isinstance(gateway_get(), DummyGateway)

    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert isinstance(gateway_get(), StripeGateway)


def test_the_test_card_succeeds_and_the_decline_card_is_declined() -> None:
    gateway = DummyGateway()
    intent = gateway.intent_create(
        amount=Decimal("10.00"), currency="USD", metadata={}, idempotency_key="k1"
    )

    paid = gateway.intent_confirm(
        provider_payment_id=intent.provider_payment_id,
        card_number="4242 4242 4242 4242",
        idempotency_key="c1",
    )
    declined = gateway.intent_confirm(
        provider_payment_id=intent.provider_payment_id,
        card_number="4000 0000 0000 0002",
        idempotency_key="c2",
    )

    assert paid.status == IntentStatus.SUCCEEDED
    assert declined.status == IntentStatus.FAILED
    assert declined.failure_message == "Your card was declined."


def test_the_same_idempotency_key_gives_the_same_dummy_intent() -> None:
    gateway = DummyGateway()
    first = gateway.intent_create(
        amount=Decimal("1"), currency="USD", metadata={}, idempotency_key="a"
    )
    again = gateway.intent_create(
        amount=Decimal("1"), currency="USD", metadata={}, idempotency_key="a"
    )
    other = gateway.intent_create(
        amount=Decimal("1"), currency="USD", metadata={}, idempotency_key="b"
    )

    assert first.provider_payment_id == again.provider_payment_id
    assert first.provider_payment_id != other.provider_payment_id


@pytest.mark.parametrize("number", ["4242 4242 4242 4241", "abcd", "4242", ""])
def test_a_number_that_is_no_card_number_is_refused(number: str) -> None:
    with pytest.raises(InvalidCardError) as error:
        card_number_clean(number)

    assert "card_number" in error.value.fields


def test_the_dummy_gateway_cannot_transfer() -> None:
    with pytest.raises(PayoutUnavailableError):
        DummyGateway().transfer_create(
            amount=Decimal("5"),
            currency="USD",
            destination="acct_1",
            metadata={},
            idempotency_key="t",
        )


def test_stripe_creates_confirms_and_refunds_a_payment_intent(stripe_settings: str) -> None:
    gateway = StripeGateway()

    intent = gateway.intent_create(
        amount=Decimal("12.34"),
        currency="EUR",
        metadata={"payment_id": "7"},
        idempotency_key="marketmate-test-create-1",
    )
    stripe_intent = requests.get(
        f"{stripe_settings}/v1/payment_intents/{intent.provider_payment_id}",
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    ).json()
    method = requests.post(
        f"{stripe_settings}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    ).json()
    requests.post(
        f"{stripe_settings}/v1/payment_intents/{intent.provider_payment_id}",
        data={"payment_method": method["id"]},
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    ).raise_for_status()
    confirmed = gateway.intent_confirm(
        provider_payment_id=intent.provider_payment_id, card_number="", idempotency_key="c-1"
    )
    refund = gateway.refund_create(
        provider_payment_id=intent.provider_payment_id,
        amount=Decimal("2.34"),
        currency="EUR",
        metadata={"refund_id": "3"},
        idempotency_key="marketmate-test-refund-1",
    )

    assert intent.status == IntentStatus.PENDING
    assert intent.client_secret.startswith(intent.provider_payment_id + "_secret_")
    assert stripe_intent["amount"] == 1234
    assert stripe_intent["currency"] == "eur"
    assert stripe_intent["metadata"] == {"payment_id": "7"}
    assert confirmed.status == IntentStatus.SUCCEEDED
    assert gateway.intent_retrieve(provider_payment_id=intent.provider_payment_id).status == (
        IntentStatus.SUCCEEDED
    )
    assert refund.status == "succeeded"
    assert (
        gateway.refund_retrieve(provider_refund_id=refund.provider_refund_id).raw["amount"] == 234
    )


def test_stripe_lists_recent_events(stripe_settings: str) -> None:
    gateway = StripeGateway()
    intent = gateway.intent_create(
        amount=Decimal("5.00"), currency="USD", metadata={}, idempotency_key="events-1"
    )
    method = requests.post(
        f"{stripe_settings}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    ).json()
    requests.post(
        f"{stripe_settings}/v1/payment_intents/{intent.provider_payment_id}",
        data={"payment_method": method["id"]},
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    ).raise_for_status()
    gateway.intent_confirm(
        provider_payment_id=intent.provider_payment_id, card_number="", idempotency_key="e-c"
    )

    events = gateway.events_list(created_after=0)

    mine = [
        event
        for event in events
        if event["type"] == "payment_intent.succeeded"
        and event["data"]["object"]["id"] == intent.provider_payment_id
    ]
    assert len(mine) == 1


def test_stripe_transfers_to_a_connected_account(stripe_settings: str) -> None:
    gateway = StripeGateway()

    account = gateway.account_create(email="v@example.com", country="US", idempotency_key="acct-1")
    again = gateway.account_create(email="v@example.com", country="US", idempotency_key="acct-1")
    link = gateway.account_link_create(
        account_id=account, refresh_url="http://x/r", return_url="http://x/d"
    )
    transfer = gateway.transfer_create(
        amount=Decimal("30.00"),
        currency="USD",
        destination=account,
        metadata={"payout_id": "1"},
        idempotency_key="payout-1",
    )
    repeated = gateway.transfer_create(
        amount=Decimal("30.00"),
        currency="USD",
        destination=account,
        metadata={"payout_id": "1"},
        idempotency_key="payout-1",
    )

    assert account.startswith("acct_")
    assert again == account
    assert link == f"https://connect.stripe.test/setup/{account}"
    assert transfer.raw["amount"] == 3000
    assert repeated.provider_transfer_id == transfer.provider_transfer_id


def test_a_stripe_refusal_becomes_a_gateway_error(stripe_settings: str) -> None:
    with pytest.raises(GatewayError):
        StripeGateway().intent_retrieve(provider_payment_id="pi_does_not_exist")


@pytest.mark.django_db(transaction=True)
def test_every_stripe_request_that_creates_or_changes_something_has_an_idempotency_key(
    stripe_settings: str, buyer, order, shop
) -> None:
    from django.test import Client

    from payments.services.payments import payments_create
    from payments.services.payouts import connected_account_link
    from payments.services.refunds import refund_request
    from payments.tests.conftest import stripe_client, stripe_event, webhook_post

    before = len(requests.get(f"{stripe_settings}/_config/posts", timeout=5).json())
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment.refresh_from_db()
    method = stripe_client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    stripe_client().v1.payment_intents.update(
        payment.provider_payment_id, params={"payment_method": method.id}
    )
    mine_from = len(requests.get(f"{stripe_settings}/_config/posts", timeout=5).json())
    StripeGateway().intent_confirm(
        provider_payment_id=payment.provider_payment_id, card_number="", idempotency_key="c-9"
    )
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    webhook_post(Client(), stripe_event("payment_intent.succeeded", intent))
    refund_request(actor=shop.owner, order=order, amount=Decimal("5.00"))
    connected_account_link(shop=shop, actor=shop.owner, base_url="http://testserver/")

    posts = requests.get(f"{stripe_settings}/_config/posts", timeout=5).json()
    ours = posts[before : before + 1] + posts[mine_from:]
    assert [post["path"].split("/")[2] for post in ours] == [
        "payment_intents",
        "payment_intents",
        "refunds",
        "accounts",
        "account_links",
    ]
    assert all(post["key"] for post in ours)
    assert ours[0]["key"] == f"marketmate-payment-{payment.pk}-intent"
