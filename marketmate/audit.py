"""The one way to record who did what to which entity."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from marketmate.models import AuditLog
from marketmate.request_context import credential_get, request_id_get

Changes = Mapping[str, tuple[Any, Any]]


def _json_safe(value: Any) -> Any:
    """A JSON value for `value`, without losing precision (dates keep their microseconds)."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def field_changes(
    before: Mapping[str, Any], instance: models.Model, fields: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    """The fields whose value on `instance` differs from `before`, as `{field: (old, new)}`."""
    changes = {}
    for field in fields:
        new = getattr(instance, field)
        if before.get(field) != new:
            changes[field] = (before.get(field), new)
    return changes


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    entity: models.Model,
    changes: Changes | None = None,
    reason: str = "",
) -> AuditLog:
    """Record that `actor` (None for the system) did `action` to `entity`.

    `changes` maps each changed field to its (old, new) value; values are stored as JSON.
    Call it inside the transaction of the change it records, so both commit or neither does.
    """
    return AuditLog.objects.create(
        actor_id=actor.pk if actor is not None and not actor.is_anonymous else None,
        action=action,
        entity_type=ContentType.objects.get_for_model(entity, for_concrete_model=False),
        entity_id=str(entity.pk),
        entity_repr=str(entity)[:200],
        changes={
            field: [_json_safe(old), _json_safe(new)]
            for field, (old, new) in (changes or {}).items()
        },
        reason=reason,
        request_id="" if request_id_get() == "-" else request_id_get(),
        credential=credential_get(),
    )


def audit_changes_list(*, entity: models.Model, action: str) -> list[dict[str, Any]]:
    """The `changes` of every `action` recorded on `entity`, oldest first."""
    records = AuditLog.objects.filter(
        entity_type=ContentType.objects.get_for_model(entity, for_concrete_model=False),
        entity_id=str(entity.pk),
        action=action,
    ).order_by("created", "id")
    return list(records.values_list("changes", flat=True))
