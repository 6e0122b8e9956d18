"""Run a few lines under another settings module, in a clean environment, and read what they
print: how the settings tests see each way of running."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import re
from django.conf import settings
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "storage": settings.STORAGES["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "pool": settings.DATABASES["default"].get("OPTIONS", {}).get("pool", {}).get("max_size"),
    "session": settings.DATABASES["default"].get("OPTIONS", {}).get("options"),
}))
"""


def settings_of(
    module: str, probe: str = PROBE, **environment: str
) -> subprocess.CompletedProcess[str]:
    """`probe` run after `django.setup()` with `module` and only `environment` set."""
    clean = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    clean.update(environment, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + probe],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
