from typing import Any

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularSwaggerSplitView

from catalog.views.storefront import home_context


class HomeView(TemplateView):
    template_name = "storefront/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **home_context()}


# Swagger UI sets style attributes from its script; its scripts themselves stay external.
@method_decorator(csp_update({"style-src": [UNSAFE_INLINE]}), name="dispatch")
class ApiDocsView(SpectacularSwaggerSplitView):
    """The API documentation page, with its start-up script served as a file (no inline code)."""
