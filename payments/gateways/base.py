"""The interface every payment gateway implements, and the results it gives back.

Amounts cross this interface as `Decimal` in the currency's major unit; each gateway converts
to what its provider wants. Every call that creates or changes something takes an idempotency
key, so a retried call never charges, refunds or transfers twice.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from marketmate.money import from_minor_units, to_minor_units

# Minor units are the money module's business; the gateways use its conversions.
__all__ = ["from_minor_units", "to_minor_units"]


class IntentStatus:
    """What a gateway says about a payment, in MarketMate's words."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True)
class IntentResult:
    provider_payment_id: str
    status: str
    client_secret: str = ""
    failure_message: str = ""
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    provider_refund_id: str
    status: str
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TransferResult:
    provider_transfer_id: str
    raw: Mapping[str, object] = field(default_factory=dict)


class PaymentGateway(ABC):
    """A way to take and return money. `payments.gateways.gateway_get()` picks the one in use."""

    name: ClassVar[str]
    # True when the gateway settles payments on the server (the dummy card form); False when the
    # shopper's browser confirms with the provider and a webhook reports the outcome (Stripe).
    confirms_on_server: ClassVar[bool]
    supports_transfers: ClassVar[bool]

    @abstractmethod
    def intent_create(
        self,
        *,
        amount: Decimal,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> IntentResult:
        """Start collecting `amount`; the result's client secret goes to the payment page."""

    @abstractmethod
    def intent_confirm(
        self, *, provider_payment_id: str, card_number: str, idempotency_key: str
    ) -> IntentResult:
        """Charge the card for the intent (the test-mode form; Stripe confirms in the browser)."""

    @abstractmethod
    def intent_retrieve(self, *, provider_payment_id: str) -> IntentResult:
        """The intent's status as the provider sees it now."""

    @abstractmethod
    def refund_create(
        self,
        *,
        provider_payment_id: str,
        amount: Decimal,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> RefundResult:
        """Return `amount` of the payment to the shopper."""

    @abstractmethod
    def refund_retrieve(self, *, provider_refund_id: str) -> RefundResult:
        """The refund's status as the provider sees it now."""

    @abstractmethod
    def events_list(self, *, created_after: int) -> list[dict[str, object]]:
        """The provider's events since `created_after` (a Unix time), oldest first."""

    @abstractmethod
    def transfer_create(
        self,
        *,
        amount: Decimal,
        currency: str,
        destination: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> TransferResult:
        """Send `amount` to a connected account."""

    @abstractmethod
    def account_create(self, *, email: str, country: str, idempotency_key: str) -> str:
        """A new connected account for a shop; returns its id."""

    @abstractmethod
    def account_link_create(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        """The URL where the shop's owner completes the connected account's onboarding."""
