"""The `reviews` flag: on for everyone, so reviews show from the start; staff can narrow or
turn it off in the admin (Waffle > Flags)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FLAG = "reviews"


def create_flag(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Flag = apps.get_model("waffle", "Flag")
    Flag.objects.get_or_create(
        name=FLAG,
        defaults={"everyone": True, "note": "Product reviews: the list, the form and the API."},
    )


def delete_flag(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("waffle", "Flag").objects.filter(name=FLAG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_reviews_wishlists"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunPython(create_flag, delete_flag)]
