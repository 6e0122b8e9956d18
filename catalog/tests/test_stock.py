import pytest

from accounts.tests.factories import UserFactory
from catalog.exceptions import InvalidStockAdjustmentError, OutOfStockError
from catalog.models import StockMovement
from catalog.services.stock import stock_adjust, stock_release, stock_reserve
from catalog.tests.factories import ProductFactory, VariantFactory
from marketmate.models import AuditLog

pytestmark = pytest.mark.django_db


def test_reserving_takes_units_and_records_the_movement() -> None:
    variant = VariantFactory(inventory_count=5)

    stock_reserve(variant=variant, quantity=3, reference="MM-1")

    variant.refresh_from_db()
    assert variant.inventory_count == 2
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.delta, movement.reason, movement.reference) == (-3, "order", "MM-1")


def test_reserving_more_than_there_is_is_refused_and_changes_nothing() -> None:
    variant = VariantFactory(inventory_count=2)

    with pytest.raises(OutOfStockError) as refused:
        stock_reserve(variant=variant, quantity=3)

    assert refused.value.available == 2
    assert refused.value.code == "out_of_stock"
    variant.refresh_from_db()
    assert variant.inventory_count == 2
    assert not StockMovement.objects.exists()


def test_untracked_products_are_never_out_of_stock() -> None:
    product = ProductFactory(track_inventory=False, default_variant__inventory_count=0)
    variant = product.variants.get()

    stock_reserve(variant=variant, quantity=50)

    variant.refresh_from_db()
    assert variant.inventory_count == 0


def test_releasing_gives_the_units_back() -> None:
    variant = VariantFactory(inventory_count=1)

    stock_release(variant=variant, quantity=4, reference="MM-2")

    variant.refresh_from_db()
    assert variant.inventory_count == 5


def test_a_shop_adjustment_records_who_and_why_and_is_audited() -> None:
    vendor = UserFactory()
    variant = VariantFactory(inventory_count=4)

    stock_adjust(variant=variant, delta=6, reason="restock", actor=vendor, note="Pallet 7")

    assert variant.inventory_count == 10
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.delta, movement.actor, movement.note) == (6, vendor, "Pallet 7")
    entry = AuditLog.objects.get(action="stock.adjust")
    assert entry.changes == {"inventory_count": [4, 10]}


@pytest.mark.parametrize(
    ("delta", "reason"), [(0, "restock"), (-5, "damage"), (3, "order"), (3, "nonsense")]
)
def test_invalid_adjustments_are_refused(delta: int, reason: str) -> None:
    variant = VariantFactory(inventory_count=4)

    with pytest.raises(InvalidStockAdjustmentError):
        stock_adjust(variant=variant, delta=delta, reason=reason, actor=None)

    variant.refresh_from_db()
    assert variant.inventory_count == 4
