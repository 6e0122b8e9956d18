"""Autocomplete's completions (docs/search.md): each catalog word keeps the ids of the best rated
public products with it in their title, so that a prefix finds its products through the words it
starts; filled here on PostgreSQL (the embedded SQLite database keeps no vocabulary and searches
its titles), then kept by every product saved and recounted daily with the vocabulary."""

from typing import Any

from django.db import migrations, models

from catalog.search import SEARCH_WORD_SUGGESTIONS_SQL
from marketmate.migration_operations import PostgresOnlyAddIndex


def completions_fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(SEARCH_WORD_SUGGESTIONS_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0013_product_facet_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchword",
            name="suggestions",
            field=models.JSONField(
                default=list, editable=False, null=True, verbose_name="suggested products"
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="searchword",
            index=models.Index(
                fields=["word"], name="catalog_searchword_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.RunPython(completions_fill, migrations.RunPython.noop),
    ]
