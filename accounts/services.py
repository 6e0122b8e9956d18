"""Writes to accounts. Other apps create and change users only through these functions."""

from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    name: str = "",
    role: str = User.Role.BUYER,
    verified: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user with a hashed password (None makes the password unusable)."""
    return User.objects.create_user(
        email=email,
        password=password,
        name=name,
        role=role,
        verified=verified,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
