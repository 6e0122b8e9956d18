"""The daily figures and the sales reports page move from the orders app to this one.

State only: the tables stay as they are (`db_table` keeps `orders_shopdailystats` and
`orders_productdailystats`, with their indexes and constraints), so no row is copied or lost.
Orders 0005 deletes the models from the orders app's state after this migration. The content
types move with the models, so staff permissions on the daily figures and the admin's history of
them carry over.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MODELS = ("shopdailystats", "productdailystats", "salesreport")


def _content_types_move(apps: StateApps, db_alias: str, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if content_type.objects.using(db_alias).filter(app_label=target, model=model).exists():
            continue
        content_type.objects.using(db_alias).filter(app_label=source, model=model).update(
            app_label=target
        )


def content_types_to_analytics(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _content_types_move(apps, schema_editor.connection.alias, source="orders", target="analytics")


def content_types_to_orders(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _content_types_move(apps, schema_editor.connection.alias, source="analytics", target="orders")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0011_merge_names_and_search"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0004_merge_discount_and_delivery_days"),
        ("shops", "0003_approval_switch"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SalesReport",
                    fields=[],
                    options={
                        "verbose_name": "sales report",
                        "verbose_name_plural": "sales reports",
                        "proxy": True,
                        "default_permissions": (),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=("orders.order",),
                ),
                migrations.CreateModel(
                    name="ProductDailyStats",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField(verbose_name="day")),
                        ("currency", models.CharField(max_length=3, verbose_name="currency")),
                        (
                            "revenue",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0"),
                                max_digits=14,
                                verbose_name="revenue",
                            ),
                        ),
                        ("orders", models.PositiveIntegerField(default=0, verbose_name="orders")),
                        (
                            "units",
                            models.PositiveIntegerField(default=0, verbose_name="units sold"),
                        ),
                        ("views", models.PositiveIntegerField(default=0, verbose_name="views")),
                        ("updated", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="product",
                            ),
                        ),
                        (
                            "shop",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="shops.shop",
                                verbose_name="shop",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "product daily figures",
                        "verbose_name_plural": "product daily figures",
                        "db_table": "orders_productdailystats",
                        "ordering": ["product", "day"],
                        "indexes": [
                            models.Index(
                                fields=["shop", "day"], name="orders_productdaily_shop_day"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("product", "day", "currency"),
                                name="orders_productdailystats_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ShopDailyStats",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField(verbose_name="day")),
                        ("currency", models.CharField(max_length=3, verbose_name="currency")),
                        (
                            "revenue",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0"),
                                max_digits=14,
                                verbose_name="revenue",
                            ),
                        ),
                        ("orders", models.PositiveIntegerField(default=0, verbose_name="orders")),
                        (
                            "units",
                            models.PositiveIntegerField(default=0, verbose_name="units sold"),
                        ),
                        (
                            "refunds",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0"),
                                max_digits=14,
                                verbose_name="refunds",
                            ),
                        ),
                        (
                            "views",
                            models.PositiveIntegerField(default=0, verbose_name="product views"),
                        ),
                        ("updated", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "shop",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="daily_stats",
                                to="shops.shop",
                                verbose_name="shop",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "shop daily figures",
                        "verbose_name_plural": "shop daily figures",
                        "db_table": "orders_shopdailystats",
                        "ordering": ["shop", "day"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("shop", "day", "currency"),
                                name="orders_shopdailystats_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_analytics, content_types_to_orders),
    ]
