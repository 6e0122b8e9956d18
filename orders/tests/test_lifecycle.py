from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import StockMovement
from catalog.tests.factories import ProductFactory, VariantFactory
from marketmate.events import subscribe, subscribers_of
from marketmate.models import AuditLog, JobRecord
from orders.exceptions import CheckoutError, InvalidTransitionError
from orders.models import Order
from orders.services.lifecycle import (
    order_cancel,
    order_complete,
    order_lines_restock,
    order_mark_paid,
    order_mark_refunded,
    order_ship,
    orders_expire_unpaid,
)
from orders.tasks import expire_unpaid_orders_task

pytestmark = pytest.mark.django_db
D = Decimal
S = Order.Status


@pytest.fixture
def variant():
    return VariantFactory(inventory_count=10, price=D("10.00"))


@pytest.fixture
def order(buyer, place, variant) -> Order:
    return place(buyer, (variant, 3)).orders[0]


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """The order events emitted, as (event, order_id), once their transaction commits."""
    events: list[tuple[str, int]] = []
    handlers = []
    for name in (
        "order.paid",
        "order.shipped",
        "order.completed",
        "order.cancelled",
        "order.refunded",
        "order.placed",
    ):

        def handler(*, order_id: int, _name: str = name) -> None:
            events.append((_name, order_id))

        handlers.append((name, handler))
        subscribe(name)(handler)
    yield events
    from marketmate import events as module

    for name, handler in handlers:
        module._subscribers[name].remove(handler)


def move(order: Order, to: str, actor) -> Order:
    """Walk `order` to the status `to` along the happy path."""
    path = {
        S.PAID: [lambda o: order_mark_paid(order=o, payment_reference="pay_1")],
        S.SHIPPED: [
            lambda o: order_mark_paid(order=o, payment_reference="pay_1"),
            lambda o: order_ship(order=o, actor=actor, carrier="DHL", tracking_number="JD01"),
        ],
        S.COMPLETE: [
            lambda o: order_mark_paid(order=o, payment_reference="pay_1"),
            lambda o: order_ship(order=o, actor=actor, carrier="DHL", tracking_number="JD01"),
            lambda o: order_complete(order=o, actor=actor),
        ],
        S.CANCELLED: [lambda o: order_cancel(order=o, actor=actor)],
        S.REFUNDED: [
            lambda o: order_mark_paid(order=o),
            lambda o: order_mark_refunded(order=o, amount=o.total),
        ],
        S.PARTIALLY_REFUNDED: [
            lambda o: order_mark_paid(order=o),
            lambda o: order_mark_refunded(order=o, amount=D("1.00")),
        ],
    }
    for step in path.get(to, []):
        order = step(order)
    return order


def test_the_happy_path_records_every_step(order, buyer, heard, django_capture_on_commit_callbacks):
    vendor = order.shop.owner
    with django_capture_on_commit_callbacks(execute=True):
        order = order_mark_paid(order=order, payment_reference="pi_123")
        order = order_ship(order=order, actor=vendor, carrier="UPS", tracking_number="1Z999")
        order = order_complete(order=order, actor=vendor)

    order.refresh_from_db()
    assert (order.status, order.payment_reference, order.carrier, order.tracking_number) == (
        "complete",
        "pi_123",
        "UPS",
        "1Z999",
    )
    assert order.paid_at and order.shipped_at and order.completed_at
    assert list(order.status_changes.values_list("from_status", "to_status")) == [
        ("", "pending"),
        ("pending", "paid"),
        ("paid", "shipped"),
        ("shipped", "complete"),
    ]
    assert list(
        AuditLog.objects.filter(entity_id=str(order.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["order.place", "order.paid", "order.shipped", "order.complete"]
    assert heard == [
        ("order.paid", order.pk),
        ("order.shipped", order.pk),
        ("order.completed", order.pk),
    ]


def test_cancelling_restocks_once_and_emits(
    order, buyer, variant, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = order_cancel(order=order, actor=buyer, reason="Changed my mind")

    variant.refresh_from_db()
    assert (cancelled.status, cancelled.is_restocked, variant.inventory_count) == (
        "cancelled",
        True,
        10,
    )
    assert cancelled.status_changes.last().note == "Changed my mind"
    assert StockMovement.objects.filter(reason="order_release", reference=order.number).count() == 1
    assert heard == [("order.cancelled", order.pk)]


def test_cancelling_a_paid_order_restocks(order, buyer, variant) -> None:
    order_cancel(order=order_mark_paid(order=order), actor=buyer)

    variant.refresh_from_db()
    assert variant.inventory_count == 10


def test_a_partial_refund_then_the_rest(order, variant, heard, django_capture_on_commit_callbacks):
    order = order_mark_paid(order=order)

    with django_capture_on_commit_callbacks(execute=True):
        partly = order_mark_refunded(order=order, amount=D("10.00"))
        fully = order_mark_refunded(order=partly, amount=D("20.00"), restock=True)

    assert (partly.status, partly.refunded_amount) == ("partially_refunded", D("10.00"))
    assert (fully.status, fully.refunded_amount) == ("refunded", D("30.00"))
    variant.refresh_from_db()
    assert variant.inventory_count == 10
    assert StockMovement.objects.filter(reason="return").count() == 1
    assert heard == [("order.refunded", order.pk), ("order.refunded", order.pk)]


def test_a_refund_is_noted_on_the_timeline_as_its_amount_in_the_money_format(order) -> None:
    order = order_mark_paid(order=order)

    order_mark_refunded(order=order, amount=D("10.00"))

    # The status names it ("Partially refunded", in the reader's language); the note is the sum.
    assert order.status_changes.last().note == "$10.00"


def test_restocking_lines_returns_those_units_once_per_key(order, buyer, variant) -> None:
    order = order_mark_paid(order=order)
    line = order.lines.get()

    for _ in range(2):
        restocked = order_lines_restock(
            order=order, quantities={line.pk: 2}, actor=buyer, reason="Returned", key="refund-1"
        )

    variant.refresh_from_db()
    assert (variant.inventory_count, restocked.is_restocked) == (9, False)
    record = AuditLog.objects.get(action="order.restocked")
    assert (record.actor, record.reason, record.changes) == (
        buyer,
        "Returned",
        {"restocked": [{}, {str(line.pk): 2}], "key": [None, "refund-1"]},
    )


def test_restocking_the_last_unit_marks_the_order_restocked(order, buyer, variant) -> None:
    order = order_mark_paid(order=order)
    line = order.lines.get()
    order_lines_restock(order=order, quantities={line.pk: 2}, actor=buyer, key="refund-1")

    restocked = order_lines_restock(order=order, quantities={line.pk: 1}, actor=buyer, key="r-2")
    order_mark_refunded(order=restocked, amount=order.total, restock=True)

    variant.refresh_from_db()
    assert (variant.inventory_count, restocked.is_restocked) == (10, True)
    assert StockMovement.objects.filter(reason="return").count() == 2


def test_a_whole_order_restock_returns_only_the_units_not_yet_back(order, variant) -> None:
    order = order_mark_paid(order=order)
    order_lines_restock(order=order, quantities={order.lines.get().pk: 1}, actor=None, key="r-1")

    refunded = order_mark_refunded(order=order, amount=order.total, restock=True)

    variant.refresh_from_db()
    assert (variant.inventory_count, refunded.is_restocked) == (10, True)


@pytest.mark.parametrize("quantity", [0, 4])
def test_restocking_more_than_was_bought_is_refused(order, variant, quantity) -> None:
    order = order_mark_paid(order=order)
    line = order.lines.get()

    with pytest.raises(CheckoutError) as refused:
        order_lines_restock(order=order, quantities={line.pk: quantity}, actor=None, key="r-1")

    assert refused.value.fields == {"lines": [f"Restock between 1 and 3 of {line.product_title}."]}
    variant.refresh_from_db()
    assert variant.inventory_count == 7
    assert not AuditLog.objects.filter(action="order.restocked").exists()


def test_restocking_a_line_of_another_order_is_refused(order, buyer, place, variant) -> None:
    other = place(buyer, (variant, 1)).orders[0]

    with pytest.raises(CheckoutError) as refused:
        order_lines_restock(order=order, quantities={other.lines.get().pk: 1}, actor=None)

    assert refused.value.fields == {
        "lines": [f"Line {other.lines.get().pk} is not part of this order."]
    }


@pytest.mark.parametrize("amount", [D("0"), D("-1"), D("30.01")])
def test_a_refund_outside_what_was_paid_is_refused(order, amount) -> None:
    order = order_mark_paid(order=order)

    with pytest.raises(CheckoutError) as refused:
        order_mark_refunded(order=order, amount=amount)

    assert refused.value.code == "invalid_refund"
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("paid", D("0.00"))


VALID = {
    ("pending", "paid"),
    ("paid", "shipped"),
    ("shipped", "complete"),
    ("pending", "cancelled"),
    ("paid", "cancelled"),
    ("paid", "refunded"),
    ("shipped", "refunded"),
    ("complete", "refunded"),
    ("partially_refunded", "refunded"),
}
TRANSITIONS = {
    "paid": lambda o, a: order_mark_paid(order=o),
    "shipped": lambda o, a: order_ship(order=o, actor=a, carrier="DHL", tracking_number="2"),
    "complete": lambda o, a: order_complete(order=o, actor=a),
    "cancelled": lambda o, a: order_cancel(order=o, actor=a),
    "refunded": lambda o, a: order_mark_refunded(order=o, amount=o.total - o.refunded_amount),
}


@pytest.mark.parametrize("start", list(S.values))
@pytest.mark.parametrize("target", list(TRANSITIONS))
def test_every_transition_is_allowed_only_from_its_states(order, start, target) -> None:
    vendor = order.shop.owner
    order = move(order, start, vendor)
    assert order.status == start
    history = order.status_changes.count()

    if (start, target) in VALID:
        moved = TRANSITIONS[target](order, vendor)
        assert moved.status == target
        assert order.status_changes.count() == history + 1
    else:
        with pytest.raises(InvalidTransitionError) as refused:
            TRANSITIONS[target](order, vendor)
        assert (refused.value.status_code, refused.value.code) == (409, "invalid_transition")
        order.refresh_from_db()
        assert order.status == start
        assert order.status_changes.count() == history


def test_shipping_needs_a_carrier_and_tracking_number(order) -> None:
    order = order_mark_paid(order=order)

    with pytest.raises(CheckoutError) as refused:
        order_ship(order=order, actor=order.shop.owner, carrier=" ", tracking_number="")

    assert set(refused.value.fields) == {"carrier", "tracking_number"}


def test_a_stale_order_object_cannot_skip_the_check(order, buyer) -> None:
    stale = Order.objects.get(pk=order.pk)
    order_cancel(order=order, actor=buyer)

    with pytest.raises(InvalidTransitionError):
        order_mark_paid(order=stale)


# --- Expiry ---------------------------------------------------------------------------------------
def test_unpaid_orders_expire_after_the_configured_time_and_release_stock(
    settings, buyer, place
) -> None:
    settings.ORDER_PENDING_EXPIRY_MINUTES = 30
    stale_variant = VariantFactory(inventory_count=5)
    fresh_variant = VariantFactory(inventory_count=5)
    paid_variant = VariantFactory(inventory_count=5)
    stale = place(buyer, (stale_variant, 2)).orders[0]
    fresh = place(buyer, (fresh_variant, 2)).orders[0]
    paid = order_mark_paid(order=place(buyer, (paid_variant, 2)).orders[0])
    Order.objects.filter(pk__in=[stale.pk, paid.pk]).update(
        created=timezone.now() - timedelta(minutes=31)
    )
    Order.objects.filter(pk=fresh.pk).update(created=timezone.now() - timedelta(minutes=29))

    assert orders_expire_unpaid() == 1
    assert orders_expire_unpaid() == 0

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {stale.pk: "cancelled", fresh.pk: "pending", paid.pk: "paid"}
    stale_variant.refresh_from_db()
    assert stale_variant.inventory_count == 5
    change = Order.objects.get(pk=stale.pk).status_changes.last()
    assert (change.actor, change.note) == (None, "Not paid in time.")


def test_the_expiry_job_is_recorded_and_scheduled(settings, buyer, place) -> None:
    settings.ORDER_PENDING_EXPIRY_MINUTES = 1
    order = place(buyer, (VariantFactory(inventory_count=1), 1)).orders[0]
    Order.objects.filter(pk=order.pk).update(created=timezone.now() - timedelta(minutes=2))

    expire_unpaid_orders_task.delay()

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert JobRecord.objects.get(name="orders.expire_unpaid_orders_task").status == "succeeded"
    assert settings.CELERY_BEAT_SCHEDULE["expire-unpaid-orders"]["task"] == (
        "orders.expire_unpaid_orders_task"
    )


def test_untracked_products_are_not_restocked(buyer, place) -> None:
    product = ProductFactory(track_inventory=False, default_variant__inventory_count=0)
    order = place(buyer, (product.variants.get(), 4)).orders[0]

    order_cancel(order=order, actor=buyer)

    assert product.variants.get().inventory_count == 0
    assert not StockMovement.objects.exists()


def test_subscribers_are_not_left_behind(heard) -> None:
    assert len(subscribers_of("order.paid")) >= 1
