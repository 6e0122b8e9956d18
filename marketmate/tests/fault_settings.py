"""Settings of the Celery worker subprocesses of the fault tests: the test settings with a real
broker and a short Redis visibility timeout, so that the message of a job whose worker was
SIGKILLed (acknowledged late, never acked) is delivered again within seconds, not an hour."""

import os

from marketmate.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", "4")),
    "unacked_restore_interval": 1,
}
