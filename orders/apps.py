from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.selectors import product_ordered_check_register
        from orders import receivers  # noqa: F401 (connects the cart merge on sign-in)
        from orders.selectors import product_has_order_lines

        product_ordered_check_register(product_has_order_lines)
