"""E-mail for every app: rendered and sent by a background job, never inside a request."""

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from notifications.tasks import send_email_task


def email_send(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str | None = None,
    key: str | None = None,
) -> str:
    """Send the e-mail `emails/<template>` to `to` after the current transaction commits.

    `context` holds JSON values only (the job renders the templates). `language` is the
    recipient's language; `key` makes the send happen once however often it is asked for
    (e.g. `f"order-paid:{order.pk}"`); without one, each call sends one e-mail. Returns the key.
    """
    effect_key = f"email:{template}:{key}" if key else f"email:{template}:{uuid.uuid4().hex}"
    payload = {
        "to": to,
        "template": template,
        "context": dict(context),
        "language": language,
        "key": effect_key,
    }
    transaction.on_commit(lambda: send_email_task.delay(**payload))
    return effect_key
