"""WSGI entry point: HTTP only, for web processes behind a proxy that sends WebSockets (`/ws/`)
to ASGI processes (`marketmate.asgi`), as deploy/nginx does.

Django's ASGI handler runs a request's synchronous middleware and view in a worker thread and
its own steps on the event loop, switching between them a few times a request; a WSGI worker
runs the whole request in one thread. Measured on the same machine (docs/benchmarks.md): the
minimal view 7 ms (ASGI) against 3 (WSGI) at the median, a cached category page 26 against 17.
`marketmate.asgi` still serves HTTP too, for a deployment with one kind of web process."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketmate.settings.local")
application = get_wsgi_application()

from marketmate.process import application_loaded  # noqa: E402

application_loaded()
