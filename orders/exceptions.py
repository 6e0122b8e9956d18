from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from marketmate.errors import ApplicationError, ConflictError


class OrdersErrorCode(models.TextChoices):
    CART_EMPTY = "cart_empty", _("The cart is empty")
    INVALID_QUANTITY = "invalid_quantity", _("Invalid quantity")
    INVALID_COUPON = "invalid_coupon", _("Coupon cannot be used")
    INVALID_SHIPPING = "invalid_shipping", _("Shipping method cannot be used")
    INVALID_ADDRESS = "invalid_address", _("Invalid address")
    NOT_VERIFIED = "not_verified", _("E-mail address not verified")
    INVALID_TRANSITION = "invalid_transition", _("The order cannot change that way")
    INVALID_REFUND = "invalid_refund", _("Invalid refund")
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", _("Idempotency key reused")


class CartError(ApplicationError):
    default_code: ClassVar[str] = OrdersErrorCode.INVALID_QUANTITY


class CheckoutError(ApplicationError):
    """Something in the checkout request needs fixing (HTTP 400, with field messages)."""


class NotVerifiedError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code: ClassVar[str] = OrdersErrorCode.NOT_VERIFIED


class InvalidTransitionError(ConflictError):
    default_code: ClassVar[str] = OrdersErrorCode.INVALID_TRANSITION


class IdempotencyKeyReusedError(ApplicationError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code: ClassVar[str] = OrdersErrorCode.IDEMPOTENCY_KEY_REUSED
