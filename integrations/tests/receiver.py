"""A real HTTP receiver on loopback for the webhook tests: it records every request and answers
with the status the test chose (by path), or redirects, or is slow."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    base_url: str
    requests: list[Received] = field(default_factory=list)
    # path -> status to answer; 302 also sends a Location header.
    statuses: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def received(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]


@contextmanager
def receiver_running() -> Iterator[Receiver]:
    receiver = Receiver(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(
                Received(path=self.path, headers=dict(self.headers.items()), body=body)
            )
            status = receiver.statuses.get(self.path, 200)
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("Location", receiver.url("/followed"))
            payload = b"x" * 200_000 if self.path == "/huge" else b"ok"
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
