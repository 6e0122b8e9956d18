"""The `data` of every webhook event, version `services.PAYLOAD_VERSION`.

Amounts are decimal strings in the order's or shop's currency, times ISO 8601 in UTC, ids
integers. docs/integrations.md documents each shape; `tests/test_payloads.py` pins them.
"""

from decimal import Decimal
from typing import Any

from catalog.models import Product
from catalog.selectors import product_get_with_details, review_get, variant_sku
from orders.models import Order
from orders.selectors import order_queryset
from payments.selectors import payout_get


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def order_data(order: Order) -> dict[str, Any]:
    address = order.shipping_address or {}
    return {
        "order": {
            "id": order.pk,
            "number": order.number,
            "status": order.status,
            "currency": order.currency,
            "subtotal": _money(order.subtotal),
            "discount": _money(order.discount),
            "shipping": _money(order.shipping),
            "tax": _money(order.tax),
            "total": _money(order.total),
            "refunded_amount": _money(order.refunded_amount),
            "shipping_method": order.shipping_method_name,
            "shipping_address": address,
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "buyer": {"name": order.buyer.get_full_name(), "email": order.buyer.email},
            "lines": [
                {
                    "variant_id": line.variant_id,
                    "sku": line.sku,
                    "title": line.product_title,
                    "options": line.options,
                    "quantity": line.quantity,
                    "unit_price": _money(line.unit_price),
                    "total": _money(line.total),
                }
                for line in order.lines.order_by("id")
            ],
            "placed_at": order.created.isoformat(),
            "paid_at": order.paid_at.isoformat() if order.paid_at else None,
            "shipped_at": order.shipped_at.isoformat() if order.shipped_at else None,
        }
    }


def order_get(order_id: int) -> Order | None:
    return order_queryset().filter(pk=order_id).first()


def product_data(product: Product) -> dict[str, Any]:
    return {
        "product": {
            "id": product.pk,
            "title": product.title,
            "slug": product.slug,
            "status": product.status,
            "currency": product.currency,
            "price": _money(product.price),
            "compare_at_price": _money(product.compare_at_price),
            "track_inventory": product.track_inventory,
            "variants": [
                {
                    "id": variant.pk,
                    "sku": variant.sku,
                    "options": variant.options,
                    "price": _money(variant.price),
                    "inventory_count": variant.inventory_count,
                }
                for variant in product.variants.all()
            ],
            "updated": product.updated.isoformat(),
        }
    }


def product_data_for(product_id: int) -> dict[str, Any] | None:
    product = product_get_with_details(product_id=product_id)
    return None if product is None else product_data(product)


def variant_low_data(
    *, variant_id: int, product_id: int, inventory_count: int, threshold: int
) -> dict[str, Any]:
    return {
        "variant": {
            "id": variant_id,
            "product_id": product_id,
            "sku": variant_sku(variant_id=variant_id),
            "inventory_count": inventory_count,
            "threshold": threshold,
        }
    }


def review_data_for(review_id: int) -> tuple[int, dict[str, Any]] | None:
    review = review_get(review_id=review_id)
    if review is None:
        return None
    return review.product.shop_id, {
        "review": {
            "id": review.pk,
            "product_id": review.product_id,
            "rating": review.rating,
            "title": review.title,
            "body": review.body,
            "created": review.created.isoformat(),
        }
    }


def payout_data_for(payout_id: int) -> tuple[int, dict[str, Any]] | None:
    payout = payout_get(payout_id=payout_id)
    if payout is None:
        return None
    return payout.shop_id, {
        "payout": {
            "id": payout.pk,
            "amount": _money(payout.amount),
            "currency": payout.currency,
            "method": payout.method,
            "status": payout.status,
            "paid_at": payout.paid_at.isoformat() if payout.paid_at else None,
        }
    }
