"""WebSocket fan-out: CLIENTS connected clients spread over two uvicorn server processes that
share a channels-redis layer; events fanned out to shop rooms and order rooms; reports the
delivery latency (p50/p95/p99) and the messages lost (must be 0). Several client counts can be
tried in one run to find where delivery degrades.

    python bench/ws_fanout.py [--levels 250,500,1000] [--shops 10] [--rounds 20]
                              [--interval 0.5] [--servers 2] [--json out.json]

Every client is a shop member (staff) signed in with a JWT; it joins `shop:{id}` and the room of
the shop's order `order:{id}` (the access rules of chat.selectors.room_may_join apply). Each
round sends one event to every shop room and every order room through the channel layer (what
`marketmate.realtime.rooms.realtime_send` does after a commit), so every client expects 2 per round.
Runs on its own throwaway PostgreSQL and Redis; the clients and the sender share this process.
"""

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import arguments, django_setup, latency_summary, report, services

ADDRESS = {
    "full_name": "Ada Shopper",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
}


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--levels", default="250,500,1000")
    parser.add_argument("--shops", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--servers", type=int, default=2)
    options = parser.parse_args()
    levels = [int(level) for level in options.levels.split(",")]
    with services() as running:
        django_setup()
        figures = run(options, levels, running)
    report("ws_fanout", figures, options.json)


def arrange(shops: int, clients: int) -> list[tuple[str, int, int]]:
    """(JWT, shop id, order id) for `clients` staff members spread over `shops` shops."""
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.tests.factories import UserFactory
    from catalog.tests.factories import VariantFactory
    from orders.services.cart import cart_get_or_create, cart_item_add
    from orders.services.checkout import checkout_place
    from shops.tests.factories import ShopFactory, ShopMemberFactory

    buyer = UserFactory(verified=True)
    rooms = []
    for _ in range(shops):
        shop = ShopFactory()
        variant = VariantFactory(product__shop=shop, inventory_count=10, price="10.00")
        cart = cart_get_or_create(user=buyer, session={})  # type: ignore[arg-type]
        cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)
        order = checkout_place(buyer=buyer, cart=cart, address=ADDRESS).orders[0]
        rooms.append((shop.pk, order.pk))
    members = []
    for index in range(clients):
        shop_id, order_id = rooms[index % shops]
        member = ShopMemberFactory(shop_id=shop_id)
        members.append((str(RefreshToken.for_user(member.user).access_token), shop_id, order_id))
    return members


async def level(ports: list[int], members, options) -> dict:  # type: ignore[no-untyped-def]
    import websockets
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    latencies: list[float] = []
    received = [0] * len(members)
    failures: list[str] = []
    connected = asyncio.Event()
    ready_count = 0
    done = asyncio.Event()
    semaphore = asyncio.Semaphore(50)

    async def client(index: int, token: str, shop_id: int, order_id: int) -> None:
        nonlocal ready_count
        port = ports[index % len(ports)]
        try:
            async with semaphore:
                connection = await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/?token={token}", open_timeout=60, max_queue=None
                )
                joined = 0
                await connection.send(json.dumps({"type": "room:join", "room": f"shop:{shop_id}"}))
                await connection.send(
                    json.dumps({"type": "room:join", "room": f"order:{order_id}"})
                )
                while joined < 2:
                    event = json.loads(await asyncio.wait_for(connection.recv(), 60))
                    if event["type"] == "room:joined":
                        joined += 1
                    elif event["type"] == "error":
                        raise RuntimeError(event)
            ready_count += 1
            if ready_count == len(members):
                connected.set()
            async with connection:
                while not done.is_set():
                    try:
                        raw = await asyncio.wait_for(connection.recv(), 0.5)
                    except TimeoutError:
                        continue
                    arrived = time.time()
                    event = json.loads(raw)
                    if event.get("type") == "bench:probe":
                        received[index] += 1
                        latencies.append(arrived - event["sent"])
        except Exception as exc:
            failures.append(repr(exc)[:200])
            if ready_count + len(failures) >= len(members):
                connected.set()

    tasks = [asyncio.create_task(client(index, *member)) for index, member in enumerate(members)]
    began = time.monotonic()
    await asyncio.wait_for(connected.wait(), 300)
    connect_seconds = time.monotonic() - began
    groups = sorted({f"shop.{shop}" for _, shop, _ in members}) + sorted(
        {f"order.{order}" for _, _, order in members}
    )
    await asyncio.sleep(1)
    send_began = time.monotonic()
    for round_number in range(options.rounds):
        for group in groups:
            payload = {"type": "bench:probe", "round": round_number, "sent": time.time()}
            await layer.group_send(group, {"type": "realtime.event", "payload": payload})
        await asyncio.sleep(options.interval)
    sending = time.monotonic() - send_began
    expected = ready_count * options.rounds * 2
    deadline = time.monotonic() + 15
    while sum(received) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "clients": len(members),
        "connected": ready_count,
        "connect_failures": len(failures),
        "failure_examples": failures[:3],
        "connect_seconds": round(connect_seconds, 1),
        "events_sent_to_rooms": len(groups) * options.rounds,
        "deliveries_expected": expected,
        "deliveries_received": sum(received),
        "messages_lost": expected - sum(received),
        "deliveries_per_second": round(sum(received) / max(sending, 0.001), 1),
        "latency": latency_summary(latencies),
    }


def run(options, levels: list[int], running) -> dict:  # type: ignore[no-untyped-def]
    from marketmate.tests.fault_services import Processes, app_env, asgi_server

    members = arrange(options.shops, max(levels))
    logs = Path(tempfile.mkdtemp(prefix="mm-bench-ws-"))
    processes = Processes()
    results = []
    try:
        env = app_env(database_url=running.database_url, redis_url=running.redis_url)
        ports = [asgi_server(processes, env=env, log_dir=logs) for _ in range(options.servers)]
        for clients in levels:
            result = asyncio.run(level(ports, members[:clients], options))
            print(f"# {clients} clients: {result}", file=sys.stderr)
            results.append(result)
    finally:
        processes.stop()
    return {
        "servers": options.servers,
        "shops": options.shops,
        "rounds": options.rounds,
        "interval_seconds": options.interval,
        "levels": results,
        "server_logs": str(logs),
    }


if __name__ == "__main__":
    main()
