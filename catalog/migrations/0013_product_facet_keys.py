"""Facet keys on the product row (docs/search.md): the ids of its categories and tags, which the
search's facets count and its category filter reads over a bounded match set instead of joining
the links of every match. Filled here from the links on PostgreSQL (about a minute for a million
products), kept by catalog.search.facet_keys_update since; the embedded SQLite database leaves
them empty (its search reads the links)."""

from typing import Any

import django.contrib.postgres.indexes
from django.db import migrations, models

from marketmate.migration_operations import PostgresOnlyAddIndex

# Frozen here (catalog.search.FACET_KEYS_SET_SQL may change after this migration).
_FILL_SQL = """
UPDATE catalog_product p SET
    facet_categories = (SELECT coalesce(jsonb_agg(pc.category_id::text ORDER BY pc.category_id),
                                        '[]') FROM catalog_product_categories pc
                         WHERE pc.product_id = p.id),
    facet_tags = (SELECT coalesce(jsonb_agg(pt.tag_id::text ORDER BY pt.tag_id), '[]')
                    FROM catalog_product_tags pt WHERE pt.product_id = p.id)
"""


def facet_keys_fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_FILL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_prices_three_decimals"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="facet_categories",
            field=models.JSONField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="product",
            name="facet_tags",
            field=models.JSONField(editable=False, null=True),
        ),
        migrations.RunPython(facet_keys_fill, migrations.RunPython.noop, elidable=True),
        PostgresOnlyAddIndex(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["facet_categories"], name="catalog_product_facet_cats"
            ),
        ),
    ]
