"""Orders for review tests, placed and moved along through the orders services."""

from accounts.models import User
from catalog.models import Product
from orders.models import Order
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import checkout_place
from orders.services.lifecycle import order_complete, order_mark_paid, order_ship

ADDRESS = {
    "full_name": "Ada Shopper",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
}


def order_of(buyer: User, product: Product, *, status: str = Order.Status.COMPLETE) -> Order:
    """An order of one unit of `product`'s default variant by `buyer`, walked to `status`
    (pending, paid, shipped or complete)."""
    cart = cart_get_or_create(user=buyer, session={})  # type: ignore[arg-type]
    variant = product.variants.get(is_default=True)
    cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)
    order = checkout_place(buyer=buyer, cart=cart, address=ADDRESS).orders[0]
    steps: list[str] = [Order.Status.PAID, Order.Status.SHIPPED, Order.Status.COMPLETE]
    for step in steps[: steps.index(status) + 1] if status in steps else []:
        if step == Order.Status.PAID:
            order = order_mark_paid(order=order, payment_reference=f"pay_{order.pk}")
        elif step == Order.Status.SHIPPED:
            order = order_ship(
                order=order, actor=product.shop.owner, carrier="DHL", tracking_number="JD01"
            )
        else:
            order = order_complete(order=order, actor=product.shop.owner)
    return order
