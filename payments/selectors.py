"""Reads of payments, invoices and vendor balances, scoped to whoever asks: what is not theirs
is a 404 (a shop member whose role is not enough gets a 403)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Q, QuerySet, Sum, Window
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.errors import NotFoundError
from orders.models import Order
from orders.selectors import order_get_for_viewer, order_queryset
from payments.exceptions import InvoiceNotReadyError
from payments.models import (
    ConnectedAccount,
    Dispute,
    Invoice,
    LedgerEntry,
    Payment,
    Payout,
    Refund,
)
from shops.models import Shop
from shops.roles import ROLES_SETTINGS
from shops.selectors import shop_get_for_member, shop_member_get, shops_for_member

# Who sees a shop's money and may refund its orders: owners and managers (and staff users).
ROLES_FINANCE = ROLES_SETTINGS


def payment_get_for_buyer(*, user: User | AnonymousUser, payment_id: int) -> Payment:
    if not user.is_authenticated:
        raise NotFoundError(_("Payment not found."))
    payment = (
        Payment.objects.filter(pk=payment_id, buyer_id=user.pk)
        .prefetch_related("orders__shop")
        .first()
    )
    if payment is None:
        raise NotFoundError(_("Payment not found."))
    return payment


def order_get_for_refunder(
    *, user: User | AnonymousUser, order_id: int | None = None, number: str | None = None
) -> Order:
    """The order if `user` may refund it: staff, or the shop's owner or manager.

    Shop staff get a 403; everyone else, the buyer included, a 404."""
    if not user.is_authenticated:
        raise NotFoundError(_("Order not found."))
    lookup = Q(pk=order_id) if order_id is not None else Q(number=number or "")
    order = order_queryset().filter(lookup).first()
    if order is None:
        raise NotFoundError(_("Order not found."))
    if user.is_staff:
        return order
    try:
        shop_member_get(user=user, shop_id=order.shop_id, roles=ROLES_FINANCE)
    except NotFoundError:
        raise NotFoundError(_("Order not found.")) from None
    return order


def invoice_get_for_viewer(
    *, user: User | AnonymousUser, order_id: int | None = None, number: str | None = None
) -> Invoice:
    """The invoice of an order `user` bought or works for; 404 for everyone else."""
    order = order_get_for_viewer(user=user, order_id=order_id, number=number)
    if order is None:
        raise NotFoundError(_("Order not found."))
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        raise InvoiceNotReadyError(_("The invoice is not ready yet."))
    return invoice


def invoice_exists_for(*, order: Order) -> bool:
    return Invoice.objects.filter(order=order).exists()


def shop_get_for_finance(*, user: User | AnonymousUser, shop_id: int) -> Shop:
    """A shop whose money `user` may see (owner or manager); 404 or 403 otherwise."""
    return shop_get_for_member(user=user, shop_id=shop_id, roles=ROLES_FINANCE)


def shops_for_finance(*, user: User | AnonymousUser) -> list[Shop]:
    return shops_for_member(user=user, roles=ROLES_FINANCE)


@dataclass(frozen=True)
class Balance:
    currency: str
    pending: Decimal
    available: Decimal

    @property
    def total(self) -> Decimal:
        return self.pending + self.available


def shop_balances(*, shop: Shop, now: datetime | None = None) -> list[Balance]:
    """What the marketplace owes `shop` per currency: pending (in the hold period) and
    available (payable). Together they are the sum of the shop's entries."""
    now = now or timezone.now()
    rows = (
        LedgerEntry.objects.filter(shop=shop)
        .values("currency")
        .annotate(
            pending=Sum("amount", filter=Q(available_at__gt=now)),
            available=Sum("amount", filter=Q(available_at__lte=now)),
        )
        .order_by("currency")
    )
    return [
        Balance(
            currency=row["currency"],
            pending=row["pending"] or Decimal("0.00"),
            available=row["available"] or Decimal("0.00"),
        )
        for row in rows
    ]


def shop_ledger_total(*, shop: Shop, currency: str) -> Decimal:
    total = LedgerEntry.objects.filter(shop=shop, currency=currency).aggregate(total=Sum("amount"))[
        "total"
    ]
    return total or Decimal("0.00")


def ledger_entries_for_shop(*, shop: Shop) -> QuerySet[LedgerEntry]:
    """The shop's entries, newest first, each with `running_balance`: the shop's balance in the
    entry's currency once the entry was posted (a window sum, so any page shows it)."""
    return (
        LedgerEntry.objects.filter(shop=shop)
        .select_related("order")
        .annotate(
            running_balance=Window(
                Sum("amount"),
                partition_by=[F("currency")],
                order_by=[F("created").asc(), F("id").asc()],
            )
        )
        .order_by("-created", "-id")
    )


def payouts_for_shop(*, shop: Shop) -> QuerySet[Payout]:
    return Payout.objects.filter(shop=shop).order_by("-created", "-id")


def connected_account_for(*, shop: Shop) -> ConnectedAccount | None:
    return ConnectedAccount.objects.filter(shop=shop).first()


@dataclass(frozen=True)
class Statement:
    shop: Shop
    start: datetime
    end: datetime
    currency: str
    opening: Decimal
    closing: Decimal
    entries: list[LedgerEntry]


def shop_statement(*, shop: Shop, year: int, month: int) -> list[Statement]:
    """The shop's entries of one calendar month (UTC), per currency, with the balance before
    and after."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    entries = list(
        LedgerEntry.objects.filter(shop=shop, created__gte=start, created__lt=end)
        .select_related("order")
        .order_by("created", "id")
    )
    currencies = sorted(
        {entry.currency for entry in entries}
        | set(
            LedgerEntry.objects.filter(shop=shop, created__lt=start)
            .values_list("currency", flat=True)
            .distinct()
        )
    )
    statements = []
    for currency in currencies:
        opening = LedgerEntry.objects.filter(
            shop=shop, currency=currency, created__lt=start
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        mine = [entry for entry in entries if entry.currency == currency]
        running = opening
        for entry in mine:
            running += entry.amount
            entry.running_balance = running  # type: ignore[attr-defined]
        closing = running
        statements.append(
            Statement(
                shop=shop,
                start=start,
                end=end,
                currency=currency,
                opening=opening,
                closing=closing,
                entries=mine,
            )
        )
    return statements


def refunds_for_order(*, order: Order) -> QuerySet[Refund]:
    return Refund.objects.filter(order=order).select_related("requested_by").order_by("-created")


@dataclass(frozen=True)
class PeriodAmount:
    """A sum of money of one shop in one currency over one period (its first day)."""

    period: date
    shop_id: int
    currency: str
    amount: Decimal


def refund_totals_by_period(
    *, start: datetime, end: datetime, period: str, shop_id: int | None = None
) -> list[PeriodAmount]:
    """Money given back to shoppers: refunds that succeeded in [start, end), per UTC `period`
    (day, week or month) of their confirmation, shop and currency."""
    refunds = Refund.objects.filter(
        status=Refund.Status.SUCCEEDED, confirmed_at__gte=start, confirmed_at__lt=end
    )
    if shop_id is not None:
        refunds = refunds.filter(order__shop_id=shop_id)
    rows = (
        refunds.annotate(period=Trunc("confirmed_at", period, tzinfo=UTC))
        .values("period", "order__shop_id", "currency")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    return [
        PeriodAmount(
            period=row["period"].date(),
            shop_id=row["order__shop_id"],
            currency=row["currency"],
            amount=row["amount"],
        )
        for row in rows
    ]


COMMISSION_KINDS = (
    LedgerEntry.Kind.COMMISSION,
    LedgerEntry.Kind.COMMISSION_REFUND,
    LedgerEntry.Kind.CHARGEBACK_COMMISSION,
)


def commission_totals_by_period(
    *, start: datetime, end: datetime, period: str, shop_id: int | None = None
) -> list[PeriodAmount]:
    """The platform's net commission posted in [start, end), per UTC `period` (day, week or
    month), shop and currency: commission taken on sales less commission given back on refunds
    and chargebacks (positive when the platform earned)."""
    entries = LedgerEntry.objects.filter(
        kind__in=COMMISSION_KINDS, created__gte=start, created__lt=end
    )
    if shop_id is not None:
        entries = entries.filter(shop_id=shop_id)
    rows = (
        entries.annotate(period=Trunc("created", period, tzinfo=UTC))
        .values("period", "shop_id", "currency")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    return [
        PeriodAmount(
            period=row["period"].date(),
            shop_id=row["shop_id"],
            currency=row["currency"],
            amount=-row["amount"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class OrderDispute:
    """A dispute as an order page shows it: the dispute, and what it took of this order."""

    dispute: Dispute
    on_order: Decimal  # what the dispute charged back from this order
    fee: Decimal  # the fee charged to this order's shop for it (0 when another order took it)
    fee_returned: Decimal


def order_disputes(*, order: Order) -> list[OrderDispute]:
    """The disputes of the payments of `order` (newest first), with this order's share. The
    caller has checked that the viewer may see the order."""
    disputes = list(
        Dispute.objects.filter(payment__orders=order).order_by("-opened_at", "-pk").distinct()
    )
    if not disputes:
        return []
    entries = LedgerEntry.objects.filter(order=order).values_list("reference", "amount")
    by_reference = dict(entries)
    found = []
    for dispute in disputes:
        key = dispute.provider_dispute_id
        found.append(
            OrderDispute(
                dispute=dispute,
                on_order=-by_reference.get(f"chargeback:{key}:{order.pk}", Decimal(0)),
                fee=-by_reference.get(f"dispute-fee:{key}", Decimal(0)),
                fee_returned=by_reference.get(f"dispute-fee-back:{key}", Decimal(0)),
            )
        )
    return found


def payout_get(*, payout_id: int) -> Payout | None:
    """Payout `payout_id`, or None: for jobs and webhooks, never for a lookup a user asked for."""
    return Payout.objects.filter(pk=payout_id).first()
