"""Payouts: a shop's available balance sent to its Stripe Connect account (or recorded for
staff to pay by hand when Stripe is not configured), on a schedule, above a minimum.

An entry is settled by at most one payout, ever (PayoutItem.entry is unique), and payouts of
one shop run one at a time (an advisory lock on the shop), so the same money is never paid twice.
A failed transfer is given back to the shop as a new, available entry.
"""

import hashlib
import logging
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.audit import audit_record
from marketmate.events import event_emit
from marketmate.money import money_setting
from payments.exceptions import GatewayError, PayoutUnavailableError
from payments.gateways import gateway_get
from payments.models import ConnectedAccount, LedgerEntry, Payout, PayoutItem
from payments.services.journal import journal_record_payout_paid
from payments.services.ledger import ledger_post_payout, ledger_post_payout_reversal
from shops.models import Shop
from shops.selectors import shop_lock, shops_by_id

logger = logging.getLogger(__name__)


def _shop_lock(shop: Shop) -> None:
    """Serialise payouts of one shop (PostgreSQL; SQLite writes are serial anyway)."""
    if connection.vendor == "postgresql":
        key = int(hashlib.sha256(f"payouts:{shop.pk}".encode()).hexdigest()[:15], 16)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _unsettled_available(shop: Shop, currency: str, now: object) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(
            shop=shop, currency=currency, available_at__lte=now, payout_item__isnull=True
        )
        .exclude(kind=LedgerEntry.Kind.PAYOUT)
        .order_by("pk")
    )


def payout_create(
    *, shop: Shop, currency: str, actor: User | None = None, minimum: Decimal | None = None
) -> Payout | None:
    """Pay out what `shop` has available in `currency` and not yet paid, if it reaches the
    minimum (PAYMENTS_PAYOUT_MINIMUMS for the currency, else PAYMENTS_PAYOUT_MINIMUM in
    two-decimal currencies) and the shop's payouts are not on hold; None otherwise."""
    if minimum is None:
        minimum = money_setting(
            table=settings.PAYMENTS_PAYOUT_MINIMUMS,
            default=settings.PAYMENTS_PAYOUT_MINIMUM,
            currency=currency,
        )
    if shop.payouts_on_hold:
        return None
    now = timezone.now()
    with transaction.atomic():
        _shop_lock(shop)
        # Staff may have held the shop's payouts since `shop` was read: ask its locked row.
        if shop_lock(shop_id=shop.pk).payouts_on_hold:
            return None
        entries = _unsettled_available(shop, currency, now)
        amount = sum((entry.amount for entry in entries), Decimal("0"))
        if amount <= 0 or amount < minimum:
            return None
        account = ConnectedAccount.objects.filter(shop=shop).first()
        method = (
            Payout.Method.STRIPE
            if account is not None and gateway_get().supports_transfers
            else Payout.Method.MANUAL
        )
        payout = Payout.objects.create(shop=shop, amount=amount, currency=currency, method=method)
        PayoutItem.objects.bulk_create(
            [PayoutItem(payout=payout, entry=entry) for entry in entries]
        )
        debit = ledger_post_payout(payout=payout)
        assert debit is not None
        PayoutItem.objects.create(payout=payout, entry=debit)
        audit_record(
            actor=actor,
            action="payout.created",
            entity=payout,
            changes={"amount": (None, str(amount))},
        )
    if method == Payout.Method.STRIPE:
        assert account is not None
        return payout_transfer(payout=payout, account=account)
    return payout


def payout_transfer(*, payout: Payout, account: ConnectedAccount) -> Payout:
    """Send a Stripe payout to the shop's connected account (keyed by the payout's id)."""
    try:
        result = gateway_get().transfer_create(
            amount=payout.amount,
            currency=payout.currency,
            destination=account.stripe_account_id,
            metadata={"payout_id": str(payout.pk), "shop_id": str(payout.shop_id)},
            idempotency_key=f"marketmate-payout-{payout.pk}",
        )
    except (GatewayError, PayoutUnavailableError) as exc:
        return payout_mark_failed(payout=payout, message=exc.message)
    return payout_mark_paid(payout=payout, transfer_id=result.provider_transfer_id)


def payout_mark_paid(*, payout: Payout, transfer_id: str = "", actor: User | None = None) -> Payout:
    """pending -> paid (a transfer went through, or staff paid a manual payout)."""
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        if locked.status != Payout.Status.PENDING:
            return locked
        locked.status = Payout.Status.PAID
        locked.provider_transfer_id = transfer_id
        locked.paid_at = timezone.now()
        locked.save(update_fields=["status", "provider_transfer_id", "paid_at"])
        journal_record_payout_paid(payout=locked)
        audit_record(
            actor=actor,
            action="payout.paid",
            entity=locked,
            changes={"status": (Payout.Status.PENDING, Payout.Status.PAID)},
        )
        event_emit("payout.paid", payout_id=locked.pk, shop_id=locked.shop_id)
    return locked


def payout_mark_failed(*, payout: Payout, message: str, actor: User | None = None) -> Payout:
    """pending -> failed: the amount is owed to the shop again (a new available entry)."""
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        if locked.status != Payout.Status.PENDING:
            return locked
        locked.status = Payout.Status.FAILED
        locked.failure_message = message[:255]
        locked.save(update_fields=["status", "failure_message"])
        ledger_post_payout_reversal(payout=locked)
        audit_record(
            actor=actor,
            action="payout.failed",
            entity=locked,
            changes={"status": (Payout.Status.PENDING, Payout.Status.FAILED)},
            reason=message,
        )
    return locked


def payouts_run(*, minimum: Decimal | None = None) -> list[Payout]:
    """The scheduled payout job: every shop and currency with enough available is paid."""
    now = timezone.now()
    due = (
        LedgerEntry.objects.filter(available_at__lte=now, payout_item__isnull=True)
        .exclude(kind=LedgerEntry.Kind.PAYOUT)
        .exclude(Q(shop__payouts_on_hold=True))
        .values("shop_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by("shop_id", "currency")
    )
    rows = list(due)
    shops = shops_by_id(shop_ids=[row["shop_id"] for row in rows])
    payouts = []
    for row in rows:
        shop = shops[row["shop_id"]]
        try:
            payout = payout_create(shop=shop, currency=row["currency"], minimum=minimum)
        except Exception:
            logger.exception("Payout of shop %s failed", shop.pk)
            continue
        if payout is not None:
            payouts.append(payout)
    return payouts


def connected_account_link(*, shop: Shop, actor: User, base_url: str) -> str:
    """The Stripe Connect onboarding URL for `shop`, creating its account the first time."""
    gateway = gateway_get()
    if not gateway.supports_transfers:
        raise PayoutUnavailableError(_("Stripe is not configured on this marketplace."))
    account = ConnectedAccount.objects.filter(shop=shop).first()
    if account is None:
        account_id = gateway.account_create(
            email=shop.owner.email,
            country=str(shop.country),
            idempotency_key=f"marketmate-connect-{shop.pk}",
        )
        account, _created = ConnectedAccount.objects.get_or_create(
            shop=shop, defaults={"stripe_account_id": account_id}
        )
        audit_record(
            actor=actor,
            action="payouts.account_connected",
            entity=shop,
            changes={"stripe_account_id": (None, account.stripe_account_id)},
        )
    page = base_url.rstrip("/") + reverse("dashboard_payouts:balance") + f"?shop={shop.pk}"
    return gateway.account_link_create(
        account_id=account.stripe_account_id, refresh_url=page, return_url=page
    )
