"""Variant options on the product row (docs/search.md): the distinct option pairs of its
variants, which the search's facets count over a bounded match set instead of reading every
matched product's variants. On PostgreSQL they are filled here from the variants (about half a
minute for a million products) and kept from then on by row triggers on the variants
(`catalog.search.facet_options_trigger_create`); the embedded SQLite database leaves them empty
(its facets read the variants)."""

from typing import Any

from django.db import migrations, models

from catalog.search import (
    FACET_OPTIONS_SET_SQL,
    facet_options_trigger_create,
    facet_options_trigger_drop,
)


def facet_options_fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE catalog_product p SET {FACET_OPTIONS_SET_SQL}"  # noqa: S608
                " WHERE EXISTS (SELECT 1 FROM catalog_productvariant v"
                " WHERE v.product_id = p.id AND v.options <> '{}'::jsonb)"
            )
            facet_options_trigger_create(cursor)


def facet_options_unkeep(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            facet_options_trigger_drop(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0016_search_price_band_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="facet_options",
            field=models.JSONField(editable=False, null=True),
        ),
        migrations.RunPython(facet_options_fill, facet_options_unkeep),
    ]
