"""Writes of shop API keys and outbound webhooks.

Keys: created by an owner or manager, shown once, stored as a hash, revocable at once, and
revoked with the membership of the member who created them.

Webhooks: every event a shop's endpoint subscribed to becomes one `WebhookDelivery` per endpoint
in the transaction of the change, and is sent by a Celery job after commit. A failed attempt is
tried again on `OUTBOUND_WEBHOOKS_RETRY_SCHEDULE` (about three days in all); a success ends it.
An endpoint whose deliveries have failed for `OUTBOUND_WEBHOOKS_DISABLE_AFTER_SECONDS` (a day)
is disabled and its shop's owner told by e-mail and notification.
"""

import base64
import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from standardwebhooks import Webhook

from accounts.models import User
from integrations import outbound
from integrations.exceptions import IntegrationInvalidError
from integrations.models import (
    Scope,
    ShopApiKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from integrations.selectors import endpoints_subscribed
from integrations.tasks import webhook_deliver_task
from marketmate.audit import audit_record
from shops.models import Shop
from shops.roles import ROLES_SETTINGS
from shops.selectors import shop_member_get, shop_members_list

logger = logging.getLogger(__name__)

# The version of the JSON payloads: a breaking change to any event's `data` raises it.
PAYLOAD_VERSION = "2026-12-01"
TEST_EVENT = "webhook.test"
KEY_PREFIX_BYTES = 4


# --- API keys ------------------------------------------------------------------------------


def api_key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _scopes_check(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in Scope.values]
    if not chosen or unknown:
        raise IntegrationInvalidError(
            _("Choose at least one of the scopes offered."),
            fields={"scopes": [_("Choose scopes from the list.")]},
        )
    return chosen


@transaction.atomic
def api_key_create(
    *,
    shop: Shop,
    actor: User,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
) -> tuple[ShopApiKey, str]:
    """Create a key for `shop`; returns it with the full key, which is never stored or shown
    again. Only owners and managers create keys (ShopRoleRequiredError otherwise)."""
    shop_member_get(user=actor, shop_id=shop.pk, roles=ROLES_SETTINGS)
    if expires_at is not None and expires_at <= timezone.now():
        raise IntegrationInvalidError(
            _("The expiry date must be in the future."),
            fields={"expires_at": [_("Choose a date in the future.")]},
        )
    prefix = secrets.token_hex(KEY_PREFIX_BYTES)
    raw_key = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ShopApiKey(
        shop=shop,
        name=name.strip(),
        prefix=prefix,
        hashed_key=api_key_hash(raw_key),
        scopes=_scopes_check(scopes),
        created_by=actor,
        expires_at=expires_at,
    )
    try:
        key.full_clean()
    except ValidationError as exc:
        raise IntegrationInvalidError(
            _("The key has invalid fields."), fields=exc.message_dict
        ) from exc
    key.save()
    audit_record(
        actor=actor,
        action="api_key.create",
        entity=key,
        changes={"scopes": (None, key.scopes), "expires_at": (None, expires_at)},
    )
    return key, raw_key


def api_key_revoke(*, api_key: ShopApiKey, actor: User | None, reason: str = "") -> ShopApiKey:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    with transaction.atomic():
        locked = ShopApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_reason = reason[:200]
            locked.save(update_fields=["revoked_at", "revoked_reason"])
            audit_record(
                actor=actor,
                action="api_key.revoke",
                entity=locked,
                changes={"revoked_at": (None, locked.revoked_at)},
                reason=reason,
            )
    return locked


def api_keys_revoke_for_member(*, shop_id: int, user_id: int) -> int:
    """Revoke the keys of shop `shop_id` that user `user_id` created: a removed member's keys
    must not outlive their membership. Returns how many were revoked."""
    keys = ShopApiKey.objects.filter(shop_id=shop_id, created_by_id=user_id, revoked_at=None)
    revoked = 0
    for key in keys:
        api_key_revoke(api_key=key, actor=None, reason="the member who created it left the shop")
        revoked += 1
    return revoked


def api_key_touch(*, api_key: ShopApiKey, now: datetime | None = None) -> None:
    """Record a use, at most once a minute per key (not one write per request)."""
    now = now or timezone.now()
    ShopApiKey.objects.filter(pk=api_key.pk).exclude(
        last_used_at__gt=now - timedelta(minutes=1)
    ).update(last_used_at=now)


# --- Webhook endpoints ---------------------------------------------------------------------


def _events_check(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    if not chosen or any(event not in WebhookEvent.values for event in chosen):
        raise IntegrationInvalidError(
            _("Choose at least one of the events offered."),
            fields={"events": [_("Choose events from the list.")]},
        )
    return chosen


def _url_check(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise IntegrationInvalidError(
            _("Enter a valid address."), fields={"url": [_("Enter a valid address.")]}
        ) from exc
    outbound.url_resolve(url)
    return url


def webhook_secret_generate() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@transaction.atomic
def webhook_endpoint_create(
    *, shop: Shop, actor: User, url: str, events: Iterable[str], description: str = ""
) -> WebhookEndpoint:
    """Subscribe `url` to `events` of `shop`; its `secret` is shown to the caller once."""
    shop_member_get(user=actor, shop_id=shop.pk, roles=ROLES_SETTINGS)
    endpoint = WebhookEndpoint(
        shop=shop,
        url=_url_check(url),
        events=_events_check(events),
        description=description.strip(),
        secret=webhook_secret_generate(),
        created_by=actor,
    )
    endpoint.save()
    audit_record(
        actor=actor,
        action="webhook_endpoint.create",
        entity=endpoint,
        changes={"url": (None, endpoint.url), "events": (None, endpoint.events)},
    )
    return endpoint


ENDPOINT_EDITABLE_FIELDS = ("url", "events", "description", "is_active")


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, actor: User | None, data: Mapping[str, Any]
) -> WebhookEndpoint:
    """Change an endpoint's address, events, description, or switch it on or off.

    Switching it back on forgets the failures that disabled it.
    """
    unknown = set(data) - set(ENDPOINT_EDITABLE_FIELDS)
    if unknown:
        raise IntegrationInvalidError(
            _("These fields cannot be changed."),
            fields={field: [_("Cannot be changed.")] for field in sorted(unknown)},
        )
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {field: getattr(locked, field) for field in ENDPOINT_EDITABLE_FIELDS}
    if "url" in data:
        locked.url = _url_check(data["url"])
    if "events" in data:
        locked.events = _events_check(data["events"])
    if "description" in data:
        locked.description = str(data["description"]).strip()
    if "is_active" in data:
        locked.is_active = bool(data["is_active"])
        if locked.is_active and not before["is_active"]:
            locked.disabled_at = None
            locked.disabled_reason = ""
            locked.failing_since = None
        elif not locked.is_active and before["is_active"]:
            locked.disabled_at = timezone.now()
            locked.disabled_reason = _("Switched off by the shop.")
    changes = {
        field: (before[field], getattr(locked, field))
        for field in ENDPOINT_EDITABLE_FIELDS
        if before[field] != getattr(locked, field)
    }
    if changes:
        locked.save(
            update_fields=[
                *changes,
                "disabled_at",
                "disabled_reason",
                "failing_since",
                "updated",
            ]
        )
        audit_record(actor=actor, action="webhook_endpoint.update", entity=locked, changes=changes)
    return locked


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="webhook_endpoint.delete",
        entity=endpoint,
        changes={"url": (endpoint.url, None)},
    )
    endpoint.delete()


@transaction.atomic
def webhook_endpoint_disable(
    *, endpoint: WebhookEndpoint, actor: User | None, reason: str
) -> WebhookEndpoint:
    """Stop sending to an endpoint (staff, or a day of failures); pending deliveries fail."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not locked.is_active:
        return locked
    locked.is_active = False
    locked.disabled_at = timezone.now()
    locked.disabled_reason = reason[:200]
    locked.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated"])
    WebhookDelivery.objects.filter(endpoint=locked, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None
    )
    audit_record(
        actor=actor,
        action="webhook_endpoint.disable",
        entity=locked,
        changes={"is_active": (True, False)},
        reason=reason,
    )
    return locked


# --- Deliveries ----------------------------------------------------------------------------


def _delivery_enqueue(delivery_id: int) -> None:
    transaction.on_commit(lambda: webhook_deliver_task.delay(delivery_id))


def _delivery_create(
    *, endpoint: WebhookEndpoint, event: str, data: Mapping[str, Any], now: datetime
) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id=f"msg_{uuid.uuid4().hex}",
        event=event,
        payload={
            "type": event,
            "timestamp": now.isoformat(),
            "version": PAYLOAD_VERSION,
            "data": json.loads(json.dumps(dict(data), cls=DjangoJSONEncoder)),
        },
        next_attempt_at=now,
    )
    _delivery_enqueue(delivery.pk)
    return delivery


def webhook_event_publish(
    *, shop_id: int, event: str, data: Mapping[str, Any]
) -> list[WebhookDelivery]:
    """One delivery of `event` with `data` to each active endpoint of the shop that wants it,
    sent after the current transaction commits."""
    now = timezone.now()
    with transaction.atomic():
        return [
            _delivery_create(endpoint=endpoint, event=event, data=data, now=now)
            for endpoint in endpoints_subscribed(shop_id=shop_id, event=event)
        ]


def webhook_test_send(*, endpoint: WebhookEndpoint, actor: User | None) -> WebhookDelivery:
    """Send a `webhook.test` event to `endpoint` (active or not), to check the receiver."""
    with transaction.atomic():
        return _delivery_create(
            endpoint=endpoint,
            event=TEST_EVENT,
            data={"shop_id": endpoint.shop_id, "endpoint_id": endpoint.pk},
            now=timezone.now(),
        )


def webhook_redeliver(*, delivery: WebhookDelivery, actor: User | None) -> WebhookDelivery:
    """Send a delivery again with the same `webhook-id` (receivers see it is the same message)."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        locked.status = WebhookDelivery.Status.PENDING
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "next_attempt_at", "updated"])
        audit_record(
            actor=actor,
            action="webhook_delivery.redeliver",
            entity=locked,
            changes={"status": (delivery.status, locked.status)},
        )
        _delivery_enqueue(locked.pk)
    return locked


def _retry_delay(attempt_count: int) -> timedelta | None:
    """How long after attempt number `attempt_count` failed to try again; None to give up."""
    schedule = list(settings.OUTBOUND_WEBHOOKS_RETRY_SCHEDULE)
    if attempt_count > len(schedule):
        return None
    return timedelta(seconds=int(schedule[attempt_count - 1]))


def webhook_signed_request(
    *, delivery: WebhookDelivery, secret: str, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and Standard Webhooks headers of one attempt of `delivery`."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    signature = Webhook(secret).sign(msg_id=delivery.message_id, timestamp=now, data=body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MarketMate-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return body, headers


def webhook_delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """Make one attempt of a delivery that is due; returns what happened.

    The delivery is claimed (its next attempt moved past the request's time limit) in a short
    transaction, so two workers never send it at once and no database lock is held during the
    HTTP request. Safe to run twice: a delivery that is not due is left alone.
    """
    now = now or timezone.now()
    timeout = int(settings.OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(
                pk=delivery_id,
                status=WebhookDelivery.Status.PENDING,
                next_attempt_at__lte=now,
            )
            .first()
        )
        if delivery is None:
            return "not_due"
        endpoint = delivery.endpoint
        if not endpoint.is_active and delivery.event != TEST_EVENT:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at", "updated"])
            return "endpoint_disabled"
        delivery.attempt_count += 1
        delivery.next_attempt_at = now + timedelta(seconds=timeout * 3)
        delivery.save(update_fields=["attempt_count", "next_attempt_at", "updated"])
    body, headers = webhook_signed_request(delivery=delivery, secret=endpoint.secret, now=now)
    answer = outbound.post(url=endpoint.url, body=body, headers=headers)
    succeeded = answer.status_code is not None and 200 <= answer.status_code < 300
    error = answer.error
    if answer.status_code is not None and not succeeded:
        error = _("The receiver answered %(status)s.") % {"status": answer.status_code}
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempt_count,
            started=now,
            duration_ms=answer.duration_ms,
            request_headers={k: v for k, v in headers.items() if k != "webhook-signature"},
            status_code=answer.status_code,
            response_body=answer.body,
            error=error[:300],
        )
        delay = None if succeeded else _retry_delay(delivery.attempt_count)
        if succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.next_attempt_at = None
        elif delay is None:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + delay
        delivery.last_status_code = answer.status_code
        delivery.save(update_fields=["status", "next_attempt_at", "last_status_code", "updated"])
        if delivery.event != TEST_EVENT:
            _endpoint_health_record(endpoint_id=endpoint.pk, succeeded=succeeded, now=now)
    if delay is not None:
        countdown = int(delay.total_seconds())
        transaction.on_commit(
            lambda: webhook_deliver_task.apply_async(args=(delivery.pk,), countdown=countdown)
        )
    return "succeeded" if succeeded else ("retrying" if delay is not None else "failed")


def _endpoint_health_record(*, endpoint_id: int, succeeded: bool, now: datetime) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if succeeded:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since", "updated"])
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since", "updated"])
        return
    failing_for = now - endpoint.failing_since
    if endpoint.is_active and failing_for >= timedelta(
        seconds=int(settings.OUTBOUND_WEBHOOKS_DISABLE_AFTER_SECONDS)
    ):
        webhook_endpoint_disable(
            endpoint=endpoint, actor=None, reason="its deliveries failed for a day"
        )
        _owners_tell_disabled(endpoint)


def _owners_tell_disabled(endpoint: WebhookEndpoint) -> None:
    """Tell the shop's owners and managers, in the app and by e-mail (the default channels of
    `webhook_disabled`), that the endpoint was disabled."""
    from notifications.services import notification_dispatch

    members = shop_members_list(shop=endpoint.shop).filter(role__in=list(ROLES_SETTINGS))
    for member in members:
        user = member.user
        with override(user.language or settings.LANGUAGE_CODE):
            title = _("A webhook endpoint of %(shop)s was disabled") % {"shop": endpoint.shop.name}
            body = _(
                "Deliveries to %(url)s failed for a day, so MarketMate stopped sending to it. "
                "Fix the receiver, then switch the endpoint on again in the dashboard."
            ) % {"url": endpoint.url}
        link = reverse("dashboard_integrations:endpoint_detail", args=[endpoint.pk])
        notification_dispatch(
            user=user,
            kind="webhook_disabled",
            title=title,
            body=body,
            link=link,
            data={"endpoint_id": endpoint.pk},
            key=f"webhook-disabled:{endpoint.pk}:{endpoint.disabled_at}",
        )


def webhook_deliveries_due_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue the pending deliveries whose next attempt is due: what makes delivery
    at-least-once when a queued job was lost (worker crash, broker restart)."""
    at = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=at
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        # A given `now` (a test moving the clock) travels with the job; otherwise each attempt
        # signs with its own time, as receivers reject old timestamps.
        webhook_deliver_task.delay(delivery_id, now.isoformat() if now else None)
    return len(due)
