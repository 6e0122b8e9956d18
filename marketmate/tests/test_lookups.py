"""InArray: a list of ids as one array parameter."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from marketmate.lookups import InArray, int_array

pytestmark = pytest.mark.django_db


def test_in_array_finds_what_in_finds_with_one_parameter() -> None:
    products = ProductFactory.create_batch(3)
    wanted = [products[0].pk, products[2].pk, 10**12]

    with CaptureQueriesContext(connection) as queries:
        found = set(Product.objects.filter(InArray(F("pk"), wanted)).values_list("pk", flat=True))
    assert found == set(Product.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {products[0].pk, products[2].pk}
    assert '"id" = ANY(' in queries[0]["sql"]
    assert not Product.objects.filter(InArray(F("pk"), [])).exists()
    assert set(Product.objects.exclude(InArray(F("pk"), wanted)).values_list("pk", flat=True)) == {
        products[1].pk
    }
    # From a generator too (read once).
    assert Product.objects.filter(InArray(F("pk"), (pk for pk in wanted))).count() == 2


def test_int_array_joins_integers_and_refuses_anything_else() -> None:
    assert int_array([3, 1, 2]) == "{3,1,2}"
    assert int_array([]) == "{}"
    with pytest.raises(ValueError):
        int_array(["1}; DROP TABLE x; --"])  # type: ignore[list-item]
