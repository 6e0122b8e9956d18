"""Full-text search on products: a stored weighted tsvector with a GIN index, pg_trgm with a
trigram GIN index on titles ("did you mean", autocomplete), and the vectors of existing products.

The embedded SQLite database gets the column only (search falls back to a simple match there).
"""

from typing import Any

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from catalog.search import VECTOR_UPDATE_ALL_SQL
from marketmate.migration_operations import PostgresOnlyAddIndex


def vectors_fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(VECTOR_UPDATE_ALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_stock_movement_idempotency_key"),
        ("shops", "0003_approval_switch"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        PostgresOnlyAddIndex(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="catalog_product_search_gin"
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["title"], name="catalog_product_title_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.RunPython(vectors_fill, migrations.RunPython.noop),
    ]
