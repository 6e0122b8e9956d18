"""The option kinds most shops use for variants; staff can add more in the admin."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEFAULTS = [("Size", "size"), ("Colour", "colour"), ("Material", "material")]


def create_attributes(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Attribute = apps.get_model("catalog", "Attribute")
    for name, slug in DEFAULTS:
        Attribute.objects.get_or_create(slug=slug, defaults={"name": name})


def delete_attributes(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("catalog", "Attribute").objects.filter(
        slug__in=[slug for _name, slug in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_attributes_and_images")]

    operations = [migrations.RunPython(create_attributes, delete_attributes)]
