"""A text index per price band (`catalog.models.PRICE_BANDS`, the shops' own prices): a search in
a band finds its matches in the band's index instead of ANDing the text's matches with every
product of the band read from the price index (docs/search.md). Built concurrently on PostgreSQL
(together 75 MB at a million products, against 59 for the whole catalog's; 14 s); nothing
on the embedded SQLite database, whose search does not use them."""

from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

from marketmate.migration_operations import PostgresOnlyAddIndexConcurrently

# (index, condition): the bands of `catalog.models.PRICE_BANDS` as they were written here.
BANDS = [
    ("catalog_product_search_0_25", models.Q(price__lt=Decimal("25"))),
    ("catalog_product_search_25_50", models.Q(price__gte=Decimal("25"), price__lt=Decimal("50"))),
    ("catalog_product_search_50_100", models.Q(price__gte=Decimal("50"), price__lt=Decimal("100"))),
    ("catalog_product_search_100", models.Q(price__gte=Decimal("100"))),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0015_variant_in_stock_index"),
    ]

    operations = [
        PostgresOnlyAddIndexConcurrently(
            model_name="product",
            index=GinIndex(condition=condition, fields=["search_vector"], name=name),
        )
        for name, condition in BANDS
    ]
