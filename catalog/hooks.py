"""What the catalog tells the apps above it as it happens, through hooks they register when
they start (their `AppConfig.ready`): the catalog cannot import them.

`product_viewed` is called on every view of a public product page (analytics counts them); a
hook must be cheap and must never fail the page.
"""

from typing import Protocol

from marketmate.registry import Registry


class ProductViewHook(Protocol):
    def __call__(self, *, product_id: int) -> None: ...


_product_view_hooks: Registry[ProductViewHook] = Registry()
# Call `hook(product_id=...)` on every view of a product page.
product_view_hook_register = _product_view_hooks.register


def product_viewed(*, product_id: int) -> None:
    """A shopper opened the product's page: tell every registered hook."""
    for hook in _product_view_hooks:
        hook(product_id=product_id)
