"""The vendor ledger: what the marketplace owes each shop, one append-only entry at a time.

    sale              + order total               available after the hold period
    commission        - the platform's commission available after the hold period
    refund            - refunded amount           available at once
    commission_refund + the refund's share of the commission
    chargeback        - disputed amount           available at once
    chargeback_commission + its share of the commission
    reinstated        + a won dispute's amount      available at once
    reinstated_commission - the commission on it again
    dispute_fee       - the provider's fee for a dispute, available at once
    dispute_fee_back  + that fee, when the provider returned it on a won dispute
    platform_discount + the discount a platform-wide promotion paid for, with the sale
    platform_discount_back - its share of what went back to the buyer (refund, dispute)
    payout            - amount paid out           settled by that payout
    payout_reversal   + amount of a failed payout available at once

Every entry has a unique `reference`, so posting the same thing twice (a retried job, a
replayed webhook) adds nothing. A shop's balance is always the sum of its entries.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import product_category_ids
from marketmate.money import money_round, money_setting
from orders.models import Order
from payments.models import CommissionRate, LedgerEntry, Payout, Refund
from payments.services.journal import journal_record_entries

Kind = LedgerEntry.Kind


def commission_for(*, order: Order) -> Decimal:
    """The platform's commission on `order`.

    The shop's own rate if it has one; otherwise each line pays the rate of its product's
    categories (the highest, when several have one) on the line's share of the order total, and
    lines without one pay the default rate (PAYMENTS_COMMISSION_PERCENT). The fixed fee is
    charged once per order: the shop's, else the largest that applies, else the default, which
    is configured per currency (PAYMENTS_COMMISSION_FIXED_FEES; PAYMENTS_COMMISSION_FIXED_FEE
    for two-decimal currencies without an entry).

    The base is what the shop sells the order for: the total the buyer paid (shipping and tax
    included, discounts deducted) plus the discount the platform paid for. Commission never
    exceeds that base: a shop never owes money for a sale.
    """
    return min(_commission_uncapped(order=order), money_round(_sold_for(order), order.currency))


def _sold_for(order: Order) -> Decimal:
    return order.total + order.platform_discount


def _fee(amount: Decimal, currency: str) -> Decimal:
    """A rate's fixed fee: the stored amount in two-decimal currencies; elsewhere the per-currency
    default, since a fee typed as 0.30 was never meant as 0.30 yen."""
    return money_setting(
        table=settings.PAYMENTS_COMMISSION_FIXED_FEES, default=amount, currency=currency
    )


def _commission_uncapped(*, order: Order) -> Decimal:
    currency = order.currency
    shop_rate = CommissionRate.objects.filter(shop_id=order.shop_id).first()
    base = _sold_for(order)
    if shop_rate is not None:
        return money_round(
            base * shop_rate.percent / 100 + _fee(shop_rate.fixed_fee, currency), currency
        )
    default_percent = Decimal(settings.PAYMENTS_COMMISSION_PERCENT)
    default_fee = _fee(Decimal(settings.PAYMENTS_COMMISSION_FIXED_FEE), currency)
    lines = list(order.lines.select_related("variant"))
    product_ids = [line.variant.product_id for line in lines if line.variant is not None]
    categories = product_category_ids(product_ids=product_ids)
    all_category_ids = {category for ids in categories.values() for category in ids}
    rates = {
        rate.category_id: rate
        for rate in CommissionRate.objects.filter(category_id__in=all_category_ids)
    }
    lines_total = sum((line.total for line in lines), Decimal("0"))
    if not rates or lines_total <= 0:
        return money_round(base * default_percent / 100 + default_fee, currency)
    commission = Decimal("0")
    fees: list[Decimal] = []
    for line in lines:
        product_id = line.variant.product_id if line.variant is not None else None
        line_rates = [
            rates[category]
            for category in categories.get(product_id or 0, frozenset())
            if category in rates
        ]
        rate = max(line_rates, key=lambda item: item.percent) if line_rates else None
        percent = rate.percent if rate is not None else default_percent
        fees.append(_fee(rate.fixed_fee, currency) if rate is not None else default_fee)
        # Shipping and order-level discounts are spread over the lines by their weight.
        commission += base * (line.total / lines_total) * percent / 100
    return money_round(commission + max(fees), currency)


def _post(
    *,
    order: Order | None,
    shop_id: int,
    kind: str,
    amount: Decimal,
    currency: str,
    reference: str,
    description: str,
    available_at: datetime,
    refund: Refund | None = None,
    payout: Payout | None = None,
) -> LedgerEntry | None:
    """Append one entry; None when `reference` was posted before or the amount is zero."""
    amount = money_round(amount, currency)
    if amount == 0 or LedgerEntry.objects.filter(reference=reference).exists():
        return None
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                shop_id=shop_id,
                kind=kind,
                amount=amount,
                currency=currency,
                order=order,
                refund=refund,
                payout=payout,
                reference=reference,
                description=description[:255],
                available_at=available_at,
            )
    except IntegrityError:
        # Posted concurrently by another worker: the unique reference kept it single.
        return None


def ledger_post_sale(*, order: Order) -> list[LedgerEntry]:
    """Credit the shop with a paid order, less the platform's commission, available after the
    hold period (PAYMENTS_HOLD_DAYS)."""
    available_at = timezone.now() + timedelta(days=settings.PAYMENTS_HOLD_DAYS)
    commission = commission_for(order=order)
    entries = [
        _post(
            order=order,
            shop_id=order.shop_id,
            kind=Kind.SALE,
            amount=order.total,
            currency=order.currency,
            reference=f"sale:{order.pk}",
            description=_("Order %(number)s") % {"number": order.number},
            available_at=available_at,
        ),
        _post(
            order=order,
            shop_id=order.shop_id,
            kind=Kind.COMMISSION,
            amount=-commission,
            currency=order.currency,
            reference=f"commission:{order.pk}",
            description=_("Commission on order %(number)s") % {"number": order.number},
            available_at=available_at,
        ),
        _post(
            order=order,
            shop_id=order.shop_id,
            kind=Kind.PLATFORM_DISCOUNT,
            amount=order.platform_discount,
            currency=order.currency,
            reference=f"platform-discount:{order.pk}",
            description=_("Discount on order %(number)s paid by the platform")
            % {"number": order.number},
            available_at=available_at,
        ),
    ]
    journal_record_entries(reference=f"sale:{order.pk}", kind="sale", entries=entries)
    return [entry for entry in entries if entry is not None]


def _commission_share(*, order: Order, taken_back: Decimal) -> Decimal:
    """The commission to give back once `taken_back` of the order's total has been returned to
    the shopper in all: cumulative, so partial refunds add up to exactly the whole commission."""
    entries = LedgerEntry.objects.filter(order=order)
    commission = -(
        entries.filter(kind=Kind.COMMISSION).aggregate(total=Sum("amount"))["total"] or 0
    )
    returned = (
        entries.filter(
            kind__in=[
                Kind.COMMISSION_REFUND,
                Kind.CHARGEBACK_COMMISSION,
                Kind.REINSTATED_COMMISSION,
            ]
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    if order.total <= 0:
        return Decimal("0")
    due = money_round(
        Decimal(commission) * min(taken_back, order.total) / order.total, order.currency
    )
    return due - Decimal(returned)


def _taken_back(order: Order) -> Decimal:
    return -(
        LedgerEntry.objects.filter(
            order=order, kind__in=[Kind.REFUND, Kind.CHARGEBACK, Kind.REINSTATED]
        ).aggregate(total=Sum("amount"))["total"]
        or Decimal("0")
    )


def _platform_discount_share(*, order: Order, taken_back: Decimal) -> Decimal:
    """The platform's discount to take back from the shop once `taken_back` of the order's total
    has gone back to the buyer: cumulative, like the commission's share (negative: give back)."""
    if order.total <= 0 or order.platform_discount <= 0:
        return Decimal("0")
    due = money_round(
        order.platform_discount * min(taken_back, order.total) / order.total, order.currency
    )
    returned = -(
        LedgerEntry.objects.filter(order=order, kind=Kind.PLATFORM_DISCOUNT_RETURNED).aggregate(
            total=Sum("amount")
        )["total"]
        or Decimal("0")
    )
    return due - returned


def _post_platform_discount_back(
    *, order: Order, reference: str, refund: Refund | None = None
) -> LedgerEntry | None:
    share = _platform_discount_share(order=order, taken_back=_taken_back(order))
    return _post(
        order=order,
        shop_id=order.shop_id,
        kind=Kind.PLATFORM_DISCOUNT_RETURNED,
        amount=-share,
        currency=order.currency,
        reference=reference,
        description=_("Platform discount returned on order %(number)s") % {"number": order.number},
        available_at=timezone.now(),
        refund=refund,
    )


def ledger_disputed_amount(*, order: Order) -> Decimal:
    """What card networks hold of `order` through disputes still open or lost: charged back
    and not reinstated. It cannot also be refunded."""
    held = LedgerEntry.objects.filter(
        order=order, kind__in=[Kind.CHARGEBACK, Kind.REINSTATED]
    ).aggregate(total=Sum("amount"))["total"]
    return -(held or Decimal("0"))


def ledger_post_refund(*, refund: Refund) -> list[LedgerEntry]:
    """Debit the shop with a confirmed refund and give back its share of the commission."""
    order = refund.order
    now = timezone.now()
    entries = [
        _post(
            order=order,
            shop_id=order.shop_id,
            kind=Kind.REFUND,
            amount=-refund.amount,
            currency=refund.currency,
            reference=f"refund:{refund.pk}",
            description=_("Refund on order %(number)s") % {"number": order.number},
            available_at=now,
            refund=refund,
        )
    ]
    share = _commission_share(order=order, taken_back=_taken_back(order))
    entries.append(
        _post(
            order=order,
            shop_id=order.shop_id,
            kind=Kind.COMMISSION_REFUND,
            amount=share,
            currency=refund.currency,
            reference=f"commission-refund:{refund.pk}",
            description=_("Commission returned on order %(number)s") % {"number": order.number},
            available_at=now,
            refund=refund,
        )
    )
    entries.append(
        _post_platform_discount_back(
            order=order, reference=f"platform-discount-back:{refund.pk}", refund=refund
        )
    )
    journal_record_entries(reference=f"refund:{refund.pk}", kind="refund", entries=entries)
    return [entry for entry in entries if entry is not None]


def _post_dispute_movement(
    *,
    order: Order,
    amount: Decimal,
    reference: str,
    commission_reference: str,
    discount_reference: str,
    kind: str,
    commission_kind: str,
    journal_kind: str,
    description: str,
    commission_description: str,
) -> list[LedgerEntry]:
    """The shop's side of money a dispute moves (`amount`, signed for the shop), the commission
    share that follows it (cumulative, so it is returned or taken again exactly) and the
    platform-funded discount's share, as one journal transaction."""
    now = timezone.now()
    entries = [
        _post(
            order=order,
            shop_id=order.shop_id,
            kind=kind,
            amount=amount,
            currency=order.currency,
            reference=reference,
            description=description,
            available_at=now,
        )
    ]
    entries.append(
        _post(
            order=order,
            shop_id=order.shop_id,
            kind=commission_kind,
            amount=_commission_share(order=order, taken_back=_taken_back(order)),
            currency=order.currency,
            reference=commission_reference,
            description=commission_description,
            available_at=now,
        )
    )
    entries.append(_post_platform_discount_back(order=order, reference=discount_reference))
    journal_record_entries(reference=reference, kind=journal_kind, entries=entries)
    return [entry for entry in entries if entry is not None]


def ledger_post_chargeback(*, order: Order, amount: Decimal, dispute_id: str) -> list[LedgerEntry]:
    """Debit the shop with a disputed amount (its money is held by the card network) and give
    back the platform's share of the commission."""
    number = {"number": order.number}
    return _post_dispute_movement(
        order=order,
        amount=-amount,
        reference=f"chargeback:{dispute_id}:{order.pk}",
        commission_reference=f"chargeback-commission:{dispute_id}:{order.pk}",
        discount_reference=f"platform-discount-back:{dispute_id}:{order.pk}",
        kind=Kind.CHARGEBACK,
        commission_kind=Kind.CHARGEBACK_COMMISSION,
        journal_kind="chargeback",
        description=_("Dispute on order %(number)s") % number,
        commission_description=_("Commission returned on disputed order %(number)s") % number,
    )


def ledger_post_reinstated(*, order: Order, amount: Decimal, dispute_id: str) -> list[LedgerEntry]:
    """Credit the shop again with a won dispute's amount and take the commission on it again."""
    number = {"number": order.number}
    return _post_dispute_movement(
        order=order,
        amount=amount,
        reference=f"reinstated:{dispute_id}:{order.pk}",
        commission_reference=f"reinstated-commission:{dispute_id}:{order.pk}",
        discount_reference=f"platform-discount-reinstated:{dispute_id}:{order.pk}",
        kind=Kind.REINSTATED,
        commission_kind=Kind.REINSTATED_COMMISSION,
        journal_kind="dispute_won",
        description=_("Dispute won on order %(number)s") % number,
        commission_description=_("Commission on order %(number)s (dispute won)") % number,
    )


def ledger_post_dispute_fee(*, order: Order, fee: Decimal, dispute_id: str) -> LedgerEntry | None:
    """Debit the shop with the provider's fee for a dispute on its order (once per dispute)."""
    entry = _post(
        order=order,
        shop_id=order.shop_id,
        kind=Kind.DISPUTE_FEE,
        amount=-fee,
        currency=order.currency,
        reference=f"dispute-fee:{dispute_id}",
        description=_("Dispute fee on order %(number)s") % {"number": order.number},
        available_at=timezone.now(),
    )
    journal_record_entries(
        reference=f"dispute-fee:{dispute_id}", kind="dispute_fee", entries=[entry]
    )
    return entry


def ledger_post_dispute_fee_returned(*, dispute_id: str, amount: Decimal) -> LedgerEntry | None:
    """Credit back the fee of a won dispute that the provider returned, to the shop it was
    charged to, at most what was charged (once per dispute). None when no fee was charged."""
    charged = LedgerEntry.objects.filter(reference=f"dispute-fee:{dispute_id}").first()
    if charged is None or charged.order is None:
        return None
    order = charged.order
    entry = _post(
        order=order,
        shop_id=charged.shop_id,
        kind=Kind.DISPUTE_FEE_RETURNED,
        amount=min(amount, -charged.amount),
        currency=charged.currency,
        reference=f"dispute-fee-back:{dispute_id}",
        description=_("Dispute fee returned on order %(number)s") % {"number": order.number},
        available_at=timezone.now(),
    )
    journal_record_entries(
        reference=f"dispute-fee-back:{dispute_id}", kind="dispute_fee_returned", entries=[entry]
    )
    return entry


def ledger_post_payout(*, payout: Payout) -> LedgerEntry | None:
    entry = _post(
        order=None,
        shop_id=payout.shop_id,
        kind=Kind.PAYOUT,
        amount=-payout.amount,
        currency=payout.currency,
        reference=f"payout:{payout.pk}",
        description=_("Payout %(id)s") % {"id": payout.pk},
        available_at=timezone.now(),
        payout=payout,
    )
    journal_record_entries(reference=f"payout:{payout.pk}", kind="payout", entries=[entry])
    return entry


def ledger_post_payout_reversal(*, payout: Payout) -> LedgerEntry | None:
    entry = _post(
        order=None,
        shop_id=payout.shop_id,
        kind=Kind.PAYOUT_REVERSAL,
        amount=payout.amount,
        currency=payout.currency,
        reference=f"payout-reversal:{payout.pk}",
        description=_("Payout %(id)s failed; the amount is owed again") % {"id": payout.pk},
        available_at=timezone.now(),
        payout=payout,
    )
    journal_record_entries(
        reference=f"payout-failed:{payout.pk}", kind="payout_failed", entries=[entry]
    )
    return entry
