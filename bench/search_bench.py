"""Storefront and search on the large catalog, served as in production: gunicorn with uvicorn
workers and `marketmate.settings.production` (DEBUG off, whitenoise's manifest, JSON logs) on
the catalog `bench/generate_catalog.py` loaded, with a throwaway Redis as the cache.

    python bench/generate_catalog.py          # once: 1,000,000 products into mm_bench
    python bench/search_bench.py [--database-url postgres://postgres@127.0.0.1:5432/mm_bench]
                                 [--clients 8] [--seconds 15] [--web-workers 2] [--json out.json]
                                 [--only search autocomplete ...]
    python bench/search_bench.py --cold [--clients 2] [--per-endpoint 120] [--seed 17]

For each endpoint it first requests 50 distinct URLs once each ("cold": nothing cached, the
database does the work), then keeps `--clients` concurrent clients on the same URLs for
`--seconds` ("warm": what the storefront cache gives). Endpoints: search (a fixed mix of 50
queries), facets, autocomplete, category page, product page, product list API, and the minimal
Django view `/healthz` (through the same middleware) as the baseline; each endpoint's warm
throughput is also printed as a ratio of the baseline's. The database is only read.

`--cold` measures what a shopper typing a new query waits for: it generates `--per-endpoint`
distinct URLs per endpoint from the catalog's own words (`catalog_searchword`): single words,
pairs, quoted phrases, OR, -word and typos, some with price band, stock, category and sort
filters; category pages at several page numbers; autocomplete prefixes and typos. First the
database's files are read once into the operating system's memory (`pg_prewarm`), as on a
server that has been up; then every URL is asked exactly once, each on a new connection, by
`--clients` concurrent clients (2 by default), on a fresh cache, and each endpoint's p50/p95
is printed with its ratio to the minimal view's (`/healthz`, asked the same way), so that runs
on a loaded machine compare. Last, it prints the statements of the slowest search URL, each
with its time, and the EXPLAIN (ANALYZE, BUFFERS) of the slowest of them.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    ROOT,
    arguments,
    latency_summary,
    report,
    server_described,
    web_server_argument,
)
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
    connector = aiohttp.TCPConnector(force_close=True)  # a connection per request: measure_once
    async with aiohttp.ClientSession(base, headers=headers, connector=connector) as session:

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
    from catalog.views.storefront import SearchParams, product_cards, search_products

    params = SearchParams.parse(QueryDict("q=wool+socks"))
    ordered = search.products_order(search_products(params), sort="relevance", searching=True)
    return str(product_cards(ordered)[:24].explain(analyze=True, buffers=True))


FILTER_SORTS = ["price_asc", "price_desc", "newest", "rating"]
PRICE_KEYS = ["0-25", "25-50", "50-100", "100-"]


def typo(word: str, rng: random.Random) -> str:
    """`word` with one letter doubled, dropped or two letters swapped (as shoppers type)."""
    index = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["double", "drop", "swap"])
    if kind == "double":
        return word[:index] + word[index] + word[index:]
    if kind == "drop":
        return word[:index] + word[index + 1 :]
    return word[: index - 1] + word[index] + word[index - 1] + word[index + 1 :]


def query_for(words: list[str], rng: random.Random) -> str:
    """One query as shoppers write them: a word, a pair, a phrase, OR, minus, or a typo."""
    first, second = rng.sample(words, 2)
    kind = rng.choice(["word", "pair", "pair", "phrase", "or", "minus", "typo", "typo"])
    if kind == "word":
        return first
    if kind == "pair":
        return f"{first} {second}"
    if kind == "phrase":
        return f'"{first} {second}"'
    if kind == "or":
        return f"{first} or {second}"
    if kind == "minus":
        return f"{first} -{second}"
    long_words = [word for word in (first, second) if len(word) >= 4] or ["lamp"]
    return typo(rng.choice(long_words), rng)


def cold_urls_for(database_url: str, rng: random.Random, count: int) -> dict[str, list[str]]:
    """`count` distinct URLs per endpoint, made from the catalog's words and categories."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        words = [
            row[0]
            for row in connection.execute(
                "SELECT word FROM catalog_searchword WHERE word ~ '^[a-z]+$' ORDER BY word"
            ).fetchall()
        ]
        categories = [
            (row[0], row[1])
            for row in connection.execute(
                "SELECT c.slug, coalesce(n.products, 0) FROM catalog_category c"
                " LEFT JOIN catalog_categoryproductcount n ON n.category_id = c.id ORDER BY c.path"
            ).fetchall()
        ]
    if len(words) < 20:
        raise SystemExit("the catalog has too few words: run the migrations on it first")
    quote = urllib.parse.quote_plus

    def distinct(make: Callable[[], str]) -> list[str]:
        found: dict[str, None] = {}
        attempts = 0
        while len(found) < count and attempts < count * 50:
            found[make()] = None
            attempts += 1
        return list(found)

    def filtered() -> str:
        params = [("q", query_for(words, rng))]
        if rng.random() < 0.5:
            params.append(("price", rng.choice(PRICE_KEYS)))
        if rng.random() < 0.4:
            params.append(("in_stock", "1"))
        if rng.random() < 0.3:
            params.append(("category", rng.choice(categories)[0]))
        params.append(("sort", rng.choice([*FILTER_SORTS, "relevance"])))
        return "/search/?" + urllib.parse.urlencode(params)

    def category_page() -> str:
        slug, products = rng.choice(categories)
        pages = max(1, min(products // 24, 40))
        page = rng.choice([1, 1, 2, 3, rng.randint(1, pages)])
        return f"/c/{slug}/" + (f"?page={page}" if page > 1 else "")

    def prefix() -> str:
        word = rng.choice([word for word in words if len(word) >= 4])
        if rng.random() < 0.2:
            return typo(word, rng)
        return word[: rng.randint(2, min(len(word), 6))]

    def api() -> str:
        url = f"/api/v1/products?q={quote(query_for(words, rng))}&page_size=20"
        if rng.random() < 0.3:
            url += f"&sort={rng.choice(FILTER_SORTS)}"
        return url

    urls = {
        "search": distinct(lambda: f"/search/?q={quote(query_for(words, rng))}"),
        "search_filtered": distinct(filtered),
        "facets": distinct(lambda: f"/api/v1/products/facets?q={quote(query_for(words, rng))}"),
        "category_page": distinct(category_page),
        "autocomplete": distinct(lambda: f"/api/v1/search/suggest?q={quote(prefix())}"),
        "product_list_api": distinct(api),
        "baseline_healthz": [f"/healthz?n={index}" for index in range(count)],
    }
    # A word no measured URL asks for, to warm the workers up with (warm_up_urls).
    asked = " ".join(url for endpoint in urls.values() for url in endpoint)
    unasked = next(word for word in words if quote(word) not in asked)
    return urls | {"warm_up": warm_up_urls(unasked, categories[0][0])}


def warm_up_urls(word: str, category: str) -> list[str]:
    """Each endpoint a few times with a word and a category page no measured URL asks for: a
    worker's first page of a kind loads and compiles its templates and the code behind it,
    once per process (what a server does once after starting, not per shopper)."""
    urls = [
        f"/search/?q={word}",
        f"/search/?q={word}&sort=price_asc&in_stock=1",
        f"/api/v1/products/facets?q={word}",
        f"/c/{category}/",
        f"/api/v1/search/suggest?q={word}",
        f"/api/v1/products?q={word}&page_size=20",
    ]
    return [f"{url}{'&' if '?' in url else '?'}warm={index}" for index in range(6) for url in urls]


async def measure_once(
    base: str, urls: list[str], *, clients: int
) -> tuple[list[tuple[float, str]], dict[int, int]]:
    """Each URL asked once, by `clients` concurrent clients: ((seconds, url) each, errors).

    Each request comes on a new connection, as from a proxy that does not keep connections to
    the web processes open (deploy/nginx): an idle uvicorn worker then takes it. A kept-alive
    connection stays with the worker that accepted it, and both clients' connections landed on
    the same worker in 7 sessions of 8, leaving the other idle: a run then measured one worker
    serving two clients, and runs differed by a factor of two."""
    import aiohttp

    headers = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}
    errors: dict[int, int] = {}
    timings: list[tuple[float, str]] = []
    queue = list(reversed(urls))
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(base, headers=headers, connector=connector) as session:

        async def client() -> None:
            while queue:
                url = queue.pop()
                began = time.monotonic()
                async with session.get(url, allow_redirects=False) as answer:
                    await answer.read()
                    timings.append((time.monotonic() - began, url))
                    if answer.status >= 400:
                        errors[answer.status] = errors.get(answer.status, 0) + 1

        await asyncio.gather(*(client() for _ in range(clients)))
    return timings, errors


def explain_url(database_url: str, url: str) -> str:
    """The statements a search page URL runs when nothing is cached, each with its time, and the
    EXPLAIN (ANALYZE, BUFFERS) of the slowest one (run again, so warmer than in the page): the
    page's own statements, whichever path its query takes (candidates, ranked row by row, sorted
    from its matches, the sort's index), not a result query rebuilt beside it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketmate.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import translation

    from catalog.views.storefront import SearchParams, search_outcome

    translation.activate("en")
    request = RequestFactory().get(url)
    params = SearchParams.parse(request.GET)
    ran: list[tuple[float, str, Any]] = []

    def timed(execute, sql, sql_params, many, context):  # type: ignore[no-untyped-def]
        began = time.monotonic()
        try:
            return execute(sql, sql_params, many, context)
        finally:
            ran.append((time.monotonic() - began, sql, sql_params))

    with connection.execute_wrapper(timed):
        search_outcome(request, params)
    seconds, sql, sql_params = max(
        (item for item in ran if not item[1].startswith("EXPLAIN")), key=lambda item: item[0]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    statements = "\n".join(
        f"{took * 1000:7.1f} ms  {' '.join(text.split())[:110]}" for took, text, _ in ran
    )
    return (
        f"{url}\n\nIts statements, nothing cached:\n{statements}\n\n"
        f"The slowest ({seconds * 1000:.1f} ms in the page), run again:\n{plan}"
    )


@contextmanager
def storefront_server(options: Any) -> Iterator[str]:
    """The production configuration under gunicorn on the benchmark database, with a throwaway
    Redis and the rate limits lifted (one client address makes every request here; DRF's user
    throttle keys anonymous clients by address too); yields its base URL, warmed up."""
    from bench.shopper_journey import start_gunicorn
    from marketmate.tests.fault_services import Processes, app_env, throwaway_redis

    work = Path(tempfile.mkdtemp(prefix="mm-bench-search-"))
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
        server, port = start_gunicorn(
            env, options.web_workers, work / "gunicorn.log", server=options.web_server
        )
        processes.started.append(server)
        try:
            base = f"http://127.0.0.1:{port}"
            # Each worker's first requests open its connections: not what is measured.
            asyncio.run(measure_once(base, ["/healthz"] * 20, clients=options.clients))
            yield base
        finally:
            processes.stop()
            shutil.rmtree(work, ignore_errors=True)


def files_read(database_url: str) -> str:
    """Read the database's tables and indexes once (`pg_prewarm`, into the operating system's
    memory, not PostgreSQL's buffers), as a server that has been up holds them: a catalog just
    generated or restored is partly on disk only, and which of its pages a run finds there
    decided 30 to 150 ms of a URL's time. What the application and PostgreSQL cache is not
    touched (the cold mode is about them). Returns what was done, for the report."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        try:
            connection.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except psycopg.Error as error:
            return f"not read first (pg_prewarm: {error})"
        began = time.monotonic()
        blocks = connection.execute(
            "SELECT coalesce(sum(pg_prewarm(c.oid, 'read')), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't', 'm')"
        ).fetchone()
    pages = int(blocks[0]) if blocks else 0
    return f"{pages * 8 // 1024} MB read once in {time.monotonic() - began:.1f} s (pg_prewarm)"


def run_cold(options: Any) -> dict[str, Any]:
    rng = random.Random(options.seed)
    endpoints = cold_urls_for(options.database_url, rng, options.per_endpoint)
    database_files = files_read(options.database_url)
    print(f"# database files: {database_files}", file=sys.stderr, flush=True)
    figures: dict[str, Any] = {}
    slowest: dict[str, tuple[float, str]] = {}
    warm_up = endpoints.pop("warm_up")
    with storefront_server(options) as base:
        asyncio.run(measure_once(base, warm_up, clients=options.clients))
        order = ["baseline_healthz", *[n for n in endpoints if n != "baseline_healthz"]]
        if options.only:
            order = [name for name in order if name in {"baseline_healthz", *options.only}]
        for name in order:
            print(f"# {name} (cold, {len(endpoints[name])} URLs)", file=sys.stderr, flush=True)
            timings, errors = asyncio.run(
                measure_once(base, endpoints[name], clients=options.clients)
            )
            figures[name] = {
                "cold": latency_summary([seconds for seconds, _url in timings]),
                "errors": sum(errors.values()),
                "errors_by_status": {str(code): count for code, count in errors.items()},
            }
            slowest[name] = max(timings)
            figures[name]["slowest_url"] = slowest[name][1]
            figures[name]["slowest_urls"] = [
                [round(seconds * 1000, 1), url] for seconds, url in sorted(timings)[::-1][:10]
            ]
            # Every URL's time: runs of two versions of the code compare URL by URL.
            figures[name]["urls"] = [[round(seconds * 1000, 1), url] for seconds, url in timings]
    baseline = figures["baseline_healthz"]["cold"]
    for row in figures.values():
        row["p50_vs_baseline"] = round(row["cold"]["p50_ms"] / (baseline["p50_ms"] or 1), 1)
        row["p95_vs_baseline"] = round(row["cold"]["p95_ms"] / (baseline["p95_ms"] or 1), 1)
    searches = [slowest[name] for name in ("search", "search_filtered") if name in slowest]
    return {
        "mode": "cold: every URL asked once, nothing cached",
        "server": server_described(options),
        "database": urllib.parse.urlsplit(options.database_url).path.lstrip("/"),
        "clients": options.clients,
        "database_files": database_files,
        "endpoints": figures,
        "explain_slowest_search": explain_url(options.database_url, max(searches)[1])
        if searches
        else "",
    }


def run(options: Any) -> dict[str, Any]:
    rng = random.Random(5)
    endpoints = urls_for(options.database_url, rng)
    figures: dict[str, Any] = {}
    with storefront_server(options) as base:
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
    baseline = figures["baseline_healthz"]["warm_requests_per_second"] or 1
    ratio: Callable[[str], float] = lambda name: round(  # noqa: E731
        figures[name]["warm_requests_per_second"] / baseline, 3
    )
    for name in figures:
        figures[name]["throughput_vs_baseline"] = ratio(name)
    return {
        "server": server_described(options),
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
    web_server_argument(parser)
    parser.add_argument(
        "--only", nargs="+", default=[], help="measure these endpoints (and the baseline) only"
    )
    parser.add_argument(
        "--cold", action="store_true", help="distinct generated URLs, each asked once"
    )
    parser.add_argument("--per-endpoint", type=int, default=120, help="URLs per endpoint (cold)")
    parser.add_argument("--seed", type=int, default=17, help="of the generated URLs (cold)")
    options = parser.parse_args()
    if options.cold:
        if "--clients" not in sys.argv:
            options.clients = 2
        figures = run_cold(options)
        report("search-cold", figures, options.json)
        print(f"\n{'endpoint':<20} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}  errors")
        for name, row in figures["endpoints"].items():
            print(
                f"{name:<20} {row['cold']['p50_ms']:>8} {row['cold']['p95_ms']:>8}"
                f" {row['p50_vs_baseline']:>7} {row['p95_vs_baseline']:>7}"
                f"  {row['errors_by_status'] or ''}"
            )
        print("\n" + figures["explain_slowest_search"])
        return
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
