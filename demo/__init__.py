"""Demo data: known logins, three shops with a dozen products, and the demo shopper's orders in
every state, created through the real services (`manage.py seed_demo`)."""
