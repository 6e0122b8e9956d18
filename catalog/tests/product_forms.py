"""Data of the dashboard's product form, for the tests that post it."""


def product_form_data(**overrides: object) -> dict[str, object]:
    """The dashboard's product form as posted: a product with two size variants, and
    `overrides`."""
    data: dict[str, object] = {
        "title": "Hand-thrown Bowl",
        "description": "<p>Glazed.</p><img src=x onerror=alert(1)>",
        "price": "32.00",
        "compare_at_price": "",
        "status": "active",
        "track_inventory": "on",
        "tags": "Ceramic, handmade",
        "options-TOTAL_FORMS": "1",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "3",
        "options-0-name": "size",
        "options-0-values": "Small, Large",
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "100",
        "variants-0-option_1": "Small",
        "variants-0-sku": "BOWL-S",
        "variants-0-price": "",
        "variants-0-inventory_count": "4",
        "variants-1-option_1": "Large",
        "variants-1-sku": "",
        "variants-1-price": "40.00",
        "variants-1-inventory_count": "2",
    }
    data.update(overrides)
    return data
