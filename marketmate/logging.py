"""Log formatting: JSON lines in production, readable lines in development, both with the
request id of the request or job that wrote them."""

import logging

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from marketmate.request_context import request_id_get


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line, with `time`, `level`, `logger`, `message` and `request_id`."""
