"""Development on a laptop: the embedded defaults, debug pages and a throwaway secret key."""

from marketmate.settings.base import *  # noqa: F403
from marketmate.settings.base import ALLOWED_HOSTS, SECRET_KEY, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-key-change-me-0123456789"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
