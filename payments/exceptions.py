"""Payment errors: anticipated failures the shopper or vendor can act on (a declined card, an
amount too large) are `ApplicationError`s shown to them; gateway faults (`GatewayError`) are
logged and retried by the job that met them."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from marketmate.errors import ApplicationError, ConflictError, NotFoundError


class PaymentsErrorCode(models.TextChoices):
    CARD_DECLINED = "card_declined", _("Card declined")
    INVALID_CARD = "invalid_card", _("Invalid card")
    NOTHING_TO_PAY = "nothing_to_pay", _("Nothing to pay")
    PAYMENT_STATE = "invalid_payment_state", _("The payment cannot change that way")
    INVALID_REFUND = "invalid_refund", _("Invalid refund")
    REFUND_CONFLICT = "refund_conflict", _("Refund conflict")
    INVALID_SIGNATURE = "invalid_signature", _("Invalid webhook signature")
    GATEWAY_UNAVAILABLE = "gateway_unavailable", _("Payment provider unavailable")
    INVOICE_NOT_READY = "invoice_not_ready", _("Invoice not ready")
    PAYOUT_UNAVAILABLE = "payout_unavailable", _("Payouts unavailable")
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", _("Idempotency key reused")


class CardDeclinedError(ApplicationError):
    """The gateway refused the card: the shopper may try another one (HTTP 402)."""

    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_code: ClassVar[str] = PaymentsErrorCode.CARD_DECLINED


class InvalidCardError(ApplicationError):
    default_code: ClassVar[str] = PaymentsErrorCode.INVALID_CARD


class NothingToPayError(ConflictError):
    default_code: ClassVar[str] = PaymentsErrorCode.NOTHING_TO_PAY


class PaymentStateError(ConflictError):
    default_code: ClassVar[str] = PaymentsErrorCode.PAYMENT_STATE


class RefundError(ApplicationError):
    default_code: ClassVar[str] = PaymentsErrorCode.INVALID_REFUND


class RefundConflictError(ConflictError):
    """Another refund or a dispute took what this refund asked for meanwhile (HTTP 409)."""

    default_code: ClassVar[str] = PaymentsErrorCode.REFUND_CONFLICT


class InvalidSignatureError(ApplicationError):
    default_code: ClassVar[str] = PaymentsErrorCode.INVALID_SIGNATURE


class InvoiceNotReadyError(NotFoundError):
    default_code: ClassVar[str] = PaymentsErrorCode.INVOICE_NOT_READY


class PayoutUnavailableError(ConflictError):
    default_code: ClassVar[str] = PaymentsErrorCode.PAYOUT_UNAVAILABLE


class GatewayError(ApplicationError):
    """The provider failed or could not be reached: logged, and retried by jobs (HTTP 503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code: ClassVar[str] = PaymentsErrorCode.GATEWAY_UNAVAILABLE


class IdempotencyKeyReusedError(ApplicationError):
    """The same Idempotency-Key came with a different request (HTTP 422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code: ClassVar[str] = PaymentsErrorCode.IDEMPOTENCY_KEY_REUSED
