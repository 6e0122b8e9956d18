"""Payment gateways: Stripe when `STRIPE_SECRET_KEY` is set, the test-mode dummy otherwise."""

from django.conf import settings

from payments.gateways.base import PaymentGateway
from payments.gateways.dummy import DummyGateway
from payments.gateways.stripe import StripeGateway
from payments.models import Provider


def gateway_for(provider: str) -> PaymentGateway:
    """The gateway of `provider` (a payment keeps the one it was created with)."""
    if provider == Provider.STRIPE:
        return StripeGateway()
    return DummyGateway()


def gateway_get() -> PaymentGateway:
    """The gateway new payments use, read from the settings at call time."""
    return gateway_for(Provider.STRIPE if settings.STRIPE_SECRET_KEY else Provider.DUMMY)
