from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketmate.errors import ApplicationError, ConflictError, NotFoundError


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
    """Bad product, variant or image input; `fields` says which field and why."""

    default_code: ClassVar[str] = CatalogErrorCode.INVALID_PRODUCT


class ImageRejectedError(ApplicationError):
    default_code: ClassVar[str] = CatalogErrorCode.INVALID_IMAGE


class VariantConflictError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.VARIANT_CONFLICT


class IdempotencyKeyReusedError(ConflictError):
    default_code: ClassVar[str] = CatalogErrorCode.IDEMPOTENCY_KEY_REUSED
