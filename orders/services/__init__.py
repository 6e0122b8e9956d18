"""Writes of the orders app, one module per subdomain: cart, promotions, checkout, lifecycle."""
