import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketmate.settings.local")
application = get_wsgi_application()

from marketmate.process import application_loaded  # noqa: E402

application_loaded()
