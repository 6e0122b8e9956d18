"""`Authorization: Api-Key <key>`: DRF authentication for shop API keys.

This module is imported while DRF itself loads (it is named in `DEFAULT_AUTHENTICATION_CLASSES`),
so it imports nothing of MarketMate's at import time; `integrations.key_access` does the work.
"""

from typing import TYPE_CHECKING

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User
    from integrations.models import ShopApiKey

KEYWORD = "Api-Key"


class ShopApiKeyAuthentication(BaseAuthentication):
    """A shop's key acting for its shop, within its scopes (see `integrations.key_access`)."""

    def authenticate(self, request: Request) -> "tuple[User, ShopApiKey] | None":
        from integrations.key_access import api_key_authenticate

        return api_key_authenticate(request)

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
