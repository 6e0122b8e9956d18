"""The shopper's return from the payment page racing Stripe's webhook, in real threads."""

import threading

import pytest
from django.db import connection
from django.test import Client

from marketmate.models import AuditLog
from orders.models import Order
from payments.models import LedgerEntry, Payment
from payments.services.payments import payment_sync, payments_create
from payments.tests.conftest import stripe_browser_pays, stripe_client, stripe_event, webhook_post

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_webhook_and_the_return_record_the_payment_once(stripe_settings, buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    event = stripe_event("payment_intent.succeeded", intent)
    barrier = threading.Barrier(6)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def webhook() -> None:
        try:
            barrier.wait()
            statuses.append(webhook_post(Client(), event).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def shopper_returns() -> None:
        try:
            barrier.wait()
            payment_sync(payment=Payment.objects.get(pk=payment.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=webhook) for _ in range(3)]
    threads += [threading.Thread(target=shopper_returns) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [200, 200, 200]
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert AuditLog.objects.filter(action="order.paid").count() == 1
    assert LedgerEntry.objects.filter(order=order).count() == 2
