"""The JavaScript translation catalogue (`djangojs` domain) for the scripts in `static/js/`."""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog


@method_decorator(cache_control(public=True, max_age=3600), name="dispatch")
class JavaScriptCatalogView(JavaScriptCatalog):
    """`gettext()`, `ngettext()` and `interpolate()` for scripts, in the language named by the
    address rather than the cookie: every language has its own URL, so browsers and proxies
    may cache it without serving one shopper's language to another."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = kwargs.pop("language")
        if language not in dict(settings.LANGUAGES):
            raise Http404
        with translation.override(language):
            return super().get(request, *args, **kwargs)
