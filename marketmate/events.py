"""The one dispatcher for events that cross apps (order paid, order shipped, message sent).

The owning app's service calls `event_emit(...)` inside its transaction; every subscriber runs
after that transaction commits, and never if it rolls back. Subscribers register in their app's
`subscribers.py`, imported by the app's `ready()`:

    @subscribe("order.paid")
    def notify_buyer(*, order_id: int) -> None:
        ...

No Django signals carry business logic: this list of subscribers is the whole wiring.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Subscriber = Callable[..., None]

_subscribers: defaultdict[str, list[Subscriber]] = defaultdict(list)


def subscribe(event: str) -> Callable[[Subscriber], Subscriber]:
    def register(handler: Subscriber) -> Subscriber:
        if handler not in _subscribers[event]:
            _subscribers[event].append(handler)
        return handler

    return register


def subscribers_of(event: str) -> list[Subscriber]:
    return list(_subscribers[event])


def _deliver(event: str, handler: Subscriber, payload: dict[str, Any]) -> None:
    try:
        handler(**payload)
    except Exception:
        # One failing subscriber must not keep the others from hearing of the event.
        logger.exception("Subscriber %s of %s failed", handler.__qualname__, event)


def event_emit(event: str, **payload: Any) -> None:
    """Deliver `event` with `payload` (ids and plain values) to its subscribers after commit."""
    for handler in subscribers_of(event):
        transaction.on_commit(partial(_deliver, event, handler, payload))
