from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.selectors import (
            product_ordered_check_register,
            product_received_check_register,
        )
        from orders import (
            receivers,  # noqa: F401 (connects the cart merge on sign-in)
            subscribers,  # noqa: F401 (registers the event subscribers)
        )
        from orders.selectors import product_has_order_lines, product_received_by

        product_ordered_check_register(product_has_order_lines)
        product_received_check_register(product_received_by)
