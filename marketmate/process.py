"""What a web process does once it has loaded the application."""

import gc

from django.urls import get_resolver


def application_loaded() -> None:
    """Import every view (the URL configuration) and move the objects the process holds from
    then on (modules, classes, settings, URL patterns: about 250,000) out of the garbage
    collector's reach. Python's full collection walks every tracked object: with the loaded
    application that took 100 ms or more, at random, in the middle of a shopper's request
    (docs/benchmarks.md); frozen, the objects requests create are walked alone (20 ms at most
    measured). Objects that are frozen are never freed, which is what the loaded application's
    are anyway."""
    get_resolver().url_patterns  # noqa: B018 (imports the views)
    gc.freeze()
