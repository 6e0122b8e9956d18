"""The switch that decides whether new shops wait for staff approval (off: active at once)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SWITCH = "shop_approval_required"


def create_switch(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Switch = apps.get_model("waffle", "Switch")
    Switch.objects.get_or_create(
        name=SWITCH,
        defaults={"active": False, "note": "New shops wait for staff approval when on."},
    )


def delete_switch(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("waffle", "Switch").objects.filter(name=SWITCH).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shops", "0002_invitations"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunPython(create_switch, delete_switch)]
