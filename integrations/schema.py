"""The `Api-Key` security scheme in the OpenAPI schema, beside JWT."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class ShopApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ShopApiKeyAuthentication"
    name = "ShopApiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A shop API key, sent as `Authorization: Api-Key <key>`. It acts for its shop "
                "only, within its scopes (catalog:read, catalog:write, inventory:write, "
                "orders:read, orders:write); see docs/integrations.md."
            ),
        }
