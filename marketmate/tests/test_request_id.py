import logging
import re

import pytest
from django.test import Client

from marketmate.logging import JsonFormatter, RequestIdFilter
from marketmate.request_context import request_id_from_header, request_id_reset, request_id_set

pytestmark = pytest.mark.django_db


def test_a_request_without_an_id_gets_a_new_one_in_the_response(client: Client) -> None:
    response = client.get("/healthz")

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_callers_request_id_is_returned_unchanged(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a.42")

    assert response["X-Request-ID"] == "edge-7f3a.42"


@pytest.mark.parametrize("forged", ["a" * 129, "two words", "line\nbreak", "<script>"])
def test_an_unacceptable_request_id_is_replaced(client: Client, forged: str) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=forged)

    assert response["X-Request-ID"] != forged
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_gets_its_own_id(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert first != second


def test_log_lines_carry_the_request_id_as_json() -> None:
    record = logging.LogRecord(
        "marketmate.test", logging.INFO, __file__, 1, "paid %s", ("A1",), None
    )
    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
    )
    token = request_id_set("req-123")
    try:
        RequestIdFilter().filter(record)
        line = formatter.format(record)
    finally:
        request_id_reset(token)

    assert '"request_id": "req-123"' in line
    assert '"message": "paid A1"' in line
    assert '"level": "INFO"' in line


def test_outside_a_request_the_log_id_is_a_dash() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)

    RequestIdFilter().filter(record)

    assert record.request_id == "-"


def test_request_id_from_header_keeps_acceptable_values() -> None:
    assert request_id_from_header("abc-123") == "abc-123"
    assert len(request_id_from_header(None)) == 32
