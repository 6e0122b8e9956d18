import pytest
from django.core.management import call_command
from django.test import TestCase

from catalog.models import Product, ProductImage, ProductVariant
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
