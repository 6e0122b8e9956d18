"""The vendor ledger and payouts: balances are sums of entries, entries never change, commission
rates, the hold period, and payouts that never pay the same entries twice."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from catalog.tests.factories import CategoryFactory, VariantFactory
from payments.models import ConnectedAccount, LedgerEntry, Payout, PayoutItem
from payments.selectors import shop_balances, shop_ledger_total, shop_statement
from payments.services.ledger import commission_for
from payments.services.payments import payment_confirm_card, payments_create
from payments.services.payouts import (
    connected_account_link,
    payout_create,
    payout_mark_failed,
    payouts_run,
)
from payments.services.refunds import refund_request
from payments.tests.factories import CommissionRateFactory

pytestmark = pytest.mark.django_db


def _pay(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_confirm_card(payment=payment, card_number="4242424242424242")


@pytest.fixture
def no_hold(settings) -> None:
    """Sales are available for payout at once."""
    settings.PAYMENTS_HOLD_DAYS = 0


def test_a_sale_is_pending_until_the_hold_period_ends(buyer, order, shop, settings) -> None:
    settings.PAYMENTS_HOLD_DAYS = 7
    _pay(buyer, order)

    [before] = shop_balances(shop=shop)
    later = shop_balances(shop=shop, now=timezone.now() + timedelta(days=7, minutes=1))[0]

    assert (before.pending, before.available) == (Decimal("71.70"), Decimal("0.00"))
    assert (later.pending, later.available) == (Decimal("0.00"), Decimal("71.70"))


def test_the_balance_always_equals_the_sum_of_the_entries(
    no_hold, buyer, order, shop, place, variant
) -> None:
    _pay(buyer, order)
    second = place(buyer, (variant, 1)).orders[0]
    _pay(buyer, second)
    refund_request(actor=shop.owner, order=order, amount=Decimal("12.34"))
    payout_create(shop=shop, currency="USD", minimum=Decimal("1"))
    refund_request(actor=shop.owner, order=second, amount=Decimal("40.00"))

    [balance] = shop_balances(shop=shop)
    entries = list(LedgerEntry.objects.filter(shop=shop))

    assert balance.total == sum(entry.amount for entry in entries)
    assert balance.total == shop_ledger_total(shop=shop, currency="USD")
    assert balance.total == Decimal("-35.70")  # owed back after the payout: next one is less


def test_ledger_entries_cannot_be_changed_or_deleted(buyer, order) -> None:
    _pay(buyer, order)
    entry = LedgerEntry.objects.first()

    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1000.00"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_the_same_thing_is_never_posted_twice(buyer, order) -> None:
    from payments.services.ledger import ledger_post_sale

    _pay(buyer, order)

    assert ledger_post_sale(order=order) == []
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            shop=order.shop,
            kind="sale",
            amount=Decimal("1"),
            currency="USD",
            reference=f"sale:{order.pk}",
            description="again",
            available_at=timezone.now(),
        )


def test_a_shop_rate_beats_category_rates_which_beat_the_default(buyer, shop, place) -> None:
    books = CategoryFactory()
    book = VariantFactory(product__shop=shop, price=Decimal("50.00"))
    book.product.categories.add(books)
    pen = VariantFactory(product__shop=shop, price=Decimal("50.00"))
    order = place(buyer, (book, 1), (pen, 1)).orders[0]

    default = commission_for(order=order)
    CommissionRateFactory(category=books, percent=Decimal("5"), fixed_fee=Decimal("0.50"))
    by_category = commission_for(order=order)
    CommissionRateFactory(shop=shop, percent=Decimal("2"), fixed_fee=Decimal("1.00"))
    by_shop = commission_for(order=order)

    assert default == Decimal("10.30")  # 10 % of 100 + 0.30
    assert by_category == Decimal("8.00")  # 5 % of 50 + 10 % of 50 + the larger fee 0.50
    assert by_shop == Decimal("3.00")  # 2 % of 100 + 1.00


def test_a_payout_pays_the_available_balance_once(no_hold, buyer, order, shop) -> None:
    _pay(buyer, order)

    payout = payout_create(shop=shop, currency="USD", minimum=Decimal("25"))
    again = payout_create(shop=shop, currency="USD", minimum=Decimal("0.01"))

    assert payout is not None
    assert payout.amount == Decimal("71.70")
    assert payout.method == Payout.Method.MANUAL
    assert payout.status == Payout.Status.PENDING
    assert again is None
    assert shop_balances(shop=shop)[0].available == Decimal("0.00")
    assert PayoutItem.objects.filter(payout=payout).count() == 3


def test_money_in_the_hold_period_is_not_paid_out(buyer, order, shop, settings) -> None:
    settings.PAYMENTS_HOLD_DAYS = 7
    _pay(buyer, order)

    assert payout_create(shop=shop, currency="USD", minimum=Decimal("1")) is None
    assert Payout.objects.count() == 0


def test_a_balance_below_the_minimum_is_not_paid_out(no_hold, buyer, order, shop) -> None:
    _pay(buyer, order)

    assert payout_create(shop=shop, currency="USD", minimum=Decimal("100")) is None
    assert Payout.objects.count() == 0


def test_payouts_of_a_shop_on_hold_wait(no_hold, buyer, order, shop) -> None:
    _pay(buyer, order)
    shop.payouts_on_hold = True
    shop.save(update_fields=["payouts_on_hold"])

    assert payouts_run(minimum=Decimal("1")) == []
    assert Payout.objects.count() == 0


def test_a_shop_held_by_staff_is_paid_only_once_released(no_hold, buyer, order, shop) -> None:
    from accounts.tests.factories import StaffFactory
    from shops.services import shop_payouts_hold, shop_payouts_release

    staff = StaffFactory()
    _pay(buyer, order)
    stale = type(shop).objects.get(pk=shop.pk)
    shop_payouts_hold(shop=shop, actor=staff, reason="Chargeback review")

    held_run = payouts_run(minimum=Decimal("1"))
    held_stale = payout_create(shop=stale, currency="USD", minimum=Decimal("1"))
    shop_payouts_release(shop=shop, actor=staff, reason="Review closed")
    released = payouts_run(minimum=Decimal("1"))

    assert (held_run, held_stale) == ([], None)
    assert [(payout.shop, payout.amount) for payout in released] == [(shop, Decimal("71.70"))]


def test_the_scheduled_job_pays_every_shop_with_enough_and_never_twice(
    no_hold, buyer, order, shop
) -> None:
    from payments.tasks import payouts_run_task

    _pay(buyer, order)

    first = payouts_run_task.apply().get()
    second = payouts_run_task.apply().get()

    assert (first, second) == (1, 0)
    assert Payout.objects.get().amount == Decimal("71.70")


def test_a_failed_payout_is_owed_again_and_paid_by_the_next_one(
    no_hold, buyer, order, shop
) -> None:
    _pay(buyer, order)
    payout = payout_create(shop=shop, currency="USD", minimum=Decimal("1"))

    payout_mark_failed(payout=payout, message="Bank account closed")
    retry = payout_create(shop=shop, currency="USD", minimum=Decimal("1"))

    assert Payout.objects.get(pk=payout.pk).status == Payout.Status.FAILED
    assert retry is not None
    assert retry.amount == Decimal("71.70")
    assert shop_balances(shop=shop)[0].available == Decimal("0.00")


def test_a_refund_after_a_payout_is_taken_from_the_next_one(
    no_hold, buyer, order, shop, place, variant
) -> None:
    _pay(buyer, order)
    payout_create(shop=shop, currency="USD", minimum=Decimal("1"))
    refund_request(actor=shop.owner, order=order, amount=Decimal("20.00"))
    second = place(buyer, (variant, 1)).orders[0]
    _pay(buyer, second)

    payout = payout_create(shop=shop, currency="USD", minimum=Decimal("1"))

    # 40.00 - 4.30 commission, less the 20.00 refund plus its 2.08 share of commission.
    assert payout.amount == Decimal("17.78")


@pytest.mark.django_db(transaction=True)
def test_concurrent_payout_runs_pay_the_entries_once(no_hold, buyer, order, shop) -> None:
    _pay(buyer, order)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            payout_create(shop=shop, currency="USD", minimum=Decimal("1"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Payout.objects.count() == 1
    assert Payout.objects.get().amount == Decimal("71.70")


@pytest.mark.django_db(transaction=True)
def test_a_shop_with_a_connected_account_is_paid_by_stripe_transfer(
    no_hold, stripe_settings, buyer, order, shop
) -> None:
    from payments.models import Payment
    from payments.services.payments import payment_mark_succeeded

    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_mark_succeeded(payment=Payment.objects.get(pk=payment.pk))
    link = connected_account_link(shop=shop, actor=shop.owner, base_url="http://testserver/")

    payout = payout_create(shop=shop, currency="USD", minimum=Decimal("1"))

    account = ConnectedAccount.objects.get(shop=shop)
    assert link == f"https://connect.stripe.test/setup/{account.stripe_account_id}"
    assert payout.method == Payout.Method.STRIPE
    assert payout.status == Payout.Status.PAID
    assert payout.provider_transfer_id.startswith("tr_")


def test_a_monthly_statement_has_opening_and_closing_balances(buyer, order, shop) -> None:
    _pay(buyer, order)
    today = timezone.now()

    [statement] = shop_statement(shop=shop, year=today.year, month=today.month)

    assert statement.opening == Decimal("0.00")
    assert statement.closing == Decimal("71.70")
    assert [entry.kind for entry in statement.entries] == ["sale", "commission"]
