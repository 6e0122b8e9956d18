from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from catalog.listeners import product_links_changed, shop_catalog_refresh
        from catalog.models import Product
        from shops.changes import shop_change_listener_register

        shop_change_listener_register(shop_catalog_refresh)
        for links in (Product.categories.through, Product.tags.through):
            m2m_changed.connect(product_links_changed, sender=links, dispatch_uid=str(links))
