from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketmate.errors import ApplicationError, ConflictError


class CatalogErrorCode(models.TextChoices):
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    NOT_PURCHASABLE = "not_purchasable", _("Not available for purchase")
    INVALID_ADJUSTMENT = "invalid_adjustment", _("Invalid stock adjustment")


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
