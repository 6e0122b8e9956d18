import pytest
from django.db import transaction

from marketmate.events import event_emit, subscribe, subscribers_of

received: list[tuple[str, dict[str, object]]] = []


@subscribe("tests.order_paid")
def record_paid(**payload: object) -> None:
    received.append(("paid", payload))


@subscribe("tests.order_paid")
def broken_subscriber(**payload: object) -> None:
    raise RuntimeError("a subscriber with a bug")


@subscribe("tests.order_paid")
def record_paid_again(**payload: object) -> None:
    received.append(("again", payload))


@pytest.fixture(autouse=True)
def _reset() -> None:
    received.clear()


@pytest.mark.django_db(transaction=True)
def test_subscribers_hear_of_an_event_after_the_transaction_commits() -> None:
    with transaction.atomic():
        event_emit("tests.order_paid", order_id=7)
        assert received == []

    assert received == [("paid", {"order_id": 7}), ("again", {"order_id": 7})]


@pytest.mark.django_db(transaction=True)
def test_subscribers_never_hear_of_an_event_whose_transaction_rolled_back() -> None:
    with pytest.raises(ValueError), transaction.atomic():
        event_emit("tests.order_paid", order_id=8)
        raise ValueError("checkout failed")

    assert received == []


def test_registering_the_same_subscriber_twice_keeps_one() -> None:
    subscribe("tests.order_paid")(record_paid)

    assert subscribers_of("tests.order_paid").count(record_paid) == 1


def test_an_event_without_subscribers_is_fine() -> None:
    assert subscribers_of("tests.nobody_listens") == []


def test_a_registry_hears_each_registered_callable_once_in_the_order_apps_started() -> None:
    from marketmate.registry import Registry

    def first() -> None: ...

    def second() -> None: ...

    registry: Registry[object] = Registry()
    for item in (first, second, first):  # an app that starts twice is heard once
        registry.register(item)

    assert list(registry) == [first, second]
    registry.unregister(first)
    assert list(registry) == [second]
