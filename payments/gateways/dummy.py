"""The embedded default: a test-mode gateway that moves no money.

Card 4242 4242 4242 4242 succeeds and 4000 0000 0000 0002 is declined, as in Stripe's test mode.
Any other number that passes the Luhn check is declined too; one that does not is refused as
invalid. Intents live in the Payment row itself: the gateway keeps no state.
"""

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from django.utils.translation import gettext as _

from payments.exceptions import InvalidCardError, PayoutUnavailableError
from payments.gateways.base import (
    IntentResult,
    IntentStatus,
    PaymentGateway,
    RefundResult,
    TransferResult,
)

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"


def card_number_clean(number: str) -> str:
    """The digits of `number`, if they make a plausible card number (Luhn), else an error."""
    digits = "".join(character for character in number if not character.isspace())
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise InvalidCardError(
            _("Enter a card number of 12 to 19 digits."),
            fields={"card_number": [_("Enter a valid card number.")]},
        )
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    if total % 10:
        raise InvalidCardError(
            _("This card number is not valid."),
            fields={"card_number": [_("Check the card number.")]},
        )
    return digits


class DummyGateway(PaymentGateway):
    name: ClassVar[str] = "dummy"
    confirms_on_server: ClassVar[bool] = True
    supports_transfers: ClassVar[bool] = False

    def intent_create(
        self,
        *,
        amount: Decimal,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> IntentResult:
        # The same key gives the same id, as a provider's idempotency would.
        intent_id = "dummy_pi_" + uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex
        return IntentResult(provider_payment_id=intent_id, status=IntentStatus.PENDING)

    def intent_confirm(
        self, *, provider_payment_id: str, card_number: str, idempotency_key: str
    ) -> IntentResult:
        digits = card_number_clean(card_number)
        if digits == CARD_SUCCEEDS:
            return IntentResult(
                provider_payment_id=provider_payment_id, status=IntentStatus.SUCCEEDED
            )
        return IntentResult(
            provider_payment_id=provider_payment_id,
            status=IntentStatus.FAILED,
            failure_message=_("Your card was declined."),
        )

    def intent_retrieve(self, *, provider_payment_id: str) -> IntentResult:
        # The Payment row is the dummy intent: it already knows more than this answer.
        return IntentResult(provider_payment_id=provider_payment_id, status=IntentStatus.PENDING)

    def refund_create(
        self,
        *,
        provider_payment_id: str,
        amount: Decimal,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> RefundResult:
        refund_id = "dummy_re_" + uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex
        return RefundResult(provider_refund_id=refund_id, status=IntentStatus.SUCCEEDED)

    def refund_retrieve(self, *, provider_refund_id: str) -> RefundResult:
        return RefundResult(provider_refund_id=provider_refund_id, status=IntentStatus.SUCCEEDED)

    def events_list(self, *, created_after: int) -> list[dict[str, object]]:
        return []

    def transfer_create(
        self,
        *,
        amount: Decimal,
        currency: str,
        destination: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> TransferResult:
        raise PayoutUnavailableError(_("Transfers need Stripe; this payout is paid by hand."))

    def account_create(self, *, email: str, country: str, idempotency_key: str) -> str:
        raise PayoutUnavailableError(_("Stripe is not configured on this marketplace."))

    def account_link_create(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        raise PayoutUnavailableError(_("Stripe is not configured on this marketplace."))
