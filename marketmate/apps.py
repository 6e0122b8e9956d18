from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketMateConfig(AppConfig):
    name = "marketmate"
    verbose_name = _("Platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketmate import signals, subscribers  # noqa: F401  (they register themselves)
        from marketmate.numbers import ascii_digits_require
        from marketmate.parsers import json_types_strict

        ascii_digits_require()
        json_types_strict()
