"""The id of the request (or job) being served, visible to logging from anywhere in the call,
and the credential it acts through (an API key), which the audit log records beside the actor."""

import contextvars
import re
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_credential: contextvars.ContextVar[str] = contextvars.ContextVar("credential", default="")

# An incoming X-Request-ID is kept only when it is short and plain, so it cannot forge log lines.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_get() -> str:
    return _request_id.get()


def request_id_set(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def request_id_reset(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


def request_id_from_header(value: str | None) -> str:
    """The caller's request id when it is acceptable, a new one otherwise."""
    if value and _ACCEPTABLE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def credential_get() -> str:
    """What the current request acts through besides the user's own sign-in, e.g.
    `"api_key:3f9a1c2e"`; empty for a person signed in themselves."""
    return _credential.get()


def credential_set(value: str) -> None:
    """Set for the rest of the request; `RequestIdMiddleware` clears it when the request ends."""
    _credential.set(value)
