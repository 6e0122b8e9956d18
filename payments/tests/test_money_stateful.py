"""Property-based, stateful: random sequences of multi-shop checkouts (shop and platform
coupons, shipping, tax), payments, partial, per-line and full refunds, disputes opened, won and
lost (with the provider's fee, returned or not on a win), payouts run, paid and failed, in a
zero-decimal (JPY), a two-decimal (USD) and a three-decimal (BHD) currency, with a platform
free-shipping coupon as well.

After every step: every journal transaction balances; every shop's account equals the sum of
its entries and sales - commission - refunds - chargebacks - payouts (the reconciliation finds
nothing); nothing is refunded beyond what was paid less disputes; every amount is a whole
number of its currency's minor units."""

import contextlib
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory
from marketmate.money import money_is_whole, money_round, quantum
from orders.models import Order, OrderLine, Promotion
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import checkout_place
from orders.tests.factories import PromotionFactory, ShippingMethodFactory, TaxRateFactory
from payments.exceptions import RefundConflictError, RefundError
from payments.models import Dispute, LedgerEntry, LedgerPosting, Payment, Payout, Refund
from payments.services.disputes import dispute_lost, dispute_open, dispute_won
from payments.services.ledger import ledger_disputed_amount
from payments.services.payments import payment_confirm_card, payments_create
from payments.services.payouts import payout_mark_failed, payout_mark_paid, payouts_run
from payments.services.reconciliation import ledger_reconcile
from payments.services.refunds import refund_request
from payments.tests.conftest import ADDRESS
from shops.tests.factories import ShopFactory

PRICES = {
    "USD": ["0.10", "2.17", "17.67", "53.00"],
    "JPY": ["1", "33", "999", "5300"],
    "BHD": ["0.005", "1.235", "17.671", "53.000"],
}
SHIPPING = {"USD": Decimal("4.99"), "JPY": Decimal("5"), "BHD": Decimal("1.125")}


class MoneyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.buyer = UserFactory(verified=True)
        TaxRateFactory(country="US", rate=Decimal("0.0725"))
        self.shops = []
        self.variants: dict[int, list] = {}
        for currency in ("USD", "USD", "JPY", "BHD"):
            shop = ShopFactory(currency=currency)
            ShippingMethodFactory(shop=shop, price=SHIPPING[currency])
            self.shops.append(shop)
            self.variants[shop.pk] = [
                VariantFactory(product__shop=shop, price=Decimal(price), inventory_count=10**6)
                for price in PRICES[currency]
            ]
            PromotionFactory(shop=shop, code=f"SHOP{shop.pk}", currency=currency)
        PromotionFactory(code="PLATFORM15", value=Decimal("15"))
        PromotionFactory(code="SHIPFREE", kind=Promotion.Kind.FREE_SHIPPING, currency="")
        self.disputes = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- steps ---------------------------------------------------------------------------------
    @rule(
        picks=st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 4)),
            min_size=1,
            max_size=4,
        ),
        coupon=st.sampled_from(["", "PLATFORM15", "SHOP", "SHIPFREE"]),
    )
    def checkout_and_pay(self, picks, coupon) -> None:
        cart = cart_get_or_create(user=self.buyer, session={})  # type: ignore[arg-type]
        for shop_index, variant_index, quantity in picks:
            shop = self.shops[shop_index]
            variant = self.variants[shop.pk][variant_index]
            cart_item_add(cart=cart, variant_id=variant.pk, quantity=quantity)
        code = f"SHOP{self.shops[picks[0][0]].pk}" if coupon == "SHOP" else coupon
        if coupon == "PLATFORM15" and any(shop_index >= 2 for shop_index, _v, _q in picks):
            code = ""  # the platform coupon is in USD; the last shops sell in yen and dinars
        result = checkout_place(
            buyer=self.buyer, cart=cart, address=dict(ADDRESS), coupon_code=code
        )
        for payment in payments_create(
            buyer=self.buyer, order_ids=[order.pk for order in result.orders]
        ):
            payment_confirm_card(payment=payment, card_number="4242424242424242")

    def _paid_orders(self) -> list[Order]:
        return list(
            Order.objects.filter(
                buyer=self.buyer,
                status__in=[
                    Order.Status.PAID,
                    Order.Status.SHIPPED,
                    Order.Status.PARTIALLY_REFUNDED,
                ],
            ).order_by("pk")
        )

    @precondition(lambda self: Order.objects.exists())
    @rule(index=st.integers(0, 50), share=st.fractions(min_value=0, max_value=1))
    def refund_part(self, index, share) -> None:
        orders = self._paid_orders()
        if not orders:
            return
        order = orders[index % len(orders)]
        amount = Decimal(share.numerator) * order.total / Decimal(share.denominator)
        amount = money_round(amount, order.currency)
        with contextlib.suppress(RefundError, RefundConflictError):
            refund_request(actor=order.shop.owner, order=order, amount=amount)

    @precondition(lambda self: Order.objects.exists())
    @rule(index=st.integers(0, 50), units=st.integers(1, 4))
    def refund_line(self, index, units) -> None:
        orders = self._paid_orders()
        if not orders:
            return
        order = orders[index % len(orders)]
        line = order.lines.order_by("pk").first()
        with contextlib.suppress(RefundError, RefundConflictError):
            refund_request(
                actor=order.shop.owner,
                order=order,
                lines=[{"line_id": line.pk, "quantity": units}],
            )

    @precondition(lambda self: Order.objects.exists())
    @rule(index=st.integers(0, 50))
    def refund_everything_left(self, index) -> None:
        orders = self._paid_orders()
        if not orders:
            return
        order = orders[index % len(orders)]
        with contextlib.suppress(RefundError, RefundConflictError):
            refund_request(actor=order.shop.owner, order=order)

    @precondition(lambda self: Payment.objects.exists())
    @rule(
        index=st.integers(0, 50),
        share=st.fractions(min_value=0, max_value=1),
        fee_units=st.sampled_from([0, 1, 1500]),
    )
    def dispute(self, index, share, fee_units) -> None:
        payments = list(Payment.objects.exclude(dispute_status="open").order_by("pk"))
        if not payments:
            return
        payment = payments[index % len(payments)]
        amount = Decimal(share.numerator) * payment.amount / Decimal(share.denominator)
        amount = money_round(amount, payment.currency)
        self.disputes += 1
        fee = fee_units * quantum(payment.currency)
        dispute_open(payment=payment, dispute_id=f"dp_{self.disputes}", amount=amount, fee=fee)

    @precondition(lambda self: Payment.objects.filter(dispute_status="open").exists())
    @rule(won=st.booleans(), fee_back=st.booleans())
    def dispute_decided(self, won, fee_back) -> None:
        payment = Payment.objects.filter(dispute_status="open").order_by("pk").first()
        assert payment is not None
        open_dispute = (
            Dispute.objects.filter(payment=payment, status=Dispute.Status.OPEN)
            .order_by("-pk")
            .first()
        )
        dispute_id = open_dispute.provider_dispute_id if open_dispute else "dp_none"
        if won:
            fee = Dispute.objects.filter(provider_dispute_id=dispute_id).values_list(
                "fee", flat=True
            ).first() or Decimal(0)
            dispute_won(
                payment=payment,
                dispute_id=dispute_id,
                amount=Decimal(0),
                fee_returned=fee if fee_back else Decimal(0),
            )
        else:
            dispute_lost(payment=payment, dispute_id=dispute_id)

    @rule()
    def run_payouts(self) -> None:
        payouts_run(minimum=Decimal("1"))

    @precondition(lambda self: Payout.objects.filter(status=Payout.Status.PENDING).exists())
    @rule(paid=st.booleans())
    def settle_payout(self, paid) -> None:
        payout = Payout.objects.filter(status=Payout.Status.PENDING).order_by("pk").first()
        assert payout is not None
        if paid:
            payout_mark_paid(payout=payout)
        else:
            payout_mark_failed(payout=payout, message="Bank account closed")

    # --- invariants ----------------------------------------------------------------------------
    @invariant()
    def every_transaction_balances(self) -> None:
        unbalanced = (
            LedgerPosting.objects.values("transaction_id", "currency")
            .annotate(total=Sum("amount"))
            .exclude(total=0)
        )
        assert list(unbalanced) == []

    @invariant()
    def the_ledger_reconciles(self) -> None:
        assert ledger_reconcile() == []

    @invariant()
    def nothing_goes_back_beyond_what_was_paid(self) -> None:
        for order in Order.objects.all():
            disputed = ledger_disputed_amount(order=order)
            assert order.refunded_amount + disputed <= order.total
            pending = Refund.objects.filter(order=order, status=Refund.Status.PENDING).count()
            assert pending == 0
        for payment in Payment.objects.all():
            assert payment.amount_refunded <= payment.amount

    @invariant()
    def amounts_are_whole_minor_units(self) -> None:
        for amount, currency in LedgerEntry.objects.values_list("amount", "currency"):
            assert money_is_whole(amount, currency)
        for amount, currency in Refund.objects.values_list("amount", "currency"):
            assert money_is_whole(amount, currency)
        for total, currency in Order.objects.values_list("total", "currency"):
            assert money_is_whole(total, currency)
        for amount, currency in LedgerPosting.objects.values_list("amount", "currency"):
            assert money_is_whole(amount, currency)
        for amount, currency in Payment.objects.values_list("amount", "currency"):
            assert money_is_whole(amount, currency)
        for amount, currency in Payout.objects.values_list("amount", "currency"):
            assert money_is_whole(amount, currency)
        for line in OrderLine.objects.select_related("order"):
            for amount in (line.unit_price, line.subtotal, line.discount, line.tax, line.total):
                assert money_is_whole(amount, line.order.currency)
        for order in Order.objects.all():
            for amount in (order.shipping, order.discount, order.platform_discount, order.tax):
                assert money_is_whole(amount, order.currency)

    @invariant()
    def a_dispute_fee_comes_back_at_most_once_and_never_more(self) -> None:
        for dispute in Dispute.objects.all():
            assert 0 <= dispute.fee_returned <= dispute.fee


@pytest.mark.django_db
def test_money_stays_consistent_whatever_happens(settings) -> None:
    settings.PAYMENTS_HOLD_DAYS = 0

    run_state_machine_as_test(
        MoneyMachine,
        settings=hypothesis_settings(
            max_examples=8,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
