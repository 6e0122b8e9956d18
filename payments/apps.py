from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from payments import subscribers  # noqa: F401  (registers the event subscribers)
        from payments.overview import payments_overview_figures
        from shops.overview import overview_provider_register

        overview_provider_register(payments_overview_figures)
