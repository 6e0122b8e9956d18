"""Writes to the catalog, by subdomain: `stock` (reservations and adjustments), and the rest."""
