"""Throwaway servers for the fault tests and the benchmarks: a Redis, a PostgreSQL cluster, ASGI
server processes and Celery workers of their own, on free loopback ports, always stopped again.

The shared PostgreSQL and Redis of the machine are never stopped, restarted or flushed: every
scenario that kills something kills only what it started here.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def wait_until(condition, *, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.1)


# --- Redis ---------------------------------------------------------------------------------


@dataclass
class ThrowawayRedis:
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.directory / "redis.pid"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.directory / "redis.log"),
                "--dir",
                str(self.directory),
            ],
            check=True,
        )
        wait_until(lambda: port_answers(self.port), timeout=10, what="redis to start")

    def stop(self) -> None:
        """SIGKILL: the server vanishes as in a crash."""
        if self.pidfile.exists():
            pid = int(self.pidfile.read_text().strip())
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self.pidfile.unlink(missing_ok=True)
        wait_until(lambda: not port_answers(self.port), timeout=10, what="redis to stop")


@contextmanager
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    directory = Path(tempfile.mkdtemp(prefix="mm-faults-redis-"))
    server = ThrowawayRedis(port=free_port(), directory=directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found[-1]


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class ThrowawayPostgres:
    port: int
    directory: Path

    @property
    def data(self) -> Path:
        return self.directory / "pgdata"

    def url(self, database: str = "marketmate") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), _pg_bin("pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        subprocess.run(
            [
                *_as_postgres(),
                _pg_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        # fsync off: only a crash of the machine loses data then, and these servers do not
        # outlive it. synchronous_commit stays on: a killed server (`stop()`) must keep every
        # transaction it acknowledged, as a real one does (off, it lost a cart added just before).
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._pg_ctl("-w", "-l", str(self.directory / "postgres.log"), "-o", options, "start")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash: every session is cut, uncommitted work is lost."""
        self._pg_ctl("-w", "-m", mode, "stop")

    def copy_database(self, source_url: str, *, database: str = "marketmate") -> None:
        """Create `database` here as a copy (schema and rows) of the database at `source_url`."""
        subprocess.run(
            [
                _pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                database,
            ],
            check=True,
        )
        dump = subprocess.Popen(
            [_pg_bin("pg_dump"), "--no-owner", "--no-privileges", source_url],
            stdout=subprocess.PIPE,
        )
        subprocess.run(
            [_pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(database)],
            stdin=dump.stdout,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        assert dump.wait(timeout=60) == 0


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    directory = Path(tempfile.mkdtemp(prefix="mm-faults-pg-"))
    directory.chmod(0o755)
    server = ThrowawayPostgres(port=free_port(), directory=directory)
    server.init()
    server.start()
    try:
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped by the scenario
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


# --- Application processes -----------------------------------------------------------------


def app_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": extra.pop("DJANGO_SETTINGS_MODULE", "marketmate.settings.test"),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@dataclass
class Processes:
    """Subprocesses started by a scenario; `stop()` ends every one of them (and their children)."""

    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:  # type: ignore[type-arg]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
            start_new_session=True,  # its own process group: a kill reaches its children
        )
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:  # type: ignore[type-arg]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
        self.started.clear()


def asgi_server(
    processes: Processes,
    *,
    env: dict[str, str],
    log_dir: Path,
    port: int | None = None,
    app: str = "marketmate.asgi:application",
) -> int:
    """A uvicorn process serving MarketMate; returns its port once `/healthz` answers."""
    port = port or free_port()
    log = log_dir / f"uvicorn-{port}.log"
    process = processes.start(
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
        env=env,
        log=log,
    )

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    wait_until(up, timeout=60, what=f"the server on port {port}")
    return port


def celery_worker(
    processes: Processes,
    *,
    env: dict[str, str],
    log: Path,
    queue: str,
    concurrency: int = 1,
    include: str = "",
) -> subprocess.Popen:  # type: ignore[type-arg]
    command = [sys.executable, "-m", "celery", "-A", "marketmate", "worker"]
    command += ["--pool", "prefork", "--concurrency", str(concurrency), "-Q", queue]
    command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    command += ["--without-heartbeat", "-n", f"{queue}-{time.time_ns()}@%h"]
    if include:
        command += ["--include", include]
    return processes.start(command, env=env, log=log)
