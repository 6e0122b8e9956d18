"""Search at catalog scale (docs/search.md): the table of the catalog's distinct words (typo
tolerance) with a trigram index, maintained product counts per category (category pages), and,
where the server has the `rum` extension (Debian's `postgresql-15-rum`), the ranked RUM index on
the search vector. Without the extension search keeps the GIN index alone; on the embedded
SQLite database only the tables are made."""

from typing import Any

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

from catalog.search import SEARCH_WORDS_REBUILD_SQL, ranked_index_create, ranked_index_forget
from catalog.services.category_counts import CATEGORY_COUNTS_ALL_SQL
from marketmate.migration_operations import PostgresOnlyAddIndex


def search_scale_fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        ranked_index_create(cursor)
        cursor.execute(SEARCH_WORDS_REBUILD_SQL)
        cursor.execute(CATEGORY_COUNTS_ALL_SQL)
    ranked_index_forget()


def search_scale_empty(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_product_search_rum")
        ranked_index_forget()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_autocomplete_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CategoryProductCount",
            fields=[
                (
                    "category",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="product_count",
                        serialize=False,
                        to="catalog.category",
                        verbose_name="category",
                    ),
                ),
                ("products", models.PositiveIntegerField(default=0, verbose_name="products")),
                ("counted", models.DateTimeField(auto_now=True, verbose_name="counted")),
            ],
            options={
                "verbose_name": "category product count",
                "verbose_name_plural": "category product counts",
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.CharField(
                        max_length=100, primary_key=True, serialize=False, verbose_name="word"
                    ),
                ),
                ("products", models.PositiveIntegerField(default=0, verbose_name="products")),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        PostgresOnlyAddIndex(
            model_name="searchword",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["word"], name="catalog_searchword_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.RunPython(search_scale_fill, search_scale_empty),
    ]
