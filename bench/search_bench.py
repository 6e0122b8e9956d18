"""Storefront and search on the large catalog, served as in production: gunicorn with uvicorn
workers and `marketmate.settings.production` (DEBUG off, whitenoise's manifest, JSON logs) on
the catalog `bench/generate_catalog.py` loaded, with a throwaway Redis as the cache.

    python bench/generate_catalog.py          # once: 1,000,000 products into mm_bench
    python bench/search_bench.py [--database-url postgres://postgres@127.0.0.1:5432/mm_bench]
                                 [--clients 8] [--seconds 15] [--web-workers 2] [--json out.json]
                                 [--only search autocomplete ...]

For each endpoint it first requests 50 distinct URLs once each ("cold": nothing cached, the
database does the work), then keeps `--clients` concurrent clients on the same URLs for
`--seconds` ("warm": what the storefront cache gives). Endpoints: search (a fixed mix of 50
queries), facets, autocomplete, category page, product page, product list API, and the minimal
Django view `/healthz` (through the same middleware) as the baseline; each endpoint's warm
throughput is also printed as a ratio of the baseline's. The database is only read.
"""

import asyncio
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import ROOT, arguments, latency_summary, report
from bench.generate_catalog import DEFAULT_URL

# What shoppers type: single words, pairs, phrases in quotes, OR, minus, a typo or two.
QUERIES = [
    "wool socks", "leather wallet", "ceramic mug", "organic cotton t-shirt", "bluetooth speaker",
    "yoga mat", '"chef knife"', "running shoes", "linen dress", "denim jacket", "silver ring",
    "gold necklace", "oak cutting board", "bamboo toothbrush", "canvas tote bag", "merino sweater",
    "vintage lamp", "handmade candle", "stainless steel water bottle", "hiking boots",
    "watercolour set", "fountain pen", "acoustic guitar", "vinyl record", "board game",
    "jigsaw puzzle", "dog bed", "cat toy", "coffee beans", "loose leaf tea", "raw honey",
    "hot sauce", "essential oil", "sleep mask", "phone case", "wireless mouse", "usb-c charger",
    "tent", "sleeping bag", "headlamp", "baby blanket", "planter", "bird feeder",
    "garden gloves", "leather boots -hiking", "mug or teapot", "copper kettle", "velvet cushion",
    "porcelian teapot", "sneekers",
]  # fmt: skip
PREFIXES = [
    "wo", "lea", "cer", "mug", "org", "blu", "yog", "che", "run", "lin", "den", "sil", "gol",
    "oak", "bam", "can", "mer", "vin", "han", "sta", "hik", "wat", "fou", "aco", "boa", "jig",
    "dog", "cat", "cof", "tea", "hon", "hot", "ess", "sle", "pho", "wir", "usb", "ten", "hea",
    "bab", "pla", "bir", "gar", "bac", "sad", "cop", "vel", "nov", "kni", "sca",
]  # fmt: skip


def urls_for(database_url: str, rng: random.Random) -> dict[str, list[str]]:
    """50 URLs per endpoint, from the loaded catalog."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        categories = [
            row[0]
            for row in connection.execute(
                "SELECT slug FROM catalog_category ORDER BY depth, path"
            ).fetchall()
        ]
        products = connection.execute(
            "SELECT p.id, p.slug FROM catalog_product p JOIN shops_shop s ON s.id = p.shop_id"
            " WHERE p.status = 'active' AND s.status = 'active' AND p.id % 7919 = 1"
            " ORDER BY p.id LIMIT 200"
        ).fetchall()
        shops = [
            row[0]
            for row in connection.execute(
                "SELECT slug FROM shops_shop WHERE status = 'active' ORDER BY id LIMIT 50"
            ).fetchall()
        ]
    sorts = ["newest", "price_asc", "price_desc", "rating"]
    quote = urllib.parse.quote_plus
    return {
        "search": [f"/search/?q={quote(query)}" for query in QUERIES],
        "facets": [f"/api/v1/products/facets?q={quote(query)}" for query in QUERIES],
        "autocomplete": [f"/api/v1/search/suggest?q={quote(prefix)}" for prefix in PREFIXES],
        "category_page": [
            f"/c/{slug}/" + ("?page=2" if index % 5 == 4 else "")
            for index, slug in enumerate(rng.sample(categories, 50))
        ],
        "shop_page": [f"/s/{slug}/" for slug in shops],
        "product_page": [f"/p/{pk}/{slug}/" for pk, slug in rng.sample(products, 50)],
        "product_list_api": [
            f"/api/v1/products?sort={sorts[index % 4]}&page_size=20"
            + (f"&q={quote(QUERIES[index])}" if index % 2 else "")
            for index in range(50)
        ],
        "baseline_healthz": ["/healthz"] * 50,
    }


async def measure(
    base: str, urls: list[str], *, clients: int, seconds: float
) -> tuple[list[float], list[float], dict[int, int], float]:
    """(cold timings, warm timings, errors by status code, warm elapsed seconds)."""
    import aiohttp

    headers = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}
    errors: dict[int, int] = {}
    cold: list[float] = []
    warm: list[float] = []
    async with aiohttp.ClientSession(base, headers=headers) as session:

        async def get(url: str, into: list[float]) -> None:
            began = time.monotonic()
            async with session.get(url, allow_redirects=False) as answer:
                await answer.read()
                into.append(time.monotonic() - began)
                if answer.status >= 400:
                    errors[answer.status] = errors.get(answer.status, 0) + 1

        for url in urls:
            await get(url, cold)
        until = time.monotonic() + seconds

        async def client(offset: int) -> None:
            index = offset
            while time.monotonic() < until:
                await get(urls[index % len(urls)], warm)
                index += 7

        began = time.monotonic()
        await asyncio.gather(*(client(offset) for offset in range(clients)))
        elapsed = time.monotonic() - began
    return cold, warm, errors, elapsed


def explain(database_url: str) -> str:
    """EXPLAIN ANALYZE of the search page's result query for one of the mix's queries."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketmate.settings.test")
    import django

    django.setup()
    from django.http import QueryDict

    from catalog import search
    from catalog.storefront_views import SearchParams, product_cards, search_products

    params = SearchParams.parse(QueryDict("q=wool+socks"))
    ordered = search.products_order(search_products(params), sort="relevance", searching=True)
    return str(product_cards(ordered)[:24].explain(analyze=True, buffers=True))


def run(options: Any) -> dict[str, Any]:
    from bench.shopper_journey import start_gunicorn
    from marketmate.tests.fault_services import Processes, app_env, throwaway_redis

    rng = random.Random(5)
    endpoints = urls_for(options.database_url, rng)
    work = Path(tempfile.mkdtemp(prefix="mm-bench-search-"))
    figures: dict[str, Any] = {}
    with throwaway_redis() as redis:
        env = app_env(
            database_url=options.database_url,
            redis_url=redis.url,
            DJANGO_SETTINGS_MODULE="bench.settings_production",
            BENCH_STATIC_ROOT=str(work / "static"),
            SECRET_KEY="bench-" + "x" * 50,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            EMAIL_URL="consolemail://",
            # One client address makes every request here: the anonymous limit is not measured.
            # (DRF's user throttle keys anonymous clients by address too.)
            API_THROTTLE_ANON="100000000/minute",
            API_THROTTLE_USER="100000000/minute",
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        processes = Processes()
        server, port = start_gunicorn(env, options.web_workers, work / "gunicorn.log")
        processes.started.append(server)
        try:
            base = f"http://127.0.0.1:{port}"
            order: list[str] = [
                "baseline_healthz",
                *[n for n in endpoints if n != "baseline_healthz"],
            ]
            if options.only:
                order = [name for name in order if name in {"baseline_healthz", *options.only}]
            for name in order:
                print(f"# {name}", file=sys.stderr, flush=True)
                cold, warm, errors, elapsed = asyncio.run(
                    measure(base, endpoints[name], clients=options.clients, seconds=options.seconds)
                )
                figures[name] = {
                    "cold": latency_summary(cold),
                    "warm": latency_summary(warm),
                    "warm_requests_per_second": round(len(warm) / elapsed, 1),
                    "errors": sum(errors.values()),
                    "errors_by_status": {str(code): count for code, count in errors.items()},
                }
        finally:
            processes.stop()
            shutil.rmtree(work, ignore_errors=True)
    baseline = figures["baseline_healthz"]["warm_requests_per_second"] or 1
    ratio: Callable[[str], float] = lambda name: round(  # noqa: E731
        figures[name]["warm_requests_per_second"] / baseline, 3
    )
    for name in figures:
        figures[name]["throughput_vs_baseline"] = ratio(name)
    return {
        "server": f"gunicorn, {options.web_workers} uvicorn workers, settings.production",
        "database": urllib.parse.urlsplit(options.database_url).path.lstrip("/"),
        "clients": options.clients,
        "seconds_per_endpoint": options.seconds,
        "endpoints": figures,
        "explain_search": explain(options.database_url) if not options.only else "",
    }


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--only", nargs="+", default=[], help="measure these endpoints (and the baseline) only"
    )
    options = parser.parse_args()
    figures = run(options)
    report("search", figures, options.json)
    header = "endpoint             cold p95   warm p50   warm p95   warm p99   req/s   x baseline"
    print(f"\n{header}  errors")
    for name, row in figures["endpoints"].items():
        print(
            f"{name:<20} {row['cold']['p95_ms']:>8} {row['warm']['p50_ms']:>10}"
            f" {row['warm']['p95_ms']:>10} {row['warm']['p99_ms']:>10}"
            f" {row['warm_requests_per_second']:>7} {row['throughput_vs_baseline']:>10}"
            f"  {row['errors_by_status'] or ''}"
        )


if __name__ == "__main__":
    main()
