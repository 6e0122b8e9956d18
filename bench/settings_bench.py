"""Settings of the benchmarks' worker and server subprocesses: the test settings (PostgreSQL,
Redis) with a real broker, and e-mails written to files so that every one sent can be counted."""

import os

from marketmate.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("BENCH_EMAIL_DIR", "/tmp/marketmate-bench-mail")  # noqa: S108
