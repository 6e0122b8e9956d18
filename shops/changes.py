"""Who must hear that a shop changed, inside the transaction that changes it.

`shops` sits below the catalog, so it cannot refresh what the catalog derives from a shop (its
products' search vectors, the storefront cache). The catalog registers a listener here when it
starts (its `AppConfig.ready`), as with the overview's providers; `shop_update` and the status
transitions call every listener with the shop and the fields that changed, before their
transaction commits (a domain event, by contrast, is heard after the commit).
"""

from collections.abc import Sequence
from typing import Protocol

from marketmate.registry import Registry


class ShopChangeListener(Protocol):
    def __call__(self, *, shop_id: int, fields: Sequence[str]) -> None: ...


_listeners: Registry[ShopChangeListener] = Registry()
# Call `listener(shop_id=..., fields=[...])` on every change of a shop.
shop_change_listener_register = _listeners.register


def shop_changed(*, shop_id: int, fields: Sequence[str]) -> None:
    """Tell every listener that `fields` of the shop changed (call it inside the change's
    transaction)."""
    for listener in _listeners:
        listener(shop_id=shop_id, fields=list(fields))
