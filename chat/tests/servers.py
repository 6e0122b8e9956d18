"""Real ASGI server processes (uvicorn) on loopback ports, on the test database and Redis."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url_of_test_run() -> str:
    """The database pytest-django made for this run (`test_<name>`), as a URL."""
    database = settings.DATABASES["default"]
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"The server on port {port} exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"The server on port {port} did not start in {STARTUP_SECONDS} s.")


@contextmanager
def asgi_servers(
    *, count: int, logs_dir: Path, app: str = "marketmate.asgi:application"
) -> Iterator[list[int]]:
    """Start `count` uvicorn processes serving `app`; yield their ports; always stop them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketmate.settings.test",
        "DATABASE_URL": database_url_of_test_run(),
        "REDIS_URL": os.environ.get("REDIS_URL", settings.REDIS_URL),
        "PYTHONUNBUFFERED": "1",
    }
    ports = [free_port() for _ in range(count)]
    logs = [logs_dir / f"server-{port}.log" for port in ports]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            _wait_until_up(port, process, log)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
