"""E-mail plumbing of every app: `email_send` queues one e-mail for after the transaction
commits, and a background job (`marketmate.tasks.send_email_task`) renders the templates
`templates/emails/<name>_subject.txt`, `<name>.txt` and `<name>.html` in the recipient's
language and sends it once. Which notifications go out by e-mail is `notifications`' business."""

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def email_message_build(
    *, to: str, template: str, context: Mapping[str, Any], language: str | None
) -> EmailMultiAlternatives:
    full_context = {"site_name": "MarketMate", "site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", full_context)
        text = render_to_string(f"emails/{template}.txt", full_context)
        html = render_to_string(f"emails/{template}.html", full_context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


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
    from marketmate.tasks import send_email_task  # the task module renders with this one

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
