"""Indexes for a big catalog: titles starting with the typed text (a b-tree on the upper-case
title, read in order) and words inside titles (a trigram GIN index on the same) for autocomplete,
and the best rated products first (the home page, "sort by rating"), built concurrently on
PostgreSQL, then analysed so that the planner knows the upper-case titles
at once; nothing on the embedded SQLite database."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from marketmate.migration_operations import PostgresOnlyAddIndexConcurrently


def analyse(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE catalog_product")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0007_reviews_flag"),
        ("shops", "0003_approval_switch"),
    ]

    operations = [
        PostgresOnlyAddIndexConcurrently(
            model_name="product",
            index=models.Index(
                fields=["-rating_average", "-rating_count", "-id"], name="catalog_product_rating"
            ),
        ),
        PostgresOnlyAddIndexConcurrently(
            model_name="product",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("title"), name="text_pattern_ops"
                ),
                name="catalog_product_title_prefix",
            ),
        ),
        PostgresOnlyAddIndexConcurrently(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("title"), name="gin_trgm_ops"
                ),
                name="catalog_product_utitle_trgm",
            ),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop),
    ]
