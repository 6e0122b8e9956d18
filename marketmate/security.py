"""Writes of the platform's security records (the IP block-list)."""

import ipaddress
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from marketmate.audit import audit_record
from marketmate.errors import ApplicationError
from marketmate.models import BlockedNetwork
from marketmate.network import BLOCKLIST_CACHE_KEY


def _blocklist_changed() -> None:
    transaction.on_commit(lambda: cache.delete(BLOCKLIST_CACHE_KEY))


@transaction.atomic
def blocked_network_add(
    *, network: str, reason: str, actor: AbstractBaseUser | None, expires_at: datetime | None = None
) -> BlockedNetwork:
    """Block an address or network (normalised, e.g. `203.0.113.7/32`); audited."""
    try:
        normalised = str(ipaddress.ip_network(network.strip(), strict=False))
    except ValueError as error:
        raise ApplicationError(
            _("Enter an IP address or a network."),
            fields={"network": [_("Enter an IP address or a network.")]},
        ) from error
    blocked, _created = BlockedNetwork.objects.update_or_create(
        network=normalised,
        defaults={
            "reason": reason,
            "expires_at": expires_at,
            "created_by_id": actor.pk if actor else None,
        },
    )
    audit_record(actor=actor, action="security.block", entity=blocked, reason=reason)
    _blocklist_changed()
    return blocked


@transaction.atomic
def blocked_network_remove(
    *, blocked: BlockedNetwork, actor: AbstractBaseUser | None, reason: str = ""
) -> None:
    audit_record(actor=actor, action="security.unblock", entity=blocked, reason=reason)
    blocked.delete()
    _blocklist_changed()
