"""Category pages at catalog scale (docs/search.md): the maintained listing of each category's
public products (and of its sub-categories') with their creation time, read newest first from
one index, filled here from the catalog; and an index on the price for searches sorted by it."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from catalog.services.category_counts import CATEGORY_LISTING_ALL_SQL


def listing_fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CATEGORY_LISTING_ALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_search_scale"),
        ("shops", "0003_approval_switch"),
    ]

    operations = [
        migrations.CreateModel(
            name="CategoryListing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created", models.DateTimeField(verbose_name="created")),
                (
                    "category",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.product",
                        verbose_name="product",
                    ),
                ),
            ],
            options={
                "verbose_name": "category listing",
                "verbose_name_plural": "category listings",
            },
        ),
        migrations.AddConstraint(
            model_name="categorylisting",
            constraint=models.UniqueConstraint(
                fields=("category", "product"), name="catalog_categorylisting_once"
            ),
        ),
        migrations.RunPython(listing_fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="categorylisting",
            index=models.Index(
                fields=["category", "-created", "-product"], name="catalog_categorylisting_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["price", "id"], name="catalog_product_price"),
        ),
    ]
