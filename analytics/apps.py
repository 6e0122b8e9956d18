from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from analytics.overview import sales_overview_figures
        from analytics.services import product_view_record
        from catalog.hooks import product_view_hook_register
        from shops.overview import overview_provider_register

        # The product pages' views, counted for the shops' analytics.
        product_view_hook_register(product_view_record)
        overview_provider_register(sales_overview_figures)
