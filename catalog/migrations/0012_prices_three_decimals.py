"""Prices with three decimals (dinars). The columns change on PostgreSQL only: see
`PostgresOnlyAlterField`."""

from decimal import Decimal

import django.core.validators
from django.db import migrations

import marketmate.money
from marketmate.migration_operations import PostgresOnlyAlterField


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_merge_names_and_search"),
    ]

    operations = [
        PostgresOnlyAlterField(
            model_name="product",
            name="compare_at_price",
            field=marketmate.money.MoneyAmountField(
                blank=True,
                decimal_places=3,
                max_digits=13,
                null=True,
                verbose_name="compare-at price",
            ),
        ),
        PostgresOnlyAlterField(
            model_name="product",
            name="price",
            field=marketmate.money.MoneyAmountField(
                decimal_places=3,
                max_digits=13,
                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                verbose_name="price",
            ),
        ),
        PostgresOnlyAlterField(
            model_name="productvariant",
            name="price",
            field=marketmate.money.MoneyAmountField(
                blank=True,
                decimal_places=3,
                max_digits=13,
                null=True,
                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                verbose_name="own price",
            ),
        ),
        PostgresOnlyAlterField(
            model_name="wishlistitem",
            name="price_alerted_at",
            field=marketmate.money.MoneyAmountField(
                blank=True,
                decimal_places=3,
                max_digits=13,
                null=True,
                verbose_name="price last announced",
            ),
        ),
        PostgresOnlyAlterField(
            model_name="wishlistitem",
            name="price_when_saved",
            field=marketmate.money.MoneyAmountField(
                decimal_places=3, max_digits=13, verbose_name="price when saved"
            ),
        ),
    ]
