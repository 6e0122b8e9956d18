"""Facet keys on the product row (docs/search.md): the ids of its categories and tags, which the
search's facets count and its category filter reads over a bounded match set instead of joining
the links of every match. On PostgreSQL they are filled here from the links (about a minute for
a million products) and kept from then on by statement triggers on the links
(`catalog.search.facet_keys_triggers_create`); the embedded SQLite database leaves them empty
(its search reads the links)."""

from typing import Any

import django.contrib.postgres.indexes
from django.db import migrations, models

from catalog.search import (
    FACET_KEYS_SET_SQL,
    facet_keys_triggers_create,
    facet_keys_triggers_drop,
)
from marketmate.migration_operations import PostgresOnlyAddIndex


def facet_keys_fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"UPDATE catalog_product p SET {FACET_KEYS_SET_SQL}")  # noqa: S608
            facet_keys_triggers_create(cursor)


def facet_keys_unkeep(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            facet_keys_triggers_drop(cursor)


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
        migrations.RunPython(facet_keys_fill, facet_keys_unkeep),
        PostgresOnlyAddIndex(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["facet_categories"], name="catalog_product_facet_cats"
            ),
        ),
    ]
