"""How a lower app hears a higher one synchronously: the lower app keeps a `Registry` of
callables, the higher app registers into it when it starts (its `AppConfig.ready`), and the lower
app calls what was registered. Registering is idempotent, so an app that starts twice (tests,
autoreload) is heard once. See docs/architecture.md, "The registries filled at start"."""

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered set of registered callables, in the order their apps started."""

    def __init__(self) -> None:
        self._items: list[T] = []

    def register(self, item: T) -> T:
        """Add `item` (once, however often its app starts); returns it, to serve as a decorator."""
        if item not in self._items:
            self._items.append(item)
        return item

    def unregister(self, item: T) -> None:
        """Take `item` out again (tests that register a stand-in)."""
        self._items.remove(item)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))
