from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from accounts.models import User
from catalog.models import Category, Product, ProductImage, ProductVariant, Review
from orders.models import Order
from payments.models import LedgerEntry, Refund
from shops.models import Shop

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_three_shops_and_a_dozen_products_once() -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")

    assert Shop.objects.filter(owner__email="vendor@marketmate.test", status="active").count() == 3
    assert Product.objects.filter(status="active").count() == 12
    assert ProductVariant.objects.count() == 23
    assert ProductImage.objects.count() == 12
    assert all(image.thumbnails for image in ProductImage.objects.all())
    assert set(Product.objects.values_list("categories__name", flat=True)) == {
        "Tableware",
        "Decor",
        "Accessories",
        "Tops",
        "Notebooks",
        "Desk",
        "Cards & Gifts",
    }
    with translation.override("es"):
        spanish = {category.name for category in Category.objects.filter(depth=1)}
    assert spanish == {"Hogar y cocina", "Ropa", "Papelería"}


def test_seed_demo_gives_the_shopper_orders_in_every_state_with_reviews_and_ledgers() -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo")

    orders = Order.objects.filter(buyer__email="shopper@marketmate.test")
    assert sorted(orders.values_list("status", "total")) == [
        ("cancelled", Decimal("26.00")),
        ("complete", Decimal("48.00")),
        ("complete", Decimal("59.00")),
        ("paid", Decimal("35.00")),
        ("pending", Decimal("38.00")),
        ("refunded", Decimal("64.00")),
        ("shipped", Decimal("48.00")),
    ]
    assert orders.get(status="shipped").tracking_number == "JD014600000003"
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    # Every paid order booked its sale; the refunded one booked its refund too.
    assert LedgerEntry.objects.filter(kind="sale").count() == 5
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert sorted(Review.objects.values_list("product__title", "rating", "buyer__email")) == [
        ("Merino Scarf", 4, "shopper@marketmate.test"),
        ("Speckled Stoneware Mug", 5, "shopper@marketmate.test"),
    ]
    mug = Product.objects.get(title="Speckled Stoneware Mug")
    assert (mug.rating_count, mug.rating_average) == (1, Decimal("5.00"))


def test_seed_demo_prints_the_logins_and_loads_nothing_into_a_used_database() -> None:
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=out)
    call_command("seed_demo", "--if-empty", stdout=out)

    text = out.getvalue()
    assert "Demo orders of the shopper: 1 pending, 1 paid, 1 shipped, 2 complete, " in text
    assert text.count("Demo logins (password for all: marketmate-demo):") == 2
    assert "  admin   staff@marketmate.test" in text
    assert "The database already has data; demo data not loaded." in text
    assert User.objects.count() == 3


def test_seed_demo_loads_known_logins_once() -> None:
    call_command("seed_demo", "--if-empty")
    call_command("seed_demo", "--if-empty")

    assert set(User.objects.values_list("email", flat=True)) == {
        "shopper@marketmate.test",
        "vendor@marketmate.test",
        "staff@marketmate.test",
    }
    staff = User.objects.get(email="staff@marketmate.test")
    assert staff.is_staff
    assert staff.check_password("marketmate-demo")
