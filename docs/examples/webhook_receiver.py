"""A minimal receiver of MarketMate webhooks: verifies each delivery, ignores repeats, acts.

Run it with the endpoint's signing secret (shown once when you added the endpoint):

    pip install standardwebhooks
    WEBHOOK_SECRET=whsec_... PORT=8000 python webhook_receiver.py

and put it behind HTTPS at the address you subscribed. It only needs the Python standard library
and `standardwebhooks`, the reference implementation of the Standard Webhooks specification.
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

SECRET = os.environ["WEBHOOK_SECRET"]
PORT = int(os.environ.get("PORT", "8000"))
MAX_BODY = 1024 * 1024

# Deliveries are at least once: the same `webhook-id` can arrive again (a retry after a timeout,
# a redelivery). Keep the ids you handled in your database; a set is enough for an example.
seen_ids: set[str] = set()


def handle(event: dict) -> None:
    """Your business: here, print what happened."""
    data = event["data"]
    if event["type"].startswith("order."):
        order = data["order"]
        print(f"{event['type']}: order {order['number']} is {order['status']}", flush=True)
        if event["type"] == "order.paid":
            for line in order["lines"]:
                print(f"  ship {line['quantity']} x {line['sku']}", flush=True)
    elif event["type"] == "inventory.low":
        variant = data["variant"]
        print(f"inventory.low: {variant['sku']} has {variant['inventory_count']} left", flush=True)
    else:
        print(f"{event['type']}: {json.dumps(data)}", flush=True)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        if length > MAX_BODY:
            self.answer(413)
            return
        body = self.rfile.read(length)
        try:
            # Checks the HMAC-SHA256 signature and that the timestamp is within 5 minutes.
            event = Webhook(SECRET).verify(body, dict(self.headers.items()))
        except WebhookVerificationError:
            self.answer(400)
            return
        message_id = self.headers["webhook-id"]
        if message_id not in seen_ids:
            seen_ids.add(message_id)
            handle(event)
        # Answer 2xx quickly (within 10 s); do slow work in the background.
        self.answer(204)

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        print(format % args, file=sys.stderr)


if __name__ == "__main__":
    print(f"Listening on port {PORT}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
