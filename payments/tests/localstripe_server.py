"""localstripe for the test suite: bound to loopback only, with the three Connect endpoints it
lacks (accounts, account links, transfers), kept as small as the payouts tests need.

    python -m payments.tests.localstripe_server --port 8420
"""

import argparse
import secrets
import time
from typing import Any

from aiohttp import web
from localstripe.server import app, get_post_data

_accounts: dict[str, dict[str, Any]] = {}
_transfers: dict[str, dict[str, Any]] = {}
# Stripe's idempotency: the same key gives back the first answer.
_idempotent: dict[str, dict[str, Any]] = {}


def _replayed(request: web.Request) -> dict[str, Any] | None:
    key = request.headers.get("Idempotency-Key")
    return _idempotent.get(f"{request.path}:{key}") if key else None


def _remember(request: web.Request, body: dict[str, Any]) -> web.Response:
    key = request.headers.get("Idempotency-Key")
    if key:
        _idempotent[f"{request.path}:{key}"] = body
    return web.json_response(body)


async def account_create(request: web.Request) -> web.Response:
    if (earlier := _replayed(request)) is not None:
        return web.json_response(earlier)
    data = await get_post_data(request) or {}
    account = {
        "id": "acct_" + secrets.token_hex(8),
        "object": "account",
        "type": data.get("type", "express"),
        "email": data.get("email"),
        "country": data.get("country"),
        "created": int(time.time()),
    }
    _accounts[account["id"]] = account
    return _remember(request, account)


async def account_link_create(request: web.Request) -> web.Response:
    data = await get_post_data(request) or {}
    if data.get("account") not in _accounts:
        return web.json_response({"error": {"message": "No such account"}}, status=404)
    return web.json_response(
        {
            "object": "account_link",
            "url": f"https://connect.stripe.test/setup/{data['account']}",
            "expires_at": int(time.time()) + 300,
        }
    )


async def transfer_create(request: web.Request) -> web.Response:
    if (earlier := _replayed(request)) is not None:
        return web.json_response(earlier)
    data = await get_post_data(request) or {}
    if data.get("destination") not in _accounts:
        return web.json_response({"error": {"message": "No such destination"}}, status=400)
    transfer = {
        "id": "tr_" + secrets.token_hex(8),
        "object": "transfer",
        "amount": int(data["amount"]),
        "currency": data["currency"],
        "destination": data["destination"],
        "metadata": data.get("metadata") or {},
        "created": int(time.time()),
    }
    _transfers[transfer["id"]] = transfer
    return _remember(request, transfer)


async def transfer_list(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": list(_transfers.values())})


# Every POST MarketMate sends, with its Idempotency-Key, for the tests to check.
_posts: list[dict[str, str]] = []


@web.middleware
async def record_posts(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.method == "POST" and request.path.startswith("/v1/"):
        _posts.append({"path": request.path, "key": request.headers.get("Idempotency-Key", "")})
    return await handler(request)


async def posts_list(request: web.Request) -> web.Response:
    return web.json_response(_posts)


app.middlewares.append(record_posts)
app.router.add_get("/_config/posts", posts_list)
app.router.add_post("/v1/accounts", account_create)
app.router.add_post("/v1/account_links", account_link_create)
app.router.add_post("/v1/transfers", transfer_create)
app.router.add_get("/v1/transfers", transfer_list)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
