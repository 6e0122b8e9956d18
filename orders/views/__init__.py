"""The orders app's pages: cart, checkout, the shopper's orders, and the vendor dashboard."""
