from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from marketmate.errors import ApplicationError, ConflictError, NotFoundError
from marketmate.images import ImageRejectedError as ImageRejectedError  # checked in the core


class CatalogErrorCode(models.TextChoices):
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    NOT_PURCHASABLE = "not_purchasable", _("Not available for purchase")
    INVALID_ADJUSTMENT = "invalid_adjustment", _("Invalid stock adjustment")
    PRODUCT_NOT_FOUND = "product_not_found", _("Product not found")
    INVALID_PRODUCT = "validation_error", _("Invalid product")
    INVALID_IMAGE = "invalid_image", _("Invalid image")
    IMAGE_TOO_LARGE = "image_too_large", _("Image too large")
    VARIANT_CONFLICT = "variant_conflict", _("Variant conflict")
    IMPORT_FAILED = "import_failed", _("Import failed")
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", _("Idempotency key reused")
    REVIEW_NOT_ALLOWED = "review_not_allowed", _("Only buyers who received it may review")
    REVIEW_EXISTS = "review_exists", _("Already reviewed")
    REVIEW_NOT_FOUND = "review_not_found", _("Review not found")
    REVIEW_REPLY_EXISTS = "review_reply_exists", _("The shop already replied")
    REVIEW_STATE = "review_state", _("The review's state does not allow this")


class OutOfStockError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.OUT_OF_STOCK

    def __init__(self, message: str, *, variant_id: int, available: int) -> None:
        super().__init__(message)
        self.variant_id = variant_id
        self.available = available


class NotPurchasableError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.NOT_PURCHASABLE


class InvalidStockAdjustmentError(ApplicationError):
    default_code: ClassVar[str] = CatalogErrorCode.INVALID_ADJUSTMENT


class ProductNotFoundError(NotFoundError):
    default_code: ClassVar[str] = CatalogErrorCode.PRODUCT_NOT_FOUND


class ProductInvalidError(ApplicationError):
    """Bad product, variant or image input; `fields` says which field and why, and
    `variant_index` which of the variants given to `product_create` (from 0), when one is bad."""

    default_code: ClassVar[str] = CatalogErrorCode.INVALID_PRODUCT
    variant_index: int | None = None


class VariantConflictError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.VARIANT_CONFLICT


class IdempotencyKeyReusedError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.IDEMPOTENCY_KEY_REUSED


class ReviewNotAllowedError(ApplicationError):
    """The user has no completed order of the product, so may not review it."""

    status_code: ClassVar[int] = status.HTTP_403_FORBIDDEN
    default_code: ClassVar[str] = CatalogErrorCode.REVIEW_NOT_ALLOWED


class ReviewExistsError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.REVIEW_EXISTS


class ReviewNotFoundError(NotFoundError):
    default_code: ClassVar[str] = CatalogErrorCode.REVIEW_NOT_FOUND


class ReviewReplyExistsError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.REVIEW_REPLY_EXISTS


class ReviewStateError(ConflictError):
    """Hiding a hidden review, or showing a visible one."""

    default_code: ClassVar[str] = CatalogErrorCode.REVIEW_STATE
