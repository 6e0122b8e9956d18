"""A three-decimal currency (the Bahraini dinar, 1 BHD = 1000 fils) end to end: prices, an order
with shipping, a Stripe payment in fils, the ledger, a refund, the API and the pages."""

from decimal import Decimal

import pytest
import requests
from django.test import Client
from rest_framework.test import APIClient

from catalog.tests.factories import VariantFactory
from marketmate.currency import money_format
from orders.tests.factories import ShippingMethodFactory
from payments.models import LedgerEntry, Refund
from payments.services.payments import payments_create
from payments.services.reconciliation import ledger_reconcile
from payments.tests.conftest import (
    STRIPE_SECRET_KEY,
    stripe_browser_pays,
    stripe_client,
    stripe_event,
    webhook_post,
)
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_display_keeps_each_currencys_decimals() -> None:
    assert money_format(amount=Decimal("25.94"), currency="BHD", language="en") == "BHD25.940"
    assert money_format(amount=Decimal("1000.00"), currency="JPY", language="en") == "¥1,000"
    assert money_format(amount=Decimal("80"), currency="USD", language="en") == "$80.00"


def test_a_dinar_order_is_paid_and_refunded_in_fils(stripe_settings, buyer, place) -> None:
    shop = ShopFactory(currency="BHD", name="Manama Books")
    ShippingMethodFactory(shop=shop, price=Decimal("1.250"), is_default=True)
    variant = VariantFactory(product__shop=shop, price=Decimal("12.345"), inventory_count=5)
    order = place(buyer, (variant, 2)).orders[0]

    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    intent = requests.get(
        f"{stripe_settings}/v1/payment_intents/{payment.provider_payment_id}",
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    ).json()
    stripe_browser_pays(payment)
    paid_intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id)
    webhook_post(Client(), stripe_event("payment_intent.succeeded", paid_intent.to_dict()))

    # 2 x 12.345 + 1.250 shipping, in fils for Stripe.
    assert (order.total, payment.amount) == (Decimal("25.940"), Decimal("25.940"))
    assert (intent["amount"], intent["currency"]) == (25940, "bhd")
    # 10 % of 25.940 (2.594) plus the dinar fee (0.110).
    assert dict(LedgerEntry.objects.filter(order=order).values_list("kind", "amount")) == {
        "sale": Decimal("25.940"),
        "commission": Decimal("-2.704"),
    }

    api = APIClient()
    api.force_authenticate(user=shop.owner)
    too_fine = api.post(f"/api/v1/orders/{order.pk}/refunds", {"amount": "1.2345"}, format="json")
    refunded = api.post(f"/api/v1/orders/{order.pk}/refunds", {"amount": "1.235"}, format="json")

    assert too_fine.status_code == 400
    assert too_fine.json()["error"]["fields"] == {
        "amount": ["BHD amounts have at most 3 decimals."]
    }
    assert refunded.status_code == 201, refunded.json()
    assert refunded.json()["amount"] == "1.235"
    refund = Refund.objects.get(order=order)
    stripe_refund = requests.get(
        f"{stripe_settings}/v1/refunds/{refund.provider_refund_id}",
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    ).json()
    assert stripe_refund["amount"] == 1235

    charge = stripe_client().v1.charges.retrieve(stripe_refund["charge"]).to_dict()
    webhook_post(Client(), stripe_event("charge.refunded", charge))
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == "succeeded"
    assert order.refunded_amount == Decimal("1.235")
    assert ledger_reconcile() == []

    buyer_api = APIClient()
    buyer_api.force_authenticate(user=buyer)
    body = buyer_api.get(f"/api/v1/orders/{order.pk}").json()
    assert (body["total"], body["shipping"], body["lines"][0]["unit_price"]) == (
        "25.940",
        "1.250",
        "12.345",
    )
    page = Client()
    page.force_login(shop.owner)
    vendor_page = page.get(f"/dashboard/orders/{order.number}/").content.decode()
    assert money_format(amount=Decimal("25.940"), currency="BHD") in vendor_page
    assert money_format(amount=Decimal("12.345"), currency="BHD") in vendor_page
    assert "25.94<" not in vendor_page
