"""The writes of the payments app, by subdomain: payments, webhooks, refunds, invoices,
ledger, payouts."""
