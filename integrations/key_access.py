"""`Authorization: Api-Key <key>`: a shop's key acting for its shop, within its scopes.

The request runs as the member who created the key (`request.user`), so every permission
check a member goes through applies to the key as well; `request.auth` is the key. On top of
that, before any view runs:

- only the endpoints in `KEY_ROUTES` are open to keys, each needing a scope for reads and one
  for writes (403 `api_key_scope_required` without it, 403 `api_key_endpoint_not_allowed` for
  any other endpoint: a key never shops, chats or manages keys as its creator);
- the shop the URL addresses (directly, or through its product, variant or order) must be the
  key's shop: anything else is a 404, as for a stranger;
- a revoked or expired key, or one whose creator no longer works for the shop, is a 401;
- keys have their own rate limit (`api_key` throttle scope), per key;
- the audit log records what the key does as done by its creator through the key.
"""

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from catalog.selectors import product_get_for_member, variant_get_for_member
from integrations.exceptions import IntegrationsErrorCode
from integrations.models import Scope, ShopApiKey
from integrations.services import api_key_hash, api_key_touch
from marketmate.errors import ApplicationError
from marketmate.request_context import credential_set
from orders.selectors import order_get_for_viewer
from shops.exceptions import ShopNotFoundError, ShopRoleRequiredError
from shops.selectors import shop_member_get

KEYWORD = "Api-Key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ShopOf = Callable[[User, dict[str, Any], Request], int]


class ApiKeyScopeRequired(exceptions.APIException):
    status_code = 403
    default_code = IntegrationsErrorCode.API_KEY_SCOPE_REQUIRED.value
    default_detail = "This API key does not have the scope this needs."


class ApiKeyEndpointNotAllowed(exceptions.APIException):
    status_code = 403
    default_code = IntegrationsErrorCode.API_KEY_ENDPOINT_NOT_ALLOWED.value
    default_detail = "API keys cannot use this endpoint."


def _not_found() -> exceptions.NotFound:
    return exceptions.NotFound(_("Not found."))


def _shop_in_url(user: User, kwargs: dict[str, Any], request: Request) -> int:
    return int(kwargs["shop_id"])


def _shop_of_product(user: User, kwargs: dict[str, Any], request: Request) -> int:
    return product_get_for_member(user=user, product_id=int(kwargs["product_id"])).shop_id


def _shop_of_variant(user: User, kwargs: dict[str, Any], request: Request) -> int:
    return variant_get_for_member(user=user, variant_id=int(kwargs["variant_id"])).shop_id


def _shop_of_order(user: User, kwargs: dict[str, Any], request: Request) -> int:
    order = order_get_for_viewer(user=user, order_id=int(kwargs["order_id"]))
    if order is None:
        raise _not_found()
    return order.shop_id


def _shop_in_query(user: User, kwargs: dict[str, Any], request: Request) -> int:
    # Without `?shop=` the order list shows the caller's own purchases: never a key's business.
    try:
        return int(request.query_params.get("shop", ""))
    except ValueError:
        raise _not_found() from None


@dataclass(frozen=True)
class KeyRoute:
    read: str | None
    write: str | None
    shop_of: ShopOf


CATALOG = {"read": Scope.CATALOG_READ, "write": Scope.CATALOG_WRITE}
KEY_ROUTES: dict[str, KeyRoute] = {
    "shop-detail": KeyRoute(Scope.CATALOG_READ, None, _shop_in_url),
    "shop-products": KeyRoute(**CATALOG, shop_of=_shop_in_url),
    "product-detail": KeyRoute(**CATALOG, shop_of=_shop_of_product),
    "product-variants": KeyRoute(**CATALOG, shop_of=_shop_of_product),
    "product-variant-detail": KeyRoute(**CATALOG, shop_of=_shop_of_product),
    "product-images": KeyRoute(**CATALOG, shop_of=_shop_of_product),
    "product-images-order": KeyRoute(**CATALOG, shop_of=_shop_of_product),
    "product-image-detail": KeyRoute(**CATALOG, shop_of=_shop_of_product),
    "inventory-adjustments": KeyRoute(None, Scope.INVENTORY_WRITE, _shop_of_variant),
    "order-list": KeyRoute(Scope.ORDERS_READ, None, _shop_in_query),
    "order-detail": KeyRoute(Scope.ORDERS_READ, None, _shop_of_order),
    "order-ship": KeyRoute(None, Scope.ORDERS_WRITE, _shop_of_order),
    "order-complete": KeyRoute(None, Scope.ORDERS_WRITE, _shop_of_order),
    "order-cancel": KeyRoute(None, Scope.ORDERS_WRITE, _shop_of_order),
}


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per key (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"]`)."""

    scope = "api_key"

    def __init__(self, key_id: int) -> None:
        self.key_id = key_id
        super().__init__()

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate is None else str(rate)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.key_id}


def api_key_from_header(raw: str) -> ShopApiKey:
    """The live key `raw` names; AuthenticationFailed (401) for anything else."""
    invalid = exceptions.AuthenticationFailed(_("The API key is not valid."))
    prefix, _dot, _secret = raw.partition(".")
    key = (
        ShopApiKey.objects.select_related("shop", "created_by").filter(prefix=prefix).first()
        if prefix and _dot
        else None
    )
    if key is None or not _hash_matches(key, raw):
        raise invalid
    if key.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("This API key was revoked."))
    if key.expires_at is not None and key.expires_at <= timezone.now():
        raise exceptions.AuthenticationFailed(_("This API key has expired."))
    creator = key.created_by
    if creator is None or not creator.is_active:
        raise exceptions.AuthenticationFailed(_("The member who created this key left the shop."))
    try:
        shop_member_get(user=creator, shop_id=key.shop_id)
    except ShopNotFoundError:
        raise exceptions.AuthenticationFailed(
            _("The member who created this key left the shop.")
        ) from None
    return key


def _hash_matches(key: ShopApiKey, raw: str) -> bool:
    return hmac.compare_digest(key.hashed_key, api_key_hash(raw))


def _route_check(request: Request, key: ShopApiKey, creator: User) -> None:
    match = getattr(request._request, "resolver_match", None)
    route = KEY_ROUTES.get(match.url_name or "") if match is not None else None
    if match is None or route is None or "v1" not in match.namespaces:
        raise ApiKeyEndpointNotAllowed(_("API keys cannot use this endpoint."))
    scope = route.read if request.method in SAFE_METHODS else route.write
    if scope is None:
        raise ApiKeyEndpointNotAllowed(_("API keys cannot use this endpoint."))
    try:
        shop_id = route.shop_of(creator, dict(match.kwargs), request)
    except (ShopNotFoundError, ShopRoleRequiredError) as exc:
        raise _not_found() from exc
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise _not_found() from exc
        raise
    if shop_id != key.shop_id:
        raise _not_found()
    if scope not in key.scopes:
        raise ApiKeyScopeRequired(
            _("This API key needs the %(scope)s scope for this.") % {"scope": scope}
        )


def api_key_authenticate(request: Request) -> tuple[User, ShopApiKey] | None:
    """What `ShopApiKeyAuthentication.authenticate` answers (see the module docstring)."""
    header = get_authorization_header(request).split()
    if not header or header[0].lower() != KEYWORD.lower().encode():
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(_("The API key is not valid."))
    try:
        raw = header[1].decode()
    except UnicodeError:
        raise exceptions.AuthenticationFailed(_("The API key is not valid.")) from None
    key = api_key_from_header(raw)
    creator = key.created_by
    assert creator is not None
    throttle = ApiKeyRateThrottle(key.pk)
    if settings.RATELIMIT_ENABLE and not throttle.allow_request(request, APIView()):
        raise exceptions.Throttled(throttle.wait())
    _route_check(request, key, creator)
    api_key_touch(api_key=key)
    credential_set(f"api_key:{key.prefix}")
    return creator, key
