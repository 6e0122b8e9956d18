"""The real ASGI application with static files served from the finders, for the browser tests'
server process (DEBUG is off in tests and nothing is collected)."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from marketmate.asgi import application as marketmate_application

application = ASGIStaticFilesHandler(marketmate_application)
