from decimal import Decimal

import factory
from django.utils import timezone

from orders.tests.factories import OrderFactory
from payments.models import CommissionRate, LedgerAccount, LedgerEntry, Payment, Provider, Refund
from shops.tests.factories import ShopFactory


class CommissionRateFactory(factory.django.DjangoModelFactory[CommissionRate]):
    class Meta:
        model = CommissionRate

    percent = Decimal("10")
    fixed_fee = Decimal("0")


class PaymentFactory(factory.django.DjangoModelFactory[Payment]):
    """A succeeded test-mode payment; pass `orders=[...]` to attach orders."""

    class Meta:
        model = Payment
        skip_postgeneration_save = True

    buyer = factory.SubFactory("accounts.tests.factories.UserFactory")
    checkout_reference = factory.Faker("uuid4")
    provider = Provider.DUMMY
    amount = Decimal("20.00")
    currency = "USD"
    status = Payment.Status.SUCCEEDED
    succeeded_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def orders(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.orders.set(extracted)  # type: ignore[arg-type]


class RefundFactory(factory.django.DjangoModelFactory[Refund]):
    """A refund the gateway confirmed, of 5.00 on an order."""

    class Meta:
        model = Refund

    order = factory.SubFactory(OrderFactory)
    payment = factory.SubFactory(
        PaymentFactory,
        buyer=factory.SelfAttribute("..order.buyer"),
        amount=factory.SelfAttribute("..order.total"),
        currency=factory.SelfAttribute("..order.currency"),
    )
    amount = Decimal("5.00")
    currency = factory.SelfAttribute("order.currency")
    status = Refund.Status.SUCCEEDED
    confirmed_at = factory.LazyFunction(timezone.now)


class LedgerEntryFactory(factory.django.DjangoModelFactory[LedgerEntry]):
    """A commission entry of -2.00 on an order (the platform takes 2.00)."""

    class Meta:
        model = LedgerEntry

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    kind = LedgerEntry.Kind.COMMISSION
    amount = Decimal("-2.00")
    currency = factory.SelfAttribute("order.currency")
    reference = factory.Sequence(lambda n: f"test-entry:{n}")
    description = "Test entry"
    available_at = factory.LazyFunction(timezone.now)


class LedgerAccountFactory(factory.django.DjangoModelFactory[LedgerAccount]):
    """A shop's account in the journal."""

    class Meta:
        model = LedgerAccount

    kind = LedgerAccount.Kind.SHOP
    shop = factory.SubFactory(ShopFactory)
