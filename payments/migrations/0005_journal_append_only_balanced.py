"""The journal in the database too (PostgreSQL): transactions and postings are append-only, and
at commit every transaction's postings sum to zero per currency. Entries posted before the
journal existed get their transaction (one per entry), and paid payouts theirs."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION payments_journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_ledgertransaction_append_only
    BEFORE UPDATE OR DELETE ON payments_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION payments_journal_append_only();
CREATE TRIGGER payments_ledgerposting_append_only
    BEFORE UPDATE OR DELETE ON payments_ledgerposting
    FOR EACH ROW EXECUTE FUNCTION payments_journal_append_only();

CREATE OR REPLACE FUNCTION payments_journal_balanced() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM payments_ledgerposting
        WHERE transaction_id = NEW.transaction_id
        GROUP BY currency HAVING SUM(amount) <> 0
    ) THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER payments_ledgerposting_balanced
    AFTER INSERT ON payments_ledgerposting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_journal_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS payments_ledgerposting_balanced ON payments_ledgerposting;
DROP FUNCTION IF EXISTS payments_journal_balanced();
DROP TRIGGER IF EXISTS payments_ledgerposting_append_only ON payments_ledgerposting;
DROP TRIGGER IF EXISTS payments_ledgertransaction_append_only ON payments_ledgertransaction;
DROP FUNCTION IF EXISTS payments_journal_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


COUNTERPART = {
    "sale": "provider_clearing",
    "commission": "platform_revenue",
    "refund": "provider_clearing",
    "commission_refund": "platform_revenue",
    "chargeback": "provider_clearing",
    "chargeback_commission": "platform_revenue",
    "reinstated": "provider_clearing",
    "reinstated_commission": "platform_revenue",
    "payout": "payouts_in_transit",
    "payout_reversal": "payouts_in_transit",
}


def backfill(apps, schema_editor):
    account_model = apps.get_model("payments", "LedgerAccount")
    transaction_model = apps.get_model("payments", "LedgerTransaction")
    posting_model = apps.get_model("payments", "LedgerPosting")
    accounts = {}

    def account(kind, shop_id=None):
        key = (kind, shop_id)
        if key not in accounts:
            accounts[key], _ = account_model.objects.get_or_create(kind=kind, shop_id=shop_id)
        return accounts[key]

    def record(reference, kind, currency, legs, **links):
        entry = transaction_model.objects.create(
            reference=reference, kind=kind, currency=currency, description=reference, **links
        )
        posting_model.objects.bulk_create(
            [
                posting_model(transaction=entry, account=leg, amount=amount, currency=currency)
                for leg, amount in legs
            ]
        )

    for entry in apps.get_model("payments", "LedgerEntry").objects.order_by("pk").iterator():
        record(
            f"backfill:{entry.pk}",
            entry.kind,
            entry.currency,
            [
                (account("shop", entry.shop_id), -entry.amount),
                (account(COUNTERPART[entry.kind]), entry.amount),
            ],
            order_id=entry.order_id,
            payout_id=entry.payout_id,
        )
    for payout in apps.get_model("payments", "Payout").objects.filter(status="paid"):
        record(
            f"payout-paid:{payout.pk}",
            "payout_paid",
            payout.currency,
            [
                (account("payouts_in_transit"), payout.amount),
                (account("provider_clearing"), -payout.amount),
            ],
            payout_id=payout.pk,
        )


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_double_entry_journal")]

    operations = [
        migrations.RunPython(create, drop),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
