from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.listeners import shop_catalog_refresh
        from shops.changes import shop_change_listener_register

        shop_change_listener_register(shop_catalog_refresh)
