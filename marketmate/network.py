"""Who is asking, as an IP address, and whether that address is blocked."""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketmate.errors import API_PREFIX, ErrorCode, error_body

BLOCKLIST_CACHE_KEY = "security:blocked-networks"
BLOCKLIST_CACHE_SECONDS = 60

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind `TRUSTED_PROXY_COUNT` proxies that append
    to X-Forwarded-For, the address the outermost trusted proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def blocked_networks() -> list[Network]:
    """The blocked networks now in force, cached for a minute and dropped on every change."""
    cached: list[str] | None = cache.get(BLOCKLIST_CACHE_KEY)
    if cached is None:
        from marketmate.models import BlockedNetwork

        now = timezone.now()
        cached = [
            network
            for network, expires_at in BlockedNetwork.objects.values_list("network", "expires_at")
            if expires_at is None or expires_at > now
        ]
        cache.set(BLOCKLIST_CACHE_KEY, cached, BLOCKLIST_CACHE_SECONDS)
    return [ipaddress.ip_network(network, strict=False) for network in cached]


def ip_is_blocked(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in blocked_networks() if network.version == ip.version)


class BlockedNetworkMiddleware:
    """Refuses requests from blocked addresses with 403, before any other work."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if ip_is_blocked(client_ip(request)):
            message = _("Requests from your network are blocked.")
            if request.path.startswith(API_PREFIX):
                return JsonResponse(error_body(ErrorCode.PERMISSION_DENIED, message), status=403)
            return render(request, "blocked.html", {"message": message}, status=403)
        return self.get_response(request)
