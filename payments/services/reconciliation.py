"""Reconciliation: the ledger checked against the facts it should follow, per shop and currency.

For each shop and currency, what its journal account holds must equal

    sales - commission - refunds - chargebacks - dispute fees - payouts

(dispute fees net of those the provider returned on won disputes)
where sales are the totals of its orders that were credited plus the discounts the platform
paid for (less their share of what went back to buyers), refunds the confirmed refunds of
those orders, payouts those not failed (commission and chargebacks net of what came back), and
its shop-facing entries must add up to the same. For each currency, the provider's clearing
account must hold what buyers paid for those orders less what went back to them (refunds,
chargebacks) and the payouts paid, and the payouts in transit must be the payouts pending.
A mismatch raises an alert (a metric, an error log, an open `ReconciliationAlert` for staff)
and is never corrected here.
"""

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from prometheus_client import Counter

from accounts.models import User
from marketmate.audit import audit_record
from orders.selectors import order_queryset
from payments.models import LedgerAccount, LedgerEntry, Payout, ReconciliationAlert, Refund
from payments.services.journal import account_balance
from shops.models import Shop
from shops.selectors import shops_by_id

logger = logging.getLogger(__name__)

MISMATCHES = Counter(
    "mm_ledger_reconciliation_mismatches_total",
    "Ledger reconciliation checks that did not match.",
    ["check"],
)

Kind = LedgerEntry.Kind
ZERO = Decimal("0")


def _sum(queryset: object, field: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO  # type: ignore[attr-defined]


def _alert(
    *, check: str, currency: str, expected: Decimal, actual: Decimal, shop: Shop | None = None
) -> ReconciliationAlert | None:
    if expected == actual:
        return None
    MISMATCHES.labels(check=check).inc()
    logger.error(
        "Ledger reconciliation %s failed for shop %s in %s: expected %s, found %s",
        check,
        shop.pk if shop is not None else "-",
        currency,
        expected,
        actual,
    )
    existing = ReconciliationAlert.objects.filter(
        shop=shop, currency=currency, check_name=check, is_open=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ReconciliationAlert.objects.create(
                shop=shop, currency=currency, check_name=check, expected=expected, actual=actual
            )
    except IntegrityError:
        return ReconciliationAlert.objects.get(
            shop=shop, currency=currency, check_name=check, is_open=True
        )


def ledger_reconcile_shop(*, shop: Shop, currency: str) -> list[ReconciliationAlert]:
    """Check one shop's ledger in one currency; the alerts raised."""
    entries = LedgerEntry.objects.filter(shop=shop, currency=currency)
    sold = (
        order_queryset()
        .filter(shop=shop, currency=currency, ledger_entries__kind=Kind.SALE)
        .distinct()
    )
    credited = order_queryset().filter(pk__in=sold.values("pk"))
    sales = (
        _sum(credited, "total")
        + _sum(credited, "platform_discount")
        + _sum(entries.filter(kind=Kind.PLATFORM_DISCOUNT_RETURNED))
    )
    commission = -_sum(
        entries.filter(
            kind__in=[
                Kind.COMMISSION,
                Kind.COMMISSION_REFUND,
                Kind.CHARGEBACK_COMMISSION,
                Kind.REINSTATED_COMMISSION,
            ]
        )
    )
    refunds = _sum(
        Refund.objects.filter(order__in=sold.values("pk"), status=Refund.Status.SUCCEEDED)
    )
    chargebacks = -_sum(entries.filter(kind__in=[Kind.CHARGEBACK, Kind.REINSTATED]))
    fees = -_sum(entries.filter(kind__in=[Kind.DISPUTE_FEE, Kind.DISPUTE_FEE_RETURNED]))
    payouts = _sum(
        Payout.objects.filter(shop=shop, currency=currency).exclude(status=Payout.Status.FAILED)
    )
    expected = sales - commission - refunds - chargebacks - fees - payouts
    journal = account_balance(kind=LedgerAccount.Kind.SHOP, shop=shop, currency=currency)
    alerts = [
        _alert(
            check="shop_formula", shop=shop, currency=currency, expected=expected, actual=journal
        ),
        _alert(
            check="shop_entries",
            shop=shop,
            currency=currency,
            expected=journal,
            actual=_sum(entries),
        ),
    ]
    return [alert for alert in alerts if alert is not None]


def ledger_reconcile_platform(*, currency: str) -> list[ReconciliationAlert]:
    """Check what the provider holds and what is in transit in one currency."""
    sold = order_queryset().filter(currency=currency, ledger_entries__kind=Kind.SALE).distinct()
    paid = _sum(order_queryset().filter(pk__in=sold.values("pk")), "total")
    refunded = _sum(
        Refund.objects.filter(order__in=sold.values("pk"), status=Refund.Status.SUCCEEDED)
    )
    charged_back = -_sum(
        LedgerEntry.objects.filter(
            currency=currency,
            kind__in=[
                Kind.CHARGEBACK,
                Kind.REINSTATED,
                Kind.DISPUTE_FEE,
                Kind.DISPUTE_FEE_RETURNED,
            ],
        )
    )
    payouts = Payout.objects.filter(currency=currency)
    paid_out = _sum(payouts.filter(status=Payout.Status.PAID))
    in_transit = _sum(payouts.filter(status=Payout.Status.PENDING))
    clearing = account_balance(kind=LedgerAccount.Kind.PROVIDER_CLEARING, currency=currency)
    transit = account_balance(kind=LedgerAccount.Kind.PAYOUTS_IN_TRANSIT, currency=currency)
    alerts = [
        _alert(
            check="provider_clearing",
            currency=currency,
            expected=paid - refunded - charged_back - paid_out,
            actual=clearing,
        ),
        _alert(check="payouts_in_transit", currency=currency, expected=in_transit, actual=transit),
    ]
    return [alert for alert in alerts if alert is not None]


def ledger_reconcile() -> list[ReconciliationAlert]:
    """The daily check of every shop and currency with ledger entries, and of the platform."""
    alerts: list[ReconciliationAlert] = []
    pairs = LedgerEntry.objects.values_list("shop_id", "currency").distinct().order_by("shop_id")
    shops = shops_by_id(shop_ids=[shop_id for shop_id, _currency in pairs])
    for shop_id, currency in pairs:
        alerts += ledger_reconcile_shop(shop=shops[shop_id], currency=currency)
    currencies = sorted({currency for _shop_id, currency in pairs})
    for currency in currencies:
        alerts += ledger_reconcile_platform(currency=currency)
    if not alerts:
        logger.info("Ledger reconciled: %d shop ledgers, no mismatch", len(pairs))
    return alerts


def reconciliation_alert_close(*, alert: ReconciliationAlert, actor: User | None) -> None:
    """Staff explained and handled a mismatch: the alert closes (a new one opens if it recurs)."""
    ReconciliationAlert.objects.filter(pk=alert.pk, is_open=True).update(is_open=False)
    audit_record(
        actor=actor,
        action="ledger.alert_closed",
        entity=alert,
        changes={"is_open": (True, False)},
    )
