"""Where the orders app listens to Django itself (not to MarketMate's events)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from orders.services.cart import cart_merge_session_into_user


@receiver(user_logged_in, dispatch_uid="orders.cart_merge_on_login")
def cart_merge_on_login(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Signing in keeps what the shopper put in the cart while anonymous."""
    session = getattr(request, "session", None)
    if session is not None:
        cart_merge_session_into_user(session=session, user=user)
