"""Outbound HTTP for webhooks, safe against server-side request forgery.

A vendor chooses the address, so the address is distrusted every time it is used: it must be
`https` and every address its host resolves to must be public (no loopback, private, link-local,
carrier-grade NAT, multicast, reserved or cloud metadata addresses). The connection then goes to
the very address that was checked (the hostname is kept for TLS and `Host`), so a DNS answer that
changes between check and connect cannot smuggle a private address in. Redirects are never
followed, and neither the request nor the response may exceed their bounds.

`OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS` allows `http` and private addresses: for local
development and the tests only.
"""

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from integrations.exceptions import UnsafeUrlError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: str
    duration_ms: int
    error: str = ""


def private_urls_allowed() -> bool:
    return bool(settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS)


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _is_public(address.ipv4_mapped)
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_link_local
    )


def url_shape_check(url: str) -> None:
    """The checks that need no DNS: scheme, host, no credentials in the address."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if private_urls_allowed() else {"https"}
    if parts.scheme not in schemes:
        raise UnsafeUrlError(
            _("Webhook addresses must start with https://."),
            fields={"url": [_("Use an https:// address.")]},
        )
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeUrlError(
            _("Webhook addresses need a host name and no user name or password."),
            fields={"url": [_("Enter an address like https://example.com/hooks.")]},
        )


def url_resolve(url: str) -> Target:
    """Where `url` may be delivered to: its scheme, host, port, path and one checked address.

    UnsafeUrlError when the address is not allowed or does not resolve.
    """
    url_shape_check(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrlError(_("The port is not valid."), fields={"url": [str(exc)]}) from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrlError(
            _("The host name does not resolve."),
            fields={"url": [_("Check the host name.")]},
        ) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise UnsafeUrlError(_("The host name does not resolve."))
    if not private_urls_allowed() and not all(_is_public(address) for address in addresses):
        raise UnsafeUrlError(
            _("Webhook addresses must be public: this one points to a private network."),
            fields={"url": [_("Use a public address.")]},
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=str(addresses[0]))


def _pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    timeouts = urllib3.Timeout(connect=min(timeout, 5.0), read=timeout)
    if target.scheme == "https":
        context = ssl.create_default_context(cafile=certifi.where())
        return urllib3.HTTPSConnectionPool(
            target.address,
            port=target.port,
            timeout=timeouts,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            ssl_context=context,
        )
    return urllib3.HTTPConnectionPool(
        target.address, port=target.port, timeout=timeouts, retries=False, maxsize=1
    )


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` once, after checking it; never raises for network failures.

    The response body is read up to `OUTBOUND_WEBHOOKS_MAX_RESPONSE_BYTES` only: a receiver
    cannot make a worker read gigabytes. Redirects count as failures and are not followed.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    if len(body) > settings.OUTBOUND_WEBHOOKS_MAX_PAYLOAD_BYTES:
        return Answer(None, "", 0, _("The payload is larger than allowed."))
    try:
        target = url_resolve(url)
    except UnsafeUrlError as exc:
        return Answer(None, "", elapsed(), exc.message)
    timeout = float(settings.OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS)
    limit = int(settings.OUTBOUND_WEBHOOKS_MAX_RESPONSE_BYTES)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    pool = _pool(target, timeout)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header, "Content-Length": str(len(body))},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            content = response.read(limit + 1, decode_content=False)
        finally:
            response.release_conn()
            response.close()
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Answer(None, "", elapsed(), f"{type(exc).__name__}: {exc}"[:300])
    finally:
        pool.close()
    text = content[:limit].decode("utf-8", errors="replace")
    return Answer(response.status, text[:2000], elapsed())
