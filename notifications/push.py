"""Web push through pywebpush, signed with the VAPID keys from settings."""

import json
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from pywebpush import WebPushException, webpush

from marketmate.flags import Switch, switch_is_on
from notifications.models import PushSubscription

logger = logging.getLogger(__name__)

# The push service forgot the subscription (the browser unsubscribed or it expired).
GONE_STATUSES = {404, 410}


def push_is_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def push_send_to_user(*, user_id: int, payload: dict[str, Any]) -> dict[str, int]:
    """Send `payload` (JSON) to every push subscription of the user.

    Subscriptions the push service answers 404 or 410 for are deleted; other failures are
    raised after trying every subscription, so the job is retried. Returns the counts
    `{"sent": n, "removed": n}`.
    """
    sent = removed = 0
    if not switch_is_on(Switch.WEB_PUSH):
        # Switched off after this job was queued: nothing goes out.
        return {"sent": 0, "removed": 0}
    if not push_is_configured():
        logger.warning("Web push is not configured (VAPID keys missing); nothing sent.")
        return {"sent": 0, "removed": 0}
    failure: WebPushException | None = None
    data = json.dumps(payload)
    for subscription in PushSubscription.objects.filter(user_id=user_id):
        try:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=data,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                timeout=settings.WEBPUSH_TIMEOUT,
                ttl=60 * 60 * 24,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in GONE_STATUSES:
                subscription.delete()
                removed += 1
                continue
            logger.warning("Web push to %s failed: %s", subscription.pk, exc)
            failure = exc
            continue
        PushSubscription.objects.filter(pk=subscription.pk).update(last_used_at=timezone.now())
        sent += 1
    if failure is not None and sent == 0:
        raise failure
    return {"sent": sent, "removed": removed}
