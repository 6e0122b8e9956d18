"""Stripe: PaymentIntents confirmed in the browser by the Payment Element, refunds, events for
reconciliation, and Connect accounts and transfers for payouts.

Settings are read at call time; `STRIPE_API_BASE` points the client at another address
(localstripe in tests). Every request that creates something carries an idempotency key.
"""

import logging
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import ClassVar

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from payments.exceptions import GatewayError
from payments.gateways.base import (
    IntentResult,
    IntentStatus,
    PaymentGateway,
    RefundResult,
    TransferResult,
    from_minor_units,
    to_minor_units,
)

logger = logging.getLogger(__name__)

_STATUSES = {
    "requires_payment_method": IntentStatus.PENDING,
    "requires_confirmation": IntentStatus.PENDING,
    "requires_action": IntentStatus.PENDING,
    "processing": IntentStatus.PENDING,
    "requires_capture": IntentStatus.PENDING,
    "succeeded": IntentStatus.SUCCEEDED,
    "canceled": IntentStatus.CANCELED,
}


def intent_status(intent: Mapping[str, object]) -> str:
    """MarketMate's status for a Stripe PaymentIntent (a failed attempt leaves it
    `requires_payment_method` with a `last_payment_error`)."""
    status = str(intent.get("status", ""))
    if status == "requires_payment_method" and intent.get("last_payment_error"):
        return IntentStatus.FAILED
    return _STATUSES.get(status, IntentStatus.PENDING)


def intent_failure_message(intent: Mapping[str, object]) -> str:
    error = intent.get("last_payment_error")
    if isinstance(error, Mapping):
        return str(error.get("message") or "")[:255]
    return ""


class StripeGateway(PaymentGateway):
    name: ClassVar[str] = "stripe"
    confirms_on_server: ClassVar[bool] = False
    supports_transfers: ClassVar[bool] = True

    def _client(self) -> stripe.StripeClient:
        base = settings.STRIPE_API_BASE
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": base} if base else None,
            max_network_retries=2,
        )

    def _call(self, what: str, call: Callable[[], stripe.StripeObject]) -> dict[str, object]:
        try:
            result = call()
        except stripe.StripeError as exc:
            logger.warning("Stripe refused %s: %s", what, exc)
            # `what` is for the log only: a translated sentence cannot take an English phrase.
            raise GatewayError(
                _("The payment provider could not complete this step. Try again in a moment.")
            ) from exc
        return dict(result.to_dict())

    def intent_create(
        self,
        *,
        amount: Decimal,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> IntentResult:
        client = self._client()
        intent = self._call(
            "start the payment",
            lambda: client.v1.payment_intents.create(
                params={
                    "amount": to_minor_units(amount, currency),
                    "currency": currency.lower(),
                    "metadata": dict(metadata),
                },
                options={"idempotency_key": idempotency_key},
            ),
        )
        return IntentResult(
            provider_payment_id=str(intent["id"]),
            status=intent_status(intent),
            client_secret=str(intent.get("client_secret") or ""),
            raw=intent,
        )

    def intent_confirm(
        self, *, provider_payment_id: str, card_number: str, idempotency_key: str
    ) -> IntentResult:
        client = self._client()
        intent = self._call(
            "confirm the payment",
            lambda: client.v1.payment_intents.confirm(
                provider_payment_id, options={"idempotency_key": idempotency_key}
            ),
        )
        return IntentResult(
            provider_payment_id=str(intent["id"]),
            status=intent_status(intent),
            failure_message=intent_failure_message(intent),
            raw=intent,
        )

    def intent_retrieve(self, *, provider_payment_id: str) -> IntentResult:
        client = self._client()
        intent = self._call(
            "find the payment", lambda: client.v1.payment_intents.retrieve(provider_payment_id)
        )
        return IntentResult(
            provider_payment_id=str(intent["id"]),
            status=intent_status(intent),
            failure_message=intent_failure_message(intent),
            raw=intent,
        )

    def refund_create(
        self,
        *,
        provider_payment_id: str,
        amount: Decimal,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> RefundResult:
        client = self._client()
        refund = self._call(
            "refund the payment",
            lambda: client.v1.refunds.create(
                params={
                    "payment_intent": provider_payment_id,
                    "amount": to_minor_units(amount, currency),
                    "metadata": dict(metadata),
                },
                options={"idempotency_key": idempotency_key},
            ),
        )
        return RefundResult(
            provider_refund_id=str(refund["id"]), status=str(refund.get("status", "")), raw=refund
        )

    def refund_retrieve(self, *, provider_refund_id: str) -> RefundResult:
        client = self._client()
        refund = self._call(
            "find the refund", lambda: client.v1.refunds.retrieve(provider_refund_id)
        )
        return RefundResult(
            provider_refund_id=str(refund["id"]), status=str(refund.get("status", "")), raw=refund
        )

    def events_list(self, *, created_after: int) -> list[dict[str, object]]:
        client = self._client()
        try:
            page = client.v1.events.list(params={"created": {"gt": created_after}, "limit": 100})
            events = [event.to_dict() for event in page.auto_paging_iter()]
        except stripe.StripeError as exc:
            logger.warning("Stripe refused the event list: %s", exc)
            raise GatewayError(_("The payment provider could not list its events.")) from exc
        return sorted(events, key=lambda event: (int(str(event.get("created", 0))), event["id"]))

    def transfer_create(
        self,
        *,
        amount: Decimal,
        currency: str,
        destination: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> TransferResult:
        client = self._client()
        transfer = self._call(
            "transfer the payout",
            lambda: client.v1.transfers.create(
                params={
                    "amount": to_minor_units(amount, currency),
                    "currency": currency.lower(),
                    "destination": destination,
                    "metadata": dict(metadata),
                },
                options={"idempotency_key": idempotency_key},
            ),
        )
        return TransferResult(provider_transfer_id=str(transfer["id"]), raw=transfer)

    def account_create(self, *, email: str, country: str, idempotency_key: str) -> str:
        client = self._client()
        account = self._call(
            "create the payout account",
            lambda: client.v1.accounts.create(
                params={"type": "express", "email": email, "country": country},
                options={"idempotency_key": idempotency_key},
            ),
        )
        return str(account["id"])

    def account_link_create(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        client = self._client()
        link = self._call(
            "start the payout account set-up",
            lambda: client.v1.account_links.create(
                params={
                    "account": account_id,
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                    "type": "account_onboarding",
                },
                # A link is single-use: one key per request still makes its retries safe.
                options={"idempotency_key": f"marketmate-account-link-{uuid.uuid4().hex}"},
            ),
        )
        return str(link["url"])


def amount_from_stripe(amount: object, currency: str) -> Decimal:
    return from_minor_units(int(str(amount)), currency)
