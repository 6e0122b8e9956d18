from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chat import subscribers  # noqa: F401  (registers the event subscribers)
        from chat.overview import chat_overview_figures
        from shops.overview import overview_provider_register

        overview_provider_register(chat_overview_figures)
