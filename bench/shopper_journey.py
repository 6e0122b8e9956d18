"""A mixed shopper journey against the production configuration: gunicorn with uvicorn workers,
`marketmate.settings.production` (DEBUG off, whitenoise's manifest, JSON logs), PostgreSQL and
Redis. Each virtual shopper (an async aiohttp client, cheap on CPU) loops through:

    home page -> search page -> category page -> product page -> product list API ->
    add to cart -> checkout -> pay (dummy gateway: create the payment, confirm with 4242...)

Reports throughput, p50/p95/p99 per step, the error rate, and the SQL queries per request of
each view from the server's own `/metrics` (mm_db_queries_per_request).

    python bench/shopper_journey.py [--shoppers 20] [--seconds 60] [--products 2000]
                                    [--database-url postgres://.../mm_bench]
                                    [--web-workers 2] [--json out.json]

By default the catalog is generated here (PRODUCTS products over 20 shops, one variant each) in a
throwaway PostgreSQL. With `--database-url` the journey runs on a catalog already there, such as
the million products of `bench/generate_catalog.py` (`mm_bench`): it picks 200 products of active
shops, gives their variants plenty of stock, and adds its shoppers, orders and payments to that
database (whose name must contain "bench"). Searches use the storefront search benchmark's mix
of queries. Requests carry `X-Forwarded-Proto: https` as the reverse proxy would. Redis is
always a throwaway one; the server is stopped at the end.
"""

import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    ROOT,
    WEB_SERVERS,
    arguments,
    django_setup,
    latency_summary,
    report,
    server_described,
    services,
    web_server_argument,
)
from bench.search_bench import QUERIES

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
STEPS = [
    "home",
    "search",
    "category",
    "product_page",
    "product_list",
    "cart_add",
    "checkout",
    "pay_create",
    "pay_confirm",
]


@dataclass
class Catalog:
    items: list[tuple[int, str, int]]  # (product id, product slug, variant id)
    categories: list[str]
    tokens: list[str]


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--shoppers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--web-workers", type=int, default=2)
    web_server_argument(parser)
    parser.add_argument(
        "--database-url", default=None, help="a catalog already loaded (e.g. by generate_catalog)"
    )
    options = parser.parse_args()
    with services(database_url=options.database_url) as running:
        django_setup()
        figures = run(options, running)
    report("shopper_journey", figures, options.json)


def _shoppers(count: int) -> list[str]:
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.tests.factories import UserFactory

    return [
        str(RefreshToken.for_user(UserFactory(verified=True)).access_token) for _ in range(count)
    ]


def catalog_generated(products: int, shoppers: int) -> Catalog:
    from catalog.services.categories import category_get_or_create_path
    from catalog.tests.factories import VariantFactory
    from shops.tests.factories import ShopFactory

    shops = [ShopFactory() for _ in range(20)]
    categories = [category_get_or_create_path(names=[f"Department {n}"]) for n in range(10)]
    items = []
    for index in range(products):
        variant = VariantFactory(
            product__shop=shops[index % len(shops)], inventory_count=100_000, price="19.90"
        )
        variant.product.categories.add(categories[index % len(categories)])
        items.append((variant.product_id, variant.product.slug, variant.pk))
    _vectors_refresh()
    return Catalog(items, [category.slug for category in categories], _shoppers(shoppers))


def _vectors_refresh() -> None:
    from catalog.models import Product
    from catalog.search import search_vector_update

    search_vector_update(product_ids=Product.objects.values_list("pk", flat=True))


def catalog_existing(shoppers: int) -> Catalog:
    """200 products of active shops from the catalog in the database, with stock to sell."""
    from django.db.models.functions import Mod

    from catalog.models import Category, Product, ProductVariant

    chosen = list(
        Product.objects.filter(status=Product.Status.ACTIVE, shop__status="active")
        .alias(spread=Mod("pk", 4999))
        .filter(spread=7)  # products from the whole table
        .order_by("pk")
        .values_list("pk", "slug")[:200]
    )
    variants = dict(
        ProductVariant.objects.filter(
            product_id__in=[pk for pk, _ in chosen], is_default=True
        ).values_list("product_id", "pk")
    )
    ProductVariant.objects.filter(pk__in=variants.values()).update(inventory_count=100_000)
    items = [(pk, slug, variants[pk]) for pk, slug in chosen if pk in variants]
    categories = list(Category.objects.order_by("path").values_list("slug", flat=True))
    return Catalog(items, categories, _shoppers(shoppers))


def start_gunicorn(
    env: dict[str, str], workers: int, log: Path, *, server: str = "wsgi"
) -> tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    from marketmate.tests.fault_services import free_port

    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", *WEB_SERVERS[server]),
            *("--bind", f"127.0.0.1:{port}"),
            *("--workers", str(workers), "--forwarded-allow-ips", "*"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process, port
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("gunicorn did not start")


async def shopper(base, token, catalog, until, timings, errors, journeys) -> None:  # type: ignore[no-untyped-def]
    import aiohttp

    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}
    async with aiohttp.ClientSession(base, headers=headers) as session:

        async def step(name, method, path, **kwargs):  # type: ignore[no-untyped-def]
            began = time.monotonic()
            async with session.request(method, path, **kwargs) as answer:
                body = await answer.read()
                timings[name].append(time.monotonic() - began)
                if answer.status >= 400:
                    errors[f"{name} {answer.status}"] += 1
                    return None
                if answer.content_type == "application/json":
                    import json

                    return json.loads(body)
                return body

        while time.monotonic() < until:
            product_id, slug, variant_id = random.choice(catalog.items)
            if await step("home", "GET", "/") is None:
                continue
            await step("search", "GET", "/search/", params={"q": random.choice(QUERIES)})
            await step("category", "GET", f"/c/{random.choice(catalog.categories)}/")
            await step("product_page", "GET", f"/p/{product_id}/{slug}/")
            page = random.randint(1, 20)
            await step("product_list", "GET", f"/api/v1/products?page={page}")
            added = await step(
                "cart_add", "POST", "/api/v1/cart", json={"variant_id": variant_id, "quantity": 1}
            )
            if added is None:
                continue
            placed = await step(
                "checkout",
                "POST",
                "/api/v1/checkout",
                json={"shipping_address": ADDRESS},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            if placed is None:
                continue
            paying = await step(
                "pay_create",
                "POST",
                "/api/v1/payments",
                json={"checkout_reference": placed["checkout_reference"]},
            )
            if not paying or not paying["payments"]:
                continue
            payment_id = paying["payments"][0]["id"]
            paid = await step(
                "pay_confirm",
                "POST",
                f"/api/v1/payments/{payment_id}/confirm",
                json={"card_number": "4242424242424242"},
            )
            if paid is not None:
                journeys.append(1)


def queries_per_request(metrics: str) -> dict[str, float]:
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for line in metrics.splitlines():
        found = re.match(
            r'mm_db_queries_per_request_(sum|count)\{view="([^"]*)"\} ([0-9.e+]+)', line
        )
        if found:
            kind, view, value = found.groups()
            (sums if kind == "sum" else counts)[view] = float(value)
    return {
        view: round(sums.get(view, 0) / counts[view], 1) for view in sorted(counts) if counts[view]
    }


def run(options, running) -> dict:  # type: ignore[no-untyped-def]
    from django.conf import settings

    from marketmate.tests.fault_services import Processes, app_env

    if options.database_url:
        shop_catalog = catalog_existing(options.shoppers)
    else:
        shop_catalog = catalog_generated(options.products, options.shoppers)
    work = Path(tempfile.mkdtemp(prefix="mm-bench-journey-"))
    metrics_dir = work / "prometheus"
    metrics_dir.mkdir()
    env = app_env(
        database_url=running.database_url,
        redis_url=running.redis_url,
        DJANGO_SETTINGS_MODULE="bench.settings_production",
        BENCH_STATIC_ROOT=str(work / "static"),
        # The shoppers' JWTs are signed here: the server checks them with the same key.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        LOG_LEVEL="WARNING",
        EMAIL_URL="consolemail://",
        # A virtual shopper buys every few seconds, faster than the per-user checkout limit
        # (20/minute) that stops card testing; the limit itself is tested in the suite.
        API_THROTTLE_CHECKOUT="100000/minute",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    processes = Processes()
    server, port = start_gunicorn(
        env, options.web_workers, work / "gunicorn.log", server=options.web_server
    )
    processes.started.append(server)
    try:
        base = f"http://127.0.0.1:{port}"
        timings: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        journeys: list[int] = []

        async def everyone() -> None:
            until = time.monotonic() + options.seconds
            await asyncio.gather(
                *(
                    shopper(base, token, shop_catalog, until, timings, errors, journeys)
                    for token in shop_catalog.tokens
                )
            )

        began = time.monotonic()
        asyncio.run(everyone())
        elapsed = time.monotonic() - began
        scrape = urllib.request.Request(  # noqa: S310 (loopback)
            f"{base}/metrics", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(scrape, timeout=10) as answer:  # noqa: S310
            metrics = answer.read().decode()
    finally:
        processes.stop()
        shutil.rmtree(work, ignore_errors=True)
    requests_made = sum(len(values) for values in timings.values())
    failed = sum(errors.values())
    return {
        "server": server_described(options),
        "catalog": urllib.parse.urlsplit(options.database_url).path.lstrip("/")
        if options.database_url
        else f"{options.products} products generated here",
        "shoppers": options.shoppers,
        "seconds": round(elapsed, 1),
        "journeys_completed": len(journeys),
        "requests": requests_made,
        "requests_per_second": round(requests_made / elapsed, 1),
        "error_rate": round(failed / max(requests_made, 1), 4),
        "errors": dict(errors),
        "steps": {name: latency_summary(timings[name]) for name in STEPS},
        "sql_queries_per_request_by_view": queries_per_request(metrics),
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    main()
