"""Checkout contention: SHOPPERS concurrent shoppers for the last STOCK units of one variant,
repeated ROUNDS times; every LATENCY_EVERY-th round adds database latency (`pg_sleep` before
every query of every shopper, so locks are held longer and the races widen).

    python bench/checkout_contention.py [--rounds 100] [--shoppers 50] [--stock 5] [--json out.json]

Each shopper is a thread with its own PostgreSQL connection, going through the real API
(`POST /api/v1/checkout`: DRF, the checkout service, stock reservations). Reports oversold
units (must be 0), deadlocks (PostgreSQL's own counter, must be 0), winners per round (must be
STOCK) and whether every loser was told `out_of_stock` (409) in the one error shape.
Runs on its own throwaway PostgreSQL and Redis.
"""

import os
import random
import sys
import threading
import time
from collections import Counter
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
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--stock", type=int, default=5)
    parser.add_argument("--latency-every", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=5.0, help="max pg_sleep per query")
    options = parser.parse_args()
    # The same shoppers check out every round, faster than the per-user checkout limit (20 a
    # minute, against card testing) allows on a quiet machine; the limit is tested in the suite.
    os.environ["API_THROTTLE_CHECKOUT"] = "1000000/minute"
    with services():
        django_setup()
        figures = run(options)
    report("checkout_contention", figures, options.json)


def run(options) -> dict:  # type: ignore[no-untyped-def]
    from django.db import connection, connections
    from rest_framework.test import APIClient

    from accounts.tests.factories import UserFactory
    from catalog.models import ProductVariant
    from catalog.tests.factories import VariantFactory
    from orders.models import OrderLine
    from orders.services.cart import cart_get_or_create, cart_item_add

    buyers = [UserFactory(verified=True) for _ in range(options.shoppers)]

    def deadlocks() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
            )
            return int(cursor.fetchone()[0])

    deadlocks_before = deadlocks()
    oversold = 0
    wrong_winners = 0
    statuses: Counter[str] = Counter()
    loser_codes: Counter[str] = Counter()
    errors: list[str] = []
    durations: list[float] = []
    slow_rounds = 0
    started = time.monotonic()
    for round_number in range(options.rounds):
        slow = options.latency_every > 0 and round_number % options.latency_every == (
            options.latency_every - 1
        )
        slow_rounds += slow
        variant = VariantFactory(inventory_count=options.stock, price="10.00")
        for buyer in buyers:
            cart = cart_get_or_create(user=buyer, session={})  # type: ignore[arg-type]
            cart.items.all().delete()
            cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)
        barrier = threading.Barrier(options.shoppers)
        answers: list[tuple[int, str]] = []
        lock = threading.Lock()

        def shopper(buyer, slow=slow, barrier=barrier, lock=lock, answers=answers) -> None:  # type: ignore[no-untyped-def]
            client = APIClient()
            client.force_authenticate(buyer)
            db = connections["default"]

            def latency(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
                context["cursor"].cursor.execute(
                    "SELECT pg_sleep(%s)", (random.uniform(0, options.latency_ms) / 1000,)
                )
                return execute(sql, params, many, context)

            try:
                barrier.wait()
                began = time.monotonic()
                if slow:
                    with db.execute_wrapper(latency):
                        answer = client.post(
                            "/api/v1/checkout", {"shipping_address": ADDRESS}, format="json"
                        )
                else:
                    answer = client.post(
                        "/api/v1/checkout", {"shipping_address": ADDRESS}, format="json"
                    )
                took = time.monotonic() - began
                code = ""
                if answer.status_code != 201:
                    code = answer.json().get("error", {}).get("code", "?")
                with lock:
                    answers.append((answer.status_code, code))
                    durations.append(took)
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
            finally:
                db.close()

        threads = [threading.Thread(target=shopper, args=(buyer,)) for buyer in buyers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sold = sum(OrderLine.objects.filter(variant=variant).values_list("quantity", flat=True))
        left = ProductVariant.objects.get(pk=variant.pk).inventory_count
        oversold += max(0, sold - options.stock) + max(0, -left)
        winners = sum(1 for status, _ in answers if status == 201)
        wrong_winners += winners != options.stock
        for status, code in answers:
            statuses[str(status)] += 1
            if status != 201:
                loser_codes[f"{status} {code}"] += 1
        print(
            f"# round {round_number + 1}: {winners} won, {len(answers) - winners} lost,"
            f" stock left {left}{' (with latency)' if slow else ''}",
            file=sys.stderr,
        )
    elapsed = time.monotonic() - started
    losers = sum(loser_codes.values())
    return {
        "rounds": options.rounds,
        "shoppers_per_round": options.shoppers,
        "stock_per_round": options.stock,
        "rounds_with_latency": slow_rounds,
        "latency_per_query_ms": f"0..{options.latency_ms} (pg_sleep before every query)",
        "oversold_units": oversold,
        "deadlocks": deadlocks() - deadlocks_before,
        "rounds_with_wrong_number_of_winners": wrong_winners,
        "statuses": dict(statuses),
        "loser_answers": dict(loser_codes),
        "every_loser_told_out_of_stock": loser_codes.get("409 out_of_stock", 0) == losers,
        "exceptions": errors[:10],
        "checkout_latency": latency_summary(durations),
        "seconds": round(elapsed, 1),
    }


if __name__ == "__main__":
    main()
