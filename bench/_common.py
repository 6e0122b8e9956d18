"""What every benchmark shares: its own throwaway PostgreSQL (migrated) and Redis, Django set up
on them, percentiles, and printing the figures (and writing them as JSON with --json PATH).

The shared servers of the machine are never touched: each run starts and stops its own.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from marketmate.tests.fault_services import (  # noqa: E402
    ThrowawayRedis,
    throwaway_postgres,
    throwaway_redis,
)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99 and max in milliseconds."""
    return {
        "count": len(seconds),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1) if seconds else float("nan"),
    }


def machine() -> dict[str, Any]:
    memory_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load_average_at_start": [round(value, 2) for value in load],
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser


def report(name: str, figures: dict[str, Any], json_path: Path | None) -> None:
    document = {"benchmark": name, "machine": machine(), "figures": figures}
    print(json.dumps(document, indent=2, default=str))
    if json_path is not None:
        json_path.write_text(json.dumps(document, indent=2, default=str) + "\n")


@dataclass
class Services:
    database_url: str
    redis: ThrowawayRedis

    @property
    def redis_url(self) -> str:
        return self.redis.url


@contextmanager
def services(
    *, settings_module: str = "marketmate.settings.test", database_url: str | None = None
) -> Iterator[Services]:
    """A throwaway PostgreSQL (migrated) and Redis; os.environ points Django at them. With
    `database_url`, that database (migrated here) instead of a throwaway one: it must be a
    benchmark's own (its name contains "bench"), because the benchmark writes to it."""
    with ExitStack() as stack:
        redis = stack.enter_context(throwaway_redis())
        if database_url is not None:
            if "bench" not in database_url.rsplit("/", 1)[-1]:
                raise SystemExit(f"refusing to write to {database_url}: not a benchmark database")
            os.environ["DATABASE_URL"] = database_url
            os.environ["REDIS_URL"] = redis.url
            os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"],
                cwd=ROOT,
                env=os.environ,
                check=True,
            )
            yield Services(database_url=database_url, redis=redis)
            return
        postgres = stack.enter_context(throwaway_postgres())
        subprocess.run(
            [
                f"{Path(sorted(Path('/usr/lib/postgresql').glob('*/bin'))[-1])}/createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(postgres.port),
                "-U",
                "postgres",
                "marketmate",
            ],
            check=True,
        )
        os.environ["DATABASE_URL"] = postgres.url()
        os.environ["REDIS_URL"] = redis.url
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
        print(f"# migrating a throwaway PostgreSQL on port {postgres.port}", file=sys.stderr)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=os.environ, check=True
        )
        yield Services(database_url=postgres.url(), redis=redis)


def django_setup() -> None:
    import logging

    import django

    django.setup()
    # Expected refusals (409 out of stock...) are counted by the benchmark, not logged.
    logging.getLogger("django.request").setLevel(logging.ERROR)


# The web processes as deployed (docs/deployment.md): HTTP through WSGI workers behind the proxy
# (`wsgi`), or HTTP and WebSockets through uvicorn workers (`asgi`, one kind of web process).
WEB_SERVERS = {
    "wsgi": ["marketmate.wsgi:application"],
    "asgi": ["marketmate.asgi:application", "--worker-class", "uvicorn_worker.UvicornWorker"],
}


def web_server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--web-server",
        choices=sorted(WEB_SERVERS),
        default="wsgi",
        help="gunicorn's WSGI workers (HTTP behind the proxy, the default) or uvicorn workers",
    )


def server_described(options: argparse.Namespace) -> str:
    kind = "sync WSGI" if options.web_server == "wsgi" else "uvicorn (ASGI)"
    return f"gunicorn, {options.web_workers} {kind} workers, settings.production"
