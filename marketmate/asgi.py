"""ASGI entry point: HTTP through Django, WebSockets at `/ws/` through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketmate.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from sentry_sdk.integrations.asgi import SentryAsgiMiddleware  # noqa: E402

from marketmate.metrics import WebSocketConnectionGauge  # noqa: E402
from marketmate.process import application_loaded  # noqa: E402
from marketmate.realtime.auth import websocket_application  # noqa: E402
from marketmate.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin check (cookie connections), session cookie, then a `?token=` JWT:
        # marketmate/realtime/auth.py.
        "websocket": WebSocketConnectionGauge(
            websocket_application(URLRouter(websocket_urlpatterns))
        ),
    }
)
if settings.SENTRY_DSN:
    # Errors in consumers (WebSockets) reach Sentry too; HTTP errors already do through Django.
    application = SentryAsgiMiddleware(application)
application_loaded()
