"""The display currency on by default: the footer's currency picker and the approximate prices
("≈ €12.34") beside the real ones. Only a flag still at the default of 0003 (everyone: No) is
switched on; a flag an operator changed (everyone: Yes or Unknown, a percentage, groups) is kept.
Orders are still priced and charged in the shop's currency."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

NAME = "display_currency"
NOTE = "Shoppers may pick a currency in the footer to see approximate converted prices."


def switch_on(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Flag = apps.get_model("waffle", "Flag")
    flag, created = Flag.objects.get_or_create(name=NAME, defaults={"everyone": True, "note": NOTE})
    if not created and flag.everyone is False and not flag.percent:
        flag.everyone = True
        flag.note = NOTE
        flag.save(update_fields=["everyone", "note"])


def switch_off(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("waffle", "Flag").objects.filter(name=NAME, everyone=True).update(everyone=False)


class Migration(migrations.Migration):
    dependencies = [
        ("marketmate", "0005_auditlog_credential"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunPython(switch_on, switch_off)]
