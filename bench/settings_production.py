"""The production settings, as deployed, for the journey benchmark's gunicorn: only the static
files' directory is moved to a temporary one (collected by the benchmark) instead of the tree's."""

import os

from marketmate.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
