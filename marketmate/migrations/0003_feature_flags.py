"""The feature switches and flags of marketmate.flags, created so that today's behaviour stays:
chat and web push on, display currency off, the new checkout shown to nobody until a percentage
(or a group, or staff) is set in the admin. `shop_approval_required` comes from shops 0003."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SWITCHES = {
    "chat": (True, "Chat pages, the chat API and chat over the WebSocket. Off: they answer 404."),
    "web_push": (True, "Web-push subscriptions and sending. Off: no push is sent."),
}
FLAGS = {
    "display_currency": (
        False,
        "Shoppers may pick a currency to see approximate converted prices.",
    ),
    "new_checkout": (
        None,
        "Experiment: the one-page review step of checkout. Set a percentage to roll it out.",
    ),
}


def create_flags(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Switch = apps.get_model("waffle", "Switch")
    Flag = apps.get_model("waffle", "Flag")
    for name, (active, note) in SWITCHES.items():
        Switch.objects.get_or_create(name=name, defaults={"active": active, "note": note})
    for name, (everyone, note) in FLAGS.items():
        Flag.objects.get_or_create(name=name, defaults={"everyone": everyone, "note": note})


def delete_flags(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("waffle", "Switch").objects.filter(name__in=SWITCHES).delete()
    apps.get_model("waffle", "Flag").objects.filter(name__in=FLAGS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("marketmate", "0002_blocked_networks"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunPython(create_flags, delete_flags)]
