"""The double-entry journal: every business event is one balanced transaction.

Accounts: one per shop (what MarketMate owes it), the platform's revenue (commission, fees),
the platform's promotion costs, the payment provider's clearing account (what the provider
holds for MarketMate) and the payouts in transit. Postings are signed, debit positive, credit
negative; a transaction's postings sum to zero (checked here, and by a deferred constraint
trigger in PostgreSQL at commit), rows are never changed (append-only, trigger too), and a
transaction's reference is unique, so an event posted twice is posted once.

The shop-facing entries (`LedgerEntry`: sale, commission, refund...) are the shop's side of
these transactions; each entry's counterpart is fixed by its kind (`COUNTERPART`), so a shop's
balance is the same whether read from its entries or from its account.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from orders.models import Order
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    LedgerTransaction,
    Payout,
)
from shops.models import Shop

AccountKind = LedgerAccount.Kind
EntryKind = LedgerEntry.Kind

# Where the other side of each shop entry goes.
COUNTERPART: dict[str, str] = {
    EntryKind.SALE: AccountKind.PROVIDER_CLEARING,
    EntryKind.COMMISSION: AccountKind.PLATFORM_REVENUE,
    EntryKind.REFUND: AccountKind.PROVIDER_CLEARING,
    EntryKind.COMMISSION_REFUND: AccountKind.PLATFORM_REVENUE,
    EntryKind.CHARGEBACK: AccountKind.PROVIDER_CLEARING,
    EntryKind.CHARGEBACK_COMMISSION: AccountKind.PLATFORM_REVENUE,
    EntryKind.REINSTATED: AccountKind.PROVIDER_CLEARING,
    EntryKind.REINSTATED_COMMISSION: AccountKind.PLATFORM_REVENUE,
    EntryKind.DISPUTE_FEE: AccountKind.PROVIDER_CLEARING,
    EntryKind.DISPUTE_FEE_RETURNED: AccountKind.PROVIDER_CLEARING,
    EntryKind.PLATFORM_DISCOUNT: AccountKind.PLATFORM_PROMOTIONS,
    EntryKind.PLATFORM_DISCOUNT_RETURNED: AccountKind.PLATFORM_PROMOTIONS,
    EntryKind.PAYOUT: AccountKind.PAYOUTS_IN_TRANSIT,
    EntryKind.PAYOUT_REVERSAL: AccountKind.PAYOUTS_IN_TRANSIT,
}


class UnbalancedTransactionError(ValueError):
    """A programming error: legs that do not sum to zero are never written."""


def account_for(*, kind: str, shop_id: int | None = None) -> LedgerAccount:
    """The account of `kind` (a shop's when `shop_id` is given), created on first use."""
    lookup = (
        {"kind": kind, "shop_id": shop_id}
        if kind == AccountKind.SHOP
        else {"kind": kind, "shop__isnull": True}
    )
    try:
        with transaction.atomic():
            account, _created = LedgerAccount.objects.get_or_create(**lookup)
    except IntegrityError:
        account = LedgerAccount.objects.get(**lookup)
    return account


def journal_record(
    *,
    reference: str,
    kind: str,
    currency: str,
    legs: Iterable[tuple[LedgerAccount, Decimal]],
    description: str,
    order: Order | None = None,
    payout: Payout | None = None,
) -> LedgerTransaction | None:
    """Post one balanced transaction; None when its reference was posted before (or it moves
    nothing). Legs on the same account are merged."""
    merged: dict[int, Decimal] = defaultdict(Decimal)
    accounts: dict[int, LedgerAccount] = {}
    for account, amount in legs:
        merged[account.pk] += amount
        accounts[account.pk] = account
    if sum(merged.values(), Decimal(0)) != 0:
        raise UnbalancedTransactionError(f"{reference}: the legs do not sum to zero")
    postings = {pk: amount for pk, amount in merged.items() if amount != 0}
    if not postings or LedgerTransaction.objects.filter(reference=reference).exists():
        return None
    try:
        with transaction.atomic():
            record = LedgerTransaction.objects.create(
                reference=reference,
                kind=kind,
                currency=currency,
                description=description[:255],
                order=order,
                payout=payout,
            )
            LedgerPosting.objects.bulk_create(
                [
                    LedgerPosting(
                        transaction=record,
                        account=accounts[pk],
                        amount=amount,
                        currency=currency,
                    )
                    for pk, amount in postings.items()
                ]
            )
    except IntegrityError:
        return None  # posted concurrently: the unique reference kept it single
    return record


def journal_record_entries(
    *, reference: str, kind: str, entries: Iterable[LedgerEntry | None]
) -> LedgerTransaction | None:
    """The transaction of one business event whose shop side is `entries` (those just posted):
    each entry's amount is credited to the shop (owed more) or debited, and the opposite goes to
    its counterpart account."""
    posted = [entry for entry in entries if entry is not None]
    if not posted:
        return None
    first = posted[0]
    legs: list[tuple[LedgerAccount, Decimal]] = []
    for entry in posted:
        legs.append((account_for(kind=AccountKind.SHOP, shop_id=entry.shop_id), -entry.amount))
        legs.append((account_for(kind=COUNTERPART[entry.kind]), entry.amount))
    return journal_record(
        reference=reference,
        kind=kind,
        currency=first.currency,
        legs=legs,
        description=first.description,
        order=first.order,
        payout=first.payout,
    )


def journal_record_payout_paid(*, payout: Payout) -> LedgerTransaction | None:
    """The money of a paid payout left the provider: in transit -> out of clearing."""
    return journal_record(
        reference=f"payout-paid:{payout.pk}",
        kind="payout_paid",
        currency=payout.currency,
        legs=[
            (account_for(kind=AccountKind.PAYOUTS_IN_TRANSIT), payout.amount),
            (account_for(kind=AccountKind.PROVIDER_CLEARING), -payout.amount),
        ],
        description=f"Payout {payout.pk} paid",
        payout=payout,
    )


def account_balance(
    *,
    kind: str,
    currency: str,
    shop: Shop | None = None,
    at: datetime | None = None,
) -> Decimal:
    """What the account holds in `currency` (in its natural sense: owed to the shop, earned by
    the platform, held by the provider, in transit), at `at` or now: a sum of postings."""
    account = account_for(kind=kind, shop_id=shop.pk if shop is not None else None)
    postings = LedgerPosting.objects.filter(account=account, currency=currency)
    if at is not None:
        postings = postings.filter(transaction__created__lte=at)
    total = postings.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return account.sign * total
