"""The daily figures and the sales reports page moved to the analytics app (see analytics 0001):
they leave the orders app's state only; their tables stay, now owned by analytics."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_daily_figures_from_orders"),
        ("orders", "0004_merge_discount_and_delivery_days"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SalesReport"),
                migrations.DeleteModel(name="ProductDailyStats"),
                migrations.DeleteModel(name="ShopDailyStats"),
            ],
            database_operations=[],
        ),
    ]
