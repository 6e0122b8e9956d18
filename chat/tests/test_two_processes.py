"""channels-redis joins separate server processes: a message sent through one reaches a
socket held by another. Two real ASGI servers (uvicorn) run as subprocesses on loopback."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 40
EVENT_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _test_database_url() -> str:
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


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[int, int]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketmate.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", settings.REDIS_URL),
        "PYTHONUNBUFFERED": "1",
    }
    ports = (_free_port(), _free_port())
    logs = [tmp_path / f"server-{port}.log" for port in ports]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "marketmate.asgi:application",
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


async def _next_of_type(connection: Any, event_type: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(await connection.recv())
        if event["type"] == event_type:
            return event


def test_a_message_sent_through_one_process_reaches_a_socket_on_another(
    two_servers: tuple[int, int], conversation: Conversation, buyer: User, owner: User
) -> None:
    port_a, port_b = two_servers
    buyer_token = str(RefreshToken.for_user(buyer).access_token)
    vendor_token = str(RefreshToken.for_user(owner).access_token)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with (
            websockets.connect(f"ws://127.0.0.1:{port_a}/ws/?token={buyer_token}") as at_a,
            websockets.connect(f"ws://127.0.0.1:{port_b}/ws/?token={vendor_token}") as at_b,
        ):
            await _next_of_type(at_a, "session:ready")
            await _next_of_type(at_b, "session:ready")
            room = f"shop:{conversation.shop_id}"
            await at_b.send(json.dumps({"type": "room:join", "room": room}))
            await _next_of_type(at_b, "room:joined")
            await at_a.send(
                json.dumps(
                    {
                        "type": "chat:send",
                        "conversation_id": conversation.pk,
                        "body": "Sent through process A",
                    }
                )
            )
            acknowledged = await _next_of_type(at_a, "chat:sent")
            delivered = await _next_of_type(at_b, "chat:message")
            return acknowledged, delivered

    acknowledged, delivered = asyncio.run(asyncio.wait_for(scenario(), EVENT_SECONDS * 3))

    message = Message.objects.get()
    assert acknowledged["message_id"] == message.pk
    assert delivered["conversation_id"] == conversation.pk
    assert delivered["message"]["id"] == message.pk
    assert delivered["message"]["body"] == "Sent through process A"
    assert delivered["message"]["sender_name"] == "Bea Buyer"
