"""Reads of accounts, scoped to who asks."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Address, User
from marketmate.errors import NotFoundError


def address_list_for_user(*, user: User) -> QuerySet[Address]:
    """The address book of `user`, defaults first."""
    return Address.objects.filter(user=user)


def address_get_for_user(*, user: User, address_id: int | str) -> Address:
    """The address `address_id` of `user`; another user's address is not found."""
    try:
        return Address.objects.select_related("user").get(user=user, pk=int(address_id))
    except (Address.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Address not found.")) from None


def address_default_for_user(*, user: User, kind: str) -> Address | None:
    """The default `shipping` or `billing` address of `user`, if they have one."""
    field = {"shipping": "is_default_shipping", "billing": "is_default_billing"}[kind]
    return Address.objects.filter(user=user, **{field: True}).first()


def user_is_verified(*, user: User) -> bool:
    """Whether `user` has confirmed their e-mail address (needed to open a shop or check out)."""
    return bool(user.is_authenticated and user.verified)
